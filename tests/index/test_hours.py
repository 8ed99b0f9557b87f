import csv
import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from index.hours import Week, day_parts, format_intervals, is_read, parse_day, week
from index.opening_hours import parse_reporting
from index.places import DayHours
from tests.support.homes import NATIONAL, REAL_CSV


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


@pytest.mark.parametrize(("text", "parts"), [
    ("après-midi", ((720, 1140),)),
    ("Le matin uniquement", ((0, 720),)),
    ("Apres midi sur RDV", ((720, 1140),)),
    ("en soirée", ((1080, 1440),)),
    ("matin et après-midi", ((0, 1140),)),
    ("Sur RDV", ()),
    ("Matinal", ()),
])
def test_parts_of_the_day_a_text_names_are_windows(text, parts):
    assert day_parts(text) == parts


def test_a_closed_word_followed_by_times_is_an_open_day():
    day = parse_day("fermé le matin, 14h-18h")
    assert day.is_open is True
    assert day.intervals == ((840, 1080),)


def test_nonsense_ranges_are_left_out():
    assert parse_day("18h-9h").intervals == ()
    assert parse_day("25h-26h").intervals == ()
    assert parse_day("10 centimes - 26 ans").intervals == ()


def test_format_intervals_in_french():
    assert format_intervals(((540, 750), (840, 1080))) == "9 h–12 h 30, 14 h–18 h"
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


# ---------- hours people can read ----------

WEEKDAYS = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")


def week_of(*texts: str):
    return week([parse_day(t) for t in texts])


def test_identical_days_collapse_and_formats_are_one():
    shown = week_of("8:30 - 12:00 / 14:00 - 17:00", "8h30-12h et 14h-17h", "8H30 - 12 h / 14 h - 17 h 00",
                    "8h30-12h 14h-17h", "8 h 30 - 12 h, 14 h - 17 h", "Fermé", "Fermé")
    assert shown.lines == (("lun.–ven.", "8 h 30–12 h, 14 h–17 h"), ("sam., dim.", "fermé"))


def test_a_remark_said_on_every_day_is_said_once_and_appointments_kept():
    shown = week_of("14h - 18h (sur RDV)", "14h-18h sur rdv", "", "", "", "", "")
    assert shown.lines == (("lun., mar.", "14 h–18 h"),)
    assert shown.remark == "Sur rendez-vous"


def test_different_remarks_stay_beside_their_day():
    shown = week_of("10h - 12h30 (permanence jeunes)", "14h-18h (sur RDV)", "", "", "", "", "")
    assert shown.lines == (("lun.", "10 h–12 h 30 (permanence jeunes)"), ("mar.", "14 h–18 h (sur rendez-vous)"))


def test_times_tied_to_words_are_shown_as_written():
    text = "De 14h à 19h en semaine hors vacances scolaires de 9h00 à 12h30 pendant les vacances scolaires"
    assert week_of(text, "", "", "", "", "", "").lines == (("lun.", text),)


def test_hours_given_as_one_free_text_are_kept():
    assert week([DayHours()] * 7, "Sur rendez-vous uniquement").remark == "Sur rendez-vous uniquement"
    assert week([DayHours()] * 7) == Week()


def _real_hours_texts() -> tuple[set[str], set[str]]:
    """Every distinct day text of the real RhinOcc directory, every distinct ``horaires`` of the national files."""
    if not REAL_CSV.is_file():
        pytest.skip("../shared/data is not beside the project")
    with open(REAL_CSV, encoding="utf-8", newline="") as f:
        days = {row[d] for row in csv.DictReader(f) for d in WEEKDAYS if row[d].strip()}
    national = set()
    for name in ("charente-2023-07.json", "hub-du-sud-paca-2023-05.json"):
        records = json.loads((NATIONAL / name).read_text(encoding="utf-8"))
        national |= {r["horaires"] for r in records if isinstance(r, dict) and r.get("horaires")}
    return days, national


def test_every_real_hours_text_is_normalised_without_loss(capsys):
    days, national = _real_hours_texts()
    unread = 0
    for text in sorted(days):
        day = parse_day(text)
        lines = week([day] * 7).lines
        shown = " ".join(h for _, h in lines)
        assert lines and shown  # no text lost: a day that says something shows something
        if day.is_open is False:
            assert shown == "fermé"
        unread += not is_read(day)
    unread_national = 0
    for text in sorted(national):
        hours, leftovers = parse_reporting(text)
        shown = week(hours.days, hours.text)
        assert shown.lines or shown.remark
        unread_national += bool(leftovers)
    with capsys.disabled():
        print(f"\nhours texts: {len(days)} RhinOcc day texts, {unread} not read as times or closed; "
              f"{len(national)} national 'horaires', {unread_national} partly not read")
    assert unread <= 10 and unread_national <= 10
