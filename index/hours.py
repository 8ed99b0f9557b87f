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
from dataclasses import dataclass
from functools import lru_cache

from index.normalise import fold
from index.places import DayHours, Hours

# One time of day: "9h", "09h30", "9 h 00", "9H", "9:30", or a bare hour next to a range
# separator ("9h-12 et 14h-17h"). Hours go to 24, minutes below 60.
_TIME = r"(?<![\d:])(\d{1,2})(?:\s*([hH:])(?:\s*(\d{2})(?!\s*[hH:]))?)?(?![\d:])"
_SEPARATOR = r"\s*(?:-|–|—|/|à|a(?![a-z])|jusqu'?à)\s*"
_RANGE = re.compile(_TIME + "(" + _SEPARATOR + r"|\s+)" + _TIME)
_CLOSED = ("ferme", "fermee", "closed")
CACHED_DAYS = 4096
"""Distinct days and weeks kept worked out (a directory of 845 places has about 180 distinct days)."""
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


# Parts of the day some directories write instead of times (« après-midi », « le matin »): windows
# a moment can be checked against, never times shown on a card.
DAY_PARTS = (
    (re.compile(r"\bmatin(?:ee|s)?\b"), (0, 12 * 60)),
    (re.compile(r"\b(?:apres[\s-]*midis?|aprem)\b"), (12 * 60, 19 * 60)),
    (re.compile(r"\bsoir(?:ee|s)?\b"), (18 * 60, 24 * 60)),
)


def day_parts(text: str) -> tuple[tuple[int, int], ...]:
    """The parts of the day a text names, as windows in minutes: ``"après-midi"`` -> ``((720, 1140),)``."""
    folded = fold(text) if isinstance(text, str) else ""
    return merge(window for pattern, window in DAY_PARTS if pattern.search(folded))


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
    """French display: ``"9 h–12 h 30, 14 h–18 h"``."""
    return ", ".join(f"{format_time(start)}–{format_time(end)}" for start, end in intervals)


# -- display: hours people can read ---------------------------------------------------------------

SHORT_DAYS = ("lun.", "mar.", "mer.", "jeu.", "ven.", "sam.", "dim.")
CLOSED_TEXT = "fermé"
_APPOINTMENT = re.compile(r"\b(?:sur\s+)?(?:r\.?d\.?v\.?|rendez[\s-]*vous)\b", re.IGNORECASE)
_REMARK_EDGES = re.compile(r"^[\s,;:/()\[\].+&-]+|[\s,;:/(\[.+&-]+$")
_LEAD_IN = re.compile(r"\b(?:de|des|entre|du)\s*§", re.IGNORECASE)
_BETWEEN = re.compile(r"§(?:\s*(?:et|puis|/|,|;|-|&|\+)?\s*§)+", re.IGNORECASE)
_FILLER = frozenset({"de", "et", "puis", "h", "le", "les", "du", "a", "et de"})
_JOINERS = re.compile(r"^(?:et|de|du|le|les|puis)\s+|\s+(?:et|de|du|le|les|puis)$", re.IGNORECASE)


@dataclass(frozen=True)
class Week:
    """A week of hours as people read it: runs of identical days, and a remark said once."""

    lines: tuple[tuple[str, str], ...] = ()
    """(days, hours): ``("lun.–ven.", "9 h–12 h, 14 h–18 h")``, ``("sam.–dim.", "fermé")``."""
    remark: str = ""
    """What the directory adds to the times, the same on every day that says it ("Sur rendez-vous")."""


def _mark_times(text: str) -> str:
    """``text`` with each time range, and the words that only join ranges, as one ``§``: what
    ``_remark`` and ``_words_between_times`` both read (the regexes run once per day)."""
    marked = _RANGE.sub("§", text)
    marked = _LEAD_IN.sub("§", marked)  # "de § et de §": the words that only joined the times
    return _BETWEEN.sub("§", marked)


def _remark(marked: str) -> str:
    """What a day's text says beside its times, read ``_mark_times``'d: ``"14h - 18h (sur RDV)"`` ->
    ``"Sur rendez-vous"``."""
    rest = _APPOINTMENT.sub(" sur rendez-vous ", marked.replace("§", " "))
    rest = re.sub(r"[()\[\]]", " ", rest)
    rest = " ".join(rest.split())
    for _ in range(3):
        rest = _JOINERS.sub("", _REMARK_EDGES.sub("", rest)).strip()
    if not re.search(r"[^\W\d_]{2}", rest) or fold(rest) in _FILLER:
        return ""  # only digits, punctuation or joining words left: nothing to say
    rest = re.sub(r"(sur rendez-vous\s*)+", "sur rendez-vous ", rest).strip()
    return rest[:1].upper() + rest[1:]


def _words_between_times(marked: str) -> bool:
    """Words between two time ranges ("14h-19h en semaine, 9h-12h pendant les vacances"), read
    ``_mark_times``'d: the times belong to the words, so the text is shown as written."""
    inner = marked[marked.find("§") + 1:marked.rfind("§")] if marked.count("§") >= 2 else ""
    return bool(re.search(r"[^\W\d_]{3}", inner))


@lru_cache(maxsize=CACHED_DAYS)
def day_text(day: DayHours) -> tuple[str, str]:
    """(times or what stands for them, remark) of one day; ("", "") when the directory says nothing.
    Cached: every card shown reads its days, and a directory has a few hundred distinct ones."""
    if day.is_open is None:
        return "", ""
    if day.is_open is False:
        return CLOSED_TEXT, ""
    marked = _mark_times(day.text)
    said = _remark(marked)
    if said and (re.search(r"[\d:;]", said) or _words_between_times(marked)):
        return " ".join(day.text.split()), ""  # times tied to words ("Point info : 8h30-11h30 ; …"): as written
    if day.intervals:
        return format_intervals(day.intervals), said
    return said or " ".join(day.text.split()), ""


def is_read(day: DayHours) -> bool:
    """Could the day's text be read as times or as a closed day? (An open day with words only was not.)"""
    return day.is_open is not True or bool(day.intervals)


def week(days: Iterable[DayHours], text: str = "") -> Week:
    """Normalised hours: identical neighbouring days collapsed ("lun.–ven."), a remark shared by all
    the days that make one said once, other remarks kept beside their day; days the directory says
    nothing of are left out. ``text`` (hours as one free text nobody could split) is shown when
    no day is known."""
    read = [day_text(d) for d in days]
    remarks = {r for _, r in read if r}
    shared = remarks.pop() if len(remarks) == 1 else ""
    shown = [(t if not r or r == shared else f"{t} ({r[:1].lower() + r[1:]})") for t, r in read]
    lines: list[tuple[str, str]] = []
    run_start = 0
    for i in range(1, len(shown) + 1):
        if i < len(shown) and shown[i] == shown[run_start]:
            continue
        if shown[run_start]:
            first, last = SHORT_DAYS[run_start], SHORT_DAYS[i - 1]
            days_label = first if i - 1 == run_start else f"{first}–{last}" if i - 1 > run_start + 1 \
                else f"{first}, {last}"
            lines.append((days_label, shown[run_start]))
        run_start = i
    if not lines and text.strip():
        return Week(remark=" ".join(text.split()))
    return Week(tuple(lines), shared)


@lru_cache(maxsize=CACHED_DAYS)
def week_of(hours: Hours) -> Week:
    """``week`` of a place's hours, worked out once per distinct week (every card shown needs it)."""
    return week(hours.days, hours.text)
