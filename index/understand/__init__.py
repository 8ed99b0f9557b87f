"""Query understanding: ``parse(message, ...) -> Query``, pure and total.

A message (any text, any length, any alphabet) and an optional shared location
become a ``Query``: area, needs (services, publics, labels), days, wifi, and the words
left for text search. The steps in ``steps.STEPS`` run in order on one ``Reading``;
``parse`` never raises on user input.
"""

from __future__ import annotations

import math
import re

from unidecode import unidecode

from index.normalise import fold
from index.understand.lexicon import Lexicon
from index.understand.query import Area, Concept, Query
from index.understand.steps import STEPS, Reading, area_of, leftover_words

MAX_CHARACTERS = 2000
"""Characters of a message read: the front ends accept 500; a longer text is cut, not refused."""
_CLAUSE_OR_WORD = re.compile(r"[A-Za-z0-9]+|[.,;:!?()\n]")

__all__ = ["Area", "Concept", "Lexicon", "Query", "explain", "parse"]


def parse(message: str, lexicon: Lexicon, lat: float | None = None, lon: float | None = None,
          today: int = 0, previous: Area | None = None) -> Query:
    """Understand ``message``; ``today`` is the weekday (0 = Monday) that "aujourd'hui" means,
    ``previous`` the area of the conversation's last search (« plus près de la gare »)."""
    reading = _read(message, lexicon, lat, lon, today, previous)
    names, words = leftover_words(reading)
    return Query(
        area=area_of(reading),
        concepts=tuple(reading.concepts),
        days=tuple(reading.days),
        any_day=reading.any_day,
        wifi=reading.wifi,
        words=tuple(words),
        name_words=tuple(names),
        notes=tuple(reading.notes),
        near_me=reading.near_me,
        off_topic=tuple(reading.off_topic),
        doubt=reading.doubt,
        adult=reading.adult or any(c.facet == "publics" and "AD" in c.codes for c in reading.concepts),
        when=reading.when,
        dated=reading.dated,
    )


def explain(message: str, lexicon: Lexicon, lat: float | None = None, lon: float | None = None,
            today: int = 0) -> list[str]:
    """The place candidates of ``message`` with their evidence, best first (``--explain``)."""
    return [f"lieu : {c.describe()}" for c in _read(message, lexicon, lat, lon, today).candidates]


def _read(message: str, lexicon: Lexicon, lat: float | None, lon: float | None, today: int,
          previous: Area | None = None) -> Reading:
    text = (message or "")[:MAX_CHARACTERS]
    if not _valid_point(lat, lon):
        lat = lon = None
    ascii_text = unidecode(text)  # once: fold() of ASCII text is cheap
    capitals, clauses = _shapes(ascii_text)
    reading = Reading(words=fold(ascii_text).split(), lexicon=lexicon, lat=lat, lon=lon, today=today % 7,
                      capitals=capitals, clauses=clauses, previous=previous)
    for step in STEPS:
        step(reading)
    return reading


def _shapes(ascii_text: str) -> tuple[tuple[bool, ...], tuple[int, ...]]:
    """Per folded word of ``ascii_text`` (already transliterated): whether it was typed with a
    capital, and its clause number.

    ``fold`` transliterates, lowercases and splits on every non-alphanumeric character; doing
    the same without lowercasing gives the same words in the same order. A clause ends at
    . , ; : ! ? ( ) or a line break.
    """
    capitals: list[bool] = []
    clauses: list[int] = []
    clause = 0
    for piece in _CLAUSE_OR_WORD.findall(ascii_text):
        if piece[0].isalnum():
            capitals.append(piece[0].isupper())
            clauses.append(clause)
        else:
            clause += 1
    return tuple(capitals), tuple(clauses)


def _valid_point(lat: float | None, lon: float | None) -> bool:
    try:
        return lat is not None and lon is not None and math.isfinite(lat) and math.isfinite(lon) \
            and -90 <= lat <= 90 and -180 <= lon <= 180
    except TypeError:
        return False
