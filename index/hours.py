"""Opening hours of one day, from the free text directories hold, to ``DayHours``.

``parse_day("10h-12h30 / 14h-18h")`` keeps the text and reads its intervals in minutes,
``((600, 750), (840, 1080))``. Whatever the text, it returns a ``DayHours`` and never raises:

* empty text: nothing known (``is_open`` None);
* ``"Fermé"``, ``"FERME"``, ``"-"``: closed (``is_open`` False);
* anything else is an open day, with the intervals found in it, if any ("Sur RDV",
  "après-midi" are open days with no times).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from index.normalise import fold
from index.places import DayHours

# One time of day: "9h", "09h30", "9 h 00", "9H", "9:30", or a bare hour next to a range
# separator ("9h-12 et 14h-17h"). Hours go to 24, minutes below 60.
_TIME = r"(?<![\d:])(\d{1,2})(?:\s*([hH:])(?:\s*(\d{2})(?!\s*[hH:]))?)?(?![\d:])"
_SEPARATOR = r"\s*(?:-|–|—|/|à|a(?![a-z])|jusqu'?à)\s*"
_RANGE = re.compile(_TIME + "(" + _SEPARATOR + r"|\s+)" + _TIME)
_CLOSED = ("ferme", "fermee", "closed")
_DASHES = re.compile(r"[\s\-–—_]+")


def parse_day(text: str) -> DayHours:
    """The day's text as written, its intervals (start < end, minutes in 0..1440) and whether it is open."""
    text = text if isinstance(text, str) else ""
    stripped = text.strip()
    if not stripped:
        return DayHours(text=stripped)
    intervals = parse_intervals(stripped)
    if intervals:
        return DayHours(text=stripped, intervals=intervals, is_open=True)
    if _DASHES.fullmatch(stripped):
        return DayHours(text=stripped, is_open=False)
    folded = fold(stripped)
    if not folded:
        return DayHours(text=stripped)
    if folded.split()[0] in _CLOSED:
        return DayHours(text=stripped, is_open=False)
    return DayHours(text=stripped, is_open=True)


def parse_intervals(text: str) -> tuple[tuple[int, int], ...]:
    """The time ranges written in ``text``, sorted, overlaps merged; ranges that make no sense are left out."""
    found = []
    for match in _RANGE.finditer(text):
        h1, mark1, m1, separator, h2, mark2, m2 = match.groups()
        if not (mark1 or mark2):
            continue  # two bare numbers are not times
        if not separator.strip() and not (mark1 and mark2):
            continue  # "14h 18h" reads as a range, "14 18h" does not
        start, end = _minutes(h1, m1), _minutes(h2, m2)
        if start is not None and end is not None and start < end:
            found.append((start, end))
    return merge(found)


def _minutes(hours: str, minutes: str | None) -> int | None:
    h, m = int(hours), int(minutes or 0)
    if h > 24 or m > 59 or (h == 24 and m):
        return None
    return h * 60 + m


def merge(intervals: Iterable[tuple[int, int]]) -> tuple[tuple[int, int], ...]:
    """Sorted intervals, overlapping or touching ones joined."""
    out: list[tuple[int, int]] = []
    for start, end in sorted(intervals):
        if out and start <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], end))
        else:
            out.append((start, end))
    return tuple(out)


def format_time(minute: int) -> str:
    """``750`` -> ``"12 h 30"``, ``540`` -> ``"9 h"``."""
    h, m = divmod(minute, 60)
    return f"{h} h {m:02d}" if m else f"{h} h"


def format_intervals(intervals: Iterable[tuple[int, int]]) -> str:
    """French display: ``"9 h – 12 h 30, 14 h – 18 h"``."""
    return ", ".join(f"{format_time(start)} – {format_time(end)}" for start, end in intervals)
