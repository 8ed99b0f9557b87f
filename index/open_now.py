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

from index.places import Hours

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


def is_open_during(hours: Hours, day: date, window: tuple[int, int]) -> bool | None:
    """Open at some point of ``window`` (minutes) on ``day``? None when the hours give no times that day."""
    if is_holiday(day):
        return False
    intervals = hours.days[day.weekday()].intervals
    if not intervals:
        return None if hours.days[day.weekday()].is_open is not False else False
    return any(s < window[1] and window[0] < e for s, e in intervals)
