import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from index.opening_hours import parse, parse_reporting, to_osm
from index.places import Hours

NATIONAL = Path(__file__).resolve().parents[3] / "shared" / "data" / "national"
MO, TU, WE, TH, FR, SA, SU = range(7)


def test_week_with_saturday_morning():
    hours = parse("Mo-Fr 09:00-12:30,13:30-16:30; Sa 08:30-12:00")
    assert hours.open_days() == {MO, TU, WE, TH, FR, SA}
    assert hours.days[MO].intervals == ((540, 750), (810, 990))
    assert hours.days[SA].intervals == ((510, 720),)
    assert hours.days[SU].is_open is False
    assert hours.text == "Mo-Fr 09:00-12:30,13:30-16:30; Sa 08:30-12:00"


def test_list_of_days():
    hours = parse("Mo,We 14:00-18:00")
    assert hours.open_days() == {MO, WE}
    assert hours.days[TU].is_open is False


def test_comment_is_kept_in_the_day_text():
    hours = parse('Tu 09:00-12:00 "sur rdv"')
    assert hours.open_days() == {TU}
    assert hours.days[TU].intervals == ((540, 720),)
    assert "sur rdv" in hours.days[TU].text


def test_off_closes_every_day():
    hours = parse("off")
    assert hours.known
    assert hours.open_days() == frozenset()


def test_public_holidays_alone_say_nothing_of_the_week():
    hours, leftovers = parse_reporting("PH off")
    assert not hours.known
    assert leftovers == ()


def test_always_open():
    hours = parse("24/7")
    assert hours.open_days() == set(range(7))
    assert hours.days[SU].intervals == ((0, 1440),)


def test_later_rule_overrides_earlier_days():
    hours = parse("Mo-Fr 08:30-12:00,13:30-17:30; We off")
    assert hours.open_days() == {MO, TU, TH, FR}
    hours = parse("Mo-Fr 08:30-12:00,13:30-17:00; Th 08:30-12:00")
    assert hours.days[TH].intervals == ((510, 720),)
    assert hours.days[MO].intervals == ((510, 720), (810, 1020))


def test_comma_before_a_weekday_adds_a_rule():
    hours = parse("Mo-Fr 09:00-12:00, Sa 10:00-12:00")
    assert hours.open_days() == {MO, TU, WE, TH, FR, SA}
    assert hours.days[FR].intervals == ((540, 720),)


def test_times_without_days_are_the_whole_week():
    assert parse("08:00-17:00").open_days() == set(range(7))


def test_semicolon_without_space_and_repeated_intervals():
    hours = parse("Mo 09:00-12:30,14:00-16:30;Tu 09:00-12:30,14:00-16:30")
    assert hours.open_days() == {MO, TU}
    hours = parse("Tu-Su 09:00-22:00,09:00-11:30; Th 09:00-11:30; Fr off")
    assert hours.days[TU].intervals == ((540, 1320),)
    assert hours.open_days() == {TU, WE, TH, SA, SU}


def test_unreadable_times_keep_the_day_open_with_the_text():
    hours, leftovers = parse_reporting("Mo-Fr 09:00-19:00; Sa 17:00")
    assert hours.days[SA].is_open is True
    assert hours.days[SA].text == "17:00"
    assert leftovers == ("17:00",)


def test_seasonal_rule_is_left_as_text():
    hours, leftovers = parse_reporting("Jul-Aug Mo-Fr 10:00-12:00; Mo-Fr 09:00-17:00")
    assert hours.days[MO].intervals == ((540, 1020),)
    assert leftovers == ("Jul-Aug Mo-Fr 10:00-12:00",)


def test_garbage_is_kept_as_text_and_nothing_is_known():
    hours, leftovers = parse_reporting("le matin, sauf jours fériés")
    assert not hours.known
    assert hours.text == "le matin, sauf jours fériés"
    assert leftovers


@pytest.mark.parametrize("text", ["", "   ", None])
def test_empty_says_nothing(text):
    assert parse(text) == Hours()


@pytest.mark.parametrize(
    "text",
    [
        "Mo-Fr 09:00-12:30,13:30-16:30; Sa 08:30-12:00",
        "Mo,We 14:00-18:00",
        "Tu,Fr 09:00-12:15; We,Th 09:00-12:15,13:30-17:30; Mo 09:00-12:15,13:30-18:30",
        "Mo-Fr 08:30-12:00,13:30-17:30; We off",
        "24/7",
        "off",
    ],
)
def test_osm_string_round_trips(text):
    hours = parse(text)
    assert parse(to_osm(hours)).days == hours.days


def test_osm_string_groups_days():
    assert to_osm(parse("Mo-Fr 09:00-12:00; Sa 09:00-12:00")) == "Mo-Sa 09:00-12:00"
    assert to_osm(parse("Mo,We 14:00-18:00")) == "Mo,We 14:00-18:00"
    assert to_osm(Hours()) == ""


@given(st.text(max_size=80))
def test_any_text_parses_without_raising(text):
    hours = parse(text)
    assert len(hours.days) == 7
    to_osm(hours)


@given(st.lists(st.sampled_from(["Mo", "Tu", "We", "Sa", "Mo-Fr", "PH", "off", "09:00-12:00", "14-18", ",",
                                 ";", " ", '"rdv"', "-", ":", "24/7", "12:00+", "Jan"]), max_size=12))
def test_any_token_soup_parses_without_raising(tokens):
    parse("".join(tokens))


@pytest.fixture(scope="module")
def paca_hours():
    path = NATIONAL / "hub-du-sud-paca-2023-05.json"
    if not path.exists():
        pytest.skip(f"{path} not available")
    records = json.loads(path.read_text(encoding="utf-8"))
    return [(r["commune"], r["horaires"]) for r in records if r.get("horaires")]


def test_every_real_paca_string_is_understood_at_least_in_part(paca_hours):
    assert len(paca_hours) == 409
    unknown = [text for _, text in paca_hours if not parse(text).known]
    assert unknown == []
    partly = [text for _, text in paca_hours if parse_reporting(text)[1]]
    assert len(partly) == 6  # "Sa 17:00", "12:00-14:00-17:00"… kept as text


def test_saturday_in_nice_is_found_in_real_strings(paca_hours):
    open_saturday = [text for commune, text in paca_hours if commune.lower() == "nice" and SA in parse(text).open_days()]
    assert open_saturday == [
        "Mo-Fr 08:30-17:30; Sa 09:00-12:00",
        "Tu-Fr 10:00-20:00,09:00-19:00; Mo,Sa 09:00-20:00; Su 09:00-19:00",
    ]
