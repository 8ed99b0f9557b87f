"""Is a place open at a given moment, and when does it close or open next: from parsed ``Hours``.

Pure: the moment is passed in (a Europe/Paris ``datetime``); French public holidays come from
the maintained ``holidays`` library, a place being taken as closed on them (directories only
give a week's hours). A place whose hours give no times ("Sur RDV") is ``unknown``: call first.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

from index.hours import day_parts
from index.places import DayHours, Hours

PARIS = ZoneInfo("Europe/Paris")
OPEN, CLOSED, UNKNOWN = "open", "closed", "unknown"


@dataclass(frozen=True)
class OpenState:
    """``state`` at the moment asked; when open, ``until`` (minutes) today; when closed, the next
    opening ``days_ahead`` (0 today) at ``opens_at`` (minutes), on weekday ``opens_on`` (0 = Monday)."""

    state: str
    until: int | None = None
    days_ahead: int | None = None
    opens_on: int | None = None
    opens_at: int | None = None
    holiday: bool = False
    """Today is a French public holiday."""


@lru_cache(maxsize=8)
def _french_holidays(year: int) -> holidays.HolidayBase:
    return holidays.country_holidays("FR", years=year)


def is_holiday(day: date) -> bool:
    """A French public holiday (métropole)."""
    return day in _french_holidays(day.year)


def paris_now() -> datetime:
    return datetime.now(PARIS)


def open_state(hours: Hours, now: datetime) -> OpenState:
    """The place's state at ``now`` (converted to Paris time), and what changes next, within a week."""
    now = now.astimezone(PARIS) if now.tzinfo else now.replace(tzinfo=PARIS)
    if not any(d.intervals for d in hours.days):
        return OpenState(UNKNOWN)
    today, minute = now.date(), now.hour * 60 + now.minute
    holiday = is_holiday(today)
    if not holiday:
        for start, end in hours.days[today.weekday()].intervals:
            if start <= minute < end:
                return OpenState(OPEN, until=end)
    for ahead in range(8):
        day = today + timedelta(days=ahead)
        if is_holiday(day):
            continue
        starts = [s for s, _ in hours.days[day.weekday()].intervals if ahead or s > minute]
        if starts:
            return OpenState(CLOSED, days_ahead=ahead, opens_on=day.weekday(), opens_at=min(starts),
                             holiday=holiday)
    return OpenState(UNKNOWN, holiday=holiday)


def open_during(day: DayHours, window: tuple[int, int]) -> bool | None:
    """Is a place open at some point of ``window`` (minutes) on a day with these hours?

    Times answer it. A day closed is False. A day that only names parts of the day (« après-midi »)
    answers by them: True when the window takes in a whole part (« cet après-midi »), False when it
    meets none (« ce matin »), None when it falls within one, as a moment does (open in the
    afternoon, but at 14 h 30?). Any other text (« Sur RDV ») says the day is open, not when: None.
    """
    start, end = window
    if day.intervals:
        return any(s < end and start < e for s, e in day.intervals)
    if day.is_open is False:
        return False
    parts = day_parts(day.text) if day.is_open else ()
    if not parts:
        return None
    if any(start <= s and e <= end for s, e in parts):
        return True
    return None if any(s < end and start < e for s, e in parts) else False
