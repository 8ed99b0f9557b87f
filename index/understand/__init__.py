"""Query understanding: ``parse(message, ...) -> Query``, pure and total.

A message (any text, any length, any alphabet) and an optional shared location
become a ``Query``: area, needs (services, publics, labels), days, wifi, and the words
left for text search. The steps in ``steps.STEPS`` run in order on one ``Reading``;
``parse`` never raises on user input.
"""

from __future__ import annotations

import math

from index.normalise import fold
from index.understand.lexicon import Lexicon
from index.understand.query import Area, Concept, Query
from index.understand.steps import MAX_WORDS, STEPS, Reading, area_of, leftover_words

__all__ = ["Area", "Concept", "Lexicon", "Query", "parse"]


def parse(message: str, lexicon: Lexicon, lat: float | None = None, lon: float | None = None,
          today: int = 0) -> Query:
    """Understand ``message``; ``today`` is the weekday (0 = Monday) that "aujourd'hui" means."""
    text = (message or "")[:4000]
    if not _valid_point(lat, lon):
        lat = lon = None
    reading = Reading(words=fold(text).split()[:MAX_WORDS], lexicon=lexicon, lat=lat, lon=lon, today=today % 7)
    for step in STEPS:
        step(reading)
    names, words = leftover_words(reading)
    return Query(
        text=text.strip(),
        area=area_of(reading),
        concepts=tuple(reading.concepts),
        days=tuple(reading.days),
        any_day=reading.any_day,
        wifi=reading.wifi,
        words=tuple(words),
        name_words=tuple(names),
        notes=tuple(reading.notes),
        near_me=reading.near_me,
        when=reading.when,
    )


def _valid_point(lat: float | None, lon: float | None) -> bool:
    try:
        return lat is not None and lon is not None and math.isfinite(lat) and math.isfinite(lon) \
            and -90 <= lat <= 90 and -180 <= lon <= 180
    except TypeError:
        return False
