import pytest
from hypothesis import given
from hypothesis import strategies as st

from index.hours import format_intervals, parse_day
from index.places import DayHours


@pytest.mark.parametrize(
    ("text", "intervals"),
    [
        ("14h-18h", ((840, 1080),)),
        ("10h-12h30 / 14h-18h", ((600, 750), (840, 1080))),
        ("de 09h00 à 12h30 de 13h30 à 17h00", ((540, 750), (810, 1020))),
        ("9:00 - 12:30 / 14:00 - 17:00", ((540, 750), (840, 1020))),
        ("8h30-12h et 13h30-17h", ((510, 720), (810, 1020))),
        ("9h à 12h", ((540, 720),)),
        ("14h - 18h (sur RDV)", ((840, 1080),)),
        ("9 h - 12 h et 14 h - 18 h 00", ((540, 720), (840, 1080))),
        ("8H - 17 h", ((480, 1020),)),
        ("9h-12 et 14h-17h", ((540, 720), (840, 1020))),
        ("8h30/12h 13h30/18h", ((510, 720), (810, 1080))),
        ("9h30-12h et 14h 18h", ((570, 720), (840, 1080))),
        ("10h – 19h", ((600, 1140),)),
        ("10h - 12h au 5 rue Erik Satie", ((600, 720),)),
        ("9h-12h30 et 13h30-17h/16h30", ((540, 750), (810, 1020))),
    ],
)
def test_day_text_is_read_as_intervals(text, intervals):
    day = parse_day(text)
    assert day.intervals == intervals
    assert day.is_open is True
    assert day.text == text


@pytest.mark.parametrize("text", ["Fermé", "fermé", "FERME", "-", " - "])
def test_closed_day(text):
    day = parse_day(text)
    assert day.is_open is False
    assert day.intervals == ()


@pytest.mark.parametrize("text", ["Sur RDV", "sur rendez-vous", "Matin", "après-midi"])
def test_open_day_without_times(text):
    assert parse_day(text) == DayHours(text=text, intervals=(), is_open=True)


@pytest.mark.parametrize("text", ["", "   ", "?"])
def test_empty_day_is_unknown(text):
    assert parse_day(text).is_open is None


def test_a_closed_word_followed_by_times_is_an_open_day():
    day = parse_day("fermé le matin, 14h-18h")
    assert day.is_open is True
    assert day.intervals == ((840, 1080),)


def test_nonsense_ranges_are_left_out():
    assert parse_day("18h-9h").intervals == ()
    assert parse_day("25h-26h").intervals == ()
    assert parse_day("10 centimes - 26 ans").intervals == ()


def test_format_intervals_in_french():
    assert format_intervals(((540, 750), (840, 1080))) == "9 h – 12 h 30, 14 h – 18 h"
    assert format_intervals(()) == ""


@given(st.text())
def test_any_text_gives_day_hours_with_sane_intervals(text):
    day = parse_day(text)
    assert isinstance(day, DayHours)
    for start, end in day.intervals:
        assert 0 <= start < end <= 1440
    assert list(day.intervals) == sorted(day.intervals)


@given(st.from_regex(r"[0-9hH:àa\- /et]{0,30}", fullmatch=True))
def test_time_like_text_gives_sane_intervals(text):
    for start, end in parse_day(text).intervals:
        assert 0 <= start < end <= 1440
