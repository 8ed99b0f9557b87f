"""OpenStreetMap ``opening_hours`` syntax <-> ``Hours``, the subset directories use.

The national data standard writes hours the OSM way: rules separated by ``;``, each a
weekday selector and times, a later rule overriding earlier ones for its days
(``"Mo-Fr 08:30-12:00,13:30-17:30; We off"``: Wednesday closed), a ``,`` before a weekday
adding a rule instead; ``"24/7"``, ``"off"``, ``"PH off"``, comments in double quotes
(``"Tu 09:00-12:00 \\"sur rdv\\""``). Days no rule opens are closed, as in OSM. What this
subset cannot read (month or week selectors, a lone "17:00") is kept as text and never
raises: ``parse_reporting`` tells the reader which parts were left so it can warn.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from index.hours import format_intervals, merge
from index.places import DAYS, DayHours, Hours

WEEKDAYS = ("Mo", "Tu", "We", "Th", "Fr", "Sa", "Su")
_WD_INDEX = {d.lower(): i for i, d in enumerate(WEEKDAYS)}
_WD = r"(?:mo|tu|we|th|fr|sa|su)"
_SELECTOR_ITEM = rf"(?:{_WD}(?:\s*-\s*{_WD})?(?:\[[-\d,\s]+\])?|ph|sh)"
_SELECTOR = re.compile(rf"^({_SELECTOR_ITEM}(?:\s*,\s*{_SELECTOR_ITEM})*)(?=\s|$|\d|\")", re.IGNORECASE)
_TIME = r"(\d{1,2})(?:[:h](\d{2}))?"
_RANGE = re.compile(rf"^{_TIME}\s*-\s*{_TIME}$|^{_TIME}\+$", re.IGNORECASE)
_COMMENT = re.compile(r'"([^"]*)"')
_ADDITIONAL = re.compile(rf"(?<=\d),\s*(?={_WD}\b)", re.IGNORECASE)
_STATES = {"off": False, "closed": False, "open": True, "unknown": None}


@dataclass
class _Day:
    is_open: bool | None = None
    intervals: list[tuple[int, int]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def parse(text: str) -> Hours:
    """``Hours`` for an ``opening_hours`` string; unreadable parts are kept as text."""
    return parse_reporting(text)[0]


def parse_reporting(text: str) -> tuple[Hours, tuple[str, ...]]:
    """``Hours`` and the parts of ``text`` that were not understood (empty when all was)."""
    text = " ".join(str(text or "").split())
    if not text:
        return Hours(), ()
    days: list[_Day | None] = [None] * 7
    leftovers: list[str] = []
    previous: tuple[int, ...] = ()
    applied = False
    for rule_text in re.split(r"\s*(?:;|\|\|)\s*", text):
        for n, part in enumerate(_ADDITIONAL.split(rule_text)):
            if not part.strip():
                continue
            selected, state, left, continuation = _rule(part, previous, first=not applied)
            leftovers.extend(left)
            if selected is None:
                continue
            previous = selected
            additive = n > 0 or continuation
            for i in selected:
                if days[i] is None or not additive:
                    days[i] = _Day(state.is_open, list(state.intervals), list(state.notes))
                else:
                    day = days[i]
                    day.intervals.extend(state.intervals)
                    day.notes.extend(state.notes)
                    day.is_open = True if state.is_open or day.is_open else state.is_open
            applied = True
    if not applied:
        return Hours(text=text), tuple(leftovers)
    week = tuple(_day_hours(d) for d in days)
    return Hours(days=week, text=text), tuple(leftovers)


def _rule(
    part: str, previous: tuple[int, ...], first: bool
) -> tuple[tuple[int, ...] | None, _Day, list[str], bool]:
    """(days selected, what they get, unread parts, adds to the previous rule) for one rule.

    Days are None when the rule applies to no weekday.
    """
    raw = part.strip()
    notes = [c.strip() for c in _COMMENT.findall(raw) if c.strip()]
    rest = _COMMENT.sub(" ", raw).strip()
    if rest == "24/7":
        return tuple(range(7)), _Day(True, [(0, 1440)], notes), [], False
    selected: tuple[int, ...] | None
    continuation = False
    match = _SELECTOR.match(rest)
    if match:
        selected = _selection(match.group(1))
        rest = rest[match.end():].strip()
        if not selected:  # PH / SH only: holidays, which a week cannot hold
            return None, _Day(), [], False
    elif rest[:1].isdigit() or rest.lower() in _STATES or not rest:
        # No weekday: the whole week for a first rule (OSM); after others, more times for the same days.
        continuation = not first and bool(previous)
        selected = previous if continuation else tuple(range(7))
    else:
        return None, _Day(), [raw], False  # month, week, date or holiday selectors: not a week's hours
    state = _Day(notes=notes)
    left: list[str] = []
    words = rest.split()
    if words and words[-1].lower() in _STATES:
        state.is_open = _STATES[words.pop().lower()]
        rest = " ".join(words)
    if rest:
        for chunk in re.split(r"\s*,\s*", rest):
            interval = _interval(chunk)
            if interval:
                state.intervals.append(interval)
            elif chunk:
                left.append(chunk)
                state.notes.append(chunk)
        if state.is_open is None:
            state.is_open = True
    elif state.is_open is None:
        state.is_open = True  # "Mo-Fr" or 'Tu "sur rdv"': open, times not said
    if state.is_open is False:
        state.intervals.clear()
    return selected, state, left, continuation


def _selection(selector: str) -> tuple[int, ...]:
    chosen: set[int] = set()
    for item in re.split(r"\s*,\s*", selector.lower()):
        item = re.sub(r"\[.*\]", "", item).strip()
        if item in ("ph", "sh"):
            continue
        start, _, end = (s.strip() for s in item.partition("-"))
        a, b = _WD_INDEX[start], _WD_INDEX[end or start]
        i = a
        while True:  # "Sa-Mo" wraps around the week
            chosen.add(i)
            if i == b:
                break
            i = (i + 1) % 7
    return tuple(sorted(chosen))


def _interval(chunk: str) -> tuple[int, int] | None:
    match = _RANGE.match(chunk.strip())
    if not match:
        return None
    if match.group(5) is not None:  # "18:00+": open end
        start = _minutes(match.group(5), match.group(6))
        return (start, 1440) if start is not None and start < 1440 else None
    start = _minutes(match.group(1), match.group(2))
    end = _minutes(match.group(3), match.group(4))
    if start is None or end is None or start == end or start >= 1440:
        return None
    return (start, end) if end > start else (start, 1440)  # past midnight: this day's part


def _minutes(hours: str, minutes: str | None) -> int | None:
    h, m = int(hours), int(minutes or 0)
    if h > 24 or m > 59 or (h == 24 and m):
        return None
    return h * 60 + m


def _day_hours(day: _Day | None) -> DayHours:
    if day is None or day.is_open is False:
        return DayHours(text="fermé", is_open=False)
    intervals = merge(day.intervals)
    text = ", ".join(p for p in (format_intervals(intervals), *dict.fromkeys(day.notes)) if p)
    return DayHours(text=text, intervals=intervals, is_open=day.is_open)


def _osm_clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def to_osm(hours: Hours) -> str:
    """The ``opening_hours`` string for a week: days with the same times grouped (``"Mo-Fr 09:00-12:00"``).

    Days open without times are written with their text as a comment (``Tu "sur rdv"``);
    an ``Hours`` that knows nothing gives ``""``.
    """
    if not hours.known:
        return ""
    if not hours.open_days():
        return "off"
    rules: list[tuple[list[int], str]] = []
    for i, day in enumerate(hours.days[: len(DAYS)]):
        if not day.is_open:
            continue
        if day.intervals:
            times = ",".join(f"{_osm_clock(a)}-{_osm_clock(b)}" for a, b in day.intervals)
        else:
            comment = " ".join(day.text.replace('"', "'").split())
            if not comment:
                continue
            times = f'"{comment}"'
        if rules and rules[-1][1] == times and rules[-1][0][-1] == i - 1:
            rules[-1][0].append(i)
        else:
            rules.append(([i], times))
    # Same times on non-adjacent days join as a list: "Mo,We 14:00-18:00".
    grouped: dict[str, list[list[int]]] = {}
    for run, times in rules:
        grouped.setdefault(times, []).append(run)
    parts = []
    for times, runs in sorted(grouped.items(), key=lambda item: item[1][0][0]):
        selector = ",".join(_run(r) for r in runs)
        parts.append(f"{selector} {times}")
    return "; ".join(parts)


def _run(days: list[int]) -> str:
    if len(days) == 1:
        return WEEKDAYS[days[0]]
    if len(days) == 2:
        return f"{WEEKDAYS[days[0]]},{WEEKDAYS[days[1]]}"
    return f"{WEEKDAYS[days[0]]}-{WEEKDAYS[days[-1]]}"
