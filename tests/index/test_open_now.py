"""Open now: a week's hours against a moment in Paris, French public holidays included."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from index.conversation.replies import open_now
from index.hours import parse_day
from index.open_now import CLOSED, OPEN, PARIS, UNKNOWN, is_holiday, open_during, open_state
from index.places import Hours


def hours(*texts: str) -> Hours:
    return Hours(days=tuple(parse_day(t) for t in texts))


OFFICE = hours("9h-12h / 14h-17h", "14h-18h", "9h-12h", "Fermé", "9h-17h", "", "")


def at(day: int, hour: int, minute: int = 0) -> datetime:
    """A moment in the week of Monday 30 November 2026, Paris time."""
    return datetime(2026, 11, 30, hour, minute, tzinfo=PARIS) + timedelta(days=day)


def test_open_says_until_when():
    state = open_state(OFFICE, at(0, 10))
    assert state == open_state(OFFICE, at(0, 10)) and state.state == OPEN and state.until == 720
    assert open_now(state) == "Ouvert · jusqu'à 12 h"


def test_closed_at_lunch_opens_later_the_same_day():
    assert open_now(open_state(OFFICE, at(0, 12, 30))) == "Fermé · ouvre à 14 h"


def test_closed_in_the_evening_opens_tomorrow_or_on_a_named_day():
    assert open_now(open_state(OFFICE, at(0, 18))) == "Fermé · ouvre demain à 14 h"
    assert open_now(open_state(OFFICE, at(2, 13))) == "Fermé · ouvre vendredi à 9 h"


def test_the_moment_is_read_in_paris_time():
    # 08:30 UTC in winter is 09:30 in Paris: open.
    assert open_state(OFFICE, datetime(2026, 11, 30, 8, 30, tzinfo=UTC)).state == OPEN


def test_a_public_holiday_is_closed_and_says_so():
    assert is_holiday(datetime(2026, 11, 11).date())
    state = open_state(OFFICE, datetime(2026, 11, 11, 10, tzinfo=PARIS))  # Armistice, a Wednesday
    assert state.state == CLOSED and state.holiday
    assert open_now(state) == "Fermé (jour férié) · ouvre vendredi à 9 h"


def test_hours_without_times_say_to_call_first():
    for unknown in (Hours(), hours("Sur RDV", "", "", "", "", "", ""), Hours(text="sur rendez-vous")):
        state = open_state(unknown, at(0, 10))
        assert state.state == UNKNOWN
        assert open_now(state) == "Horaires non renseignés : appeler avant"


@pytest.mark.parametrize(("text", "window", "found"), [
    ("14h-18h", (600, 601), False),  # a moment: 10:00
    ("14h-18h", (900, 901), True),
    ("Fermé", (0, 1440), False),
    ("après-midi", (720, 1440), True),  # « cet après-midi » takes in the whole afternoon
    ("après-midi", (630, 631), False),  # 10:30: not in the afternoon
    ("après-midi", (870, 871), None),  # 14:30: in the afternoon, but open then?
    ("après-midi", (1020, 1440), None),  # « après 17 h »
    ("matin", (0, 720), True),
    ("Sur RDV", (600, 601), None),  # open that day, at unknown times
    ("", (600, 601), None),
])
def test_a_day_of_words_answers_a_moment_by_the_parts_of_the_day_it_names(text, window, found):
    assert open_during(parse_day(text), window) is found
