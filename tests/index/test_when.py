"""Time words: « ouvert maintenant », « demain », « ce matin », « après 17 h » become a moment to rank by."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

import pytest

from index.conversation import Conversation
from index.normalise import fold
from index.open_now import PARIS
from index.places import DAYS
from index.rank import MET, days_status
from index.understand import parse
from tests.conftest import WEDNESDAY_MORNING


@pytest.fixture(scope="module")
def lexicon(real_engine):
    return real_engine.store.lexicon


@pytest.mark.parametrize(("text", "days", "when"), [
    ("ouvert maintenant à Toulouse", (2,), ("ouvert maintenant", -1, -1)),
    ("atelier aujourd'hui", (2,), ("ouvert aujourd'hui", 0, 1440)),
    ("demain matin Auch", (3,), ("ouvert demain matin", 0, 720)),
    ("ce matin", (2,), ("ouvert ce matin", 0, 720)),
    ("cet après-midi Albi", (2,), ("ouvert cet après-midi", 720, 1440)),
    ("après 17 h Tarbes", (2,), ("ouvert après 17 h", 1020, 1440)),
    ("demain après 17h30", (3,), ("ouvert demain après 17 h 30", 1050, 1440)),
    ("atelier le samedi matin à Toulouse", (5,), ("ouvert le samedi matin", 0, 720)),
])
def test_time_words_are_understood_as_a_moment(lexicon, text, days, when):
    query = parse(text, lexicon, today=2)
    assert query.days == days and query.when == when
    assert query.name_words == ()
    assert when[0] in query.describe()


def test_open_now_ranks_only_places_open_at_that_moment(conversation):
    reply = conversation.handle("w1", "ouvert maintenant à Toulouse")  # Wednesday 10:30
    assert reply.text.startswith(f"{reply.matching} lieux ouverts maintenant à Toulouse (1 à 3)")
    assert all(card.open_now.startswith("Ouvert") for card in reply.cards if card.matches)


def test_a_follow_up_day_replaces_the_moment(conversation):
    conversation.handle("w2", "ouvert maintenant à Toulouse")
    reply = conversation.handle("w2", "et demain ?")
    assert "ouverts demain" in reply.text or "ouvert demain" in reply.text
    assert "maintenant" not in reply.text


def _says_open(text: str) -> bool:
    """A reader's rule (and the benchmark judge's): any text that does not say closed means open that day."""
    words = fold(text).split()
    return bool(words) and words[0] not in ("ferme", "fermee")


@pytest.mark.parametrize("phrase", ["ouvert le {day}", "lieu ouvert le {day} a tarbes"])
def test_every_real_day_text_that_does_not_say_closed_is_open_for_a_day_asked(real_engine, lexicon, phrase, capsys):
    entries = real_engine.store.entries
    words_only = set()
    for d, day in enumerate(DAYS):
        query = replace(parse(phrase.format(day=day), lexicon, today=2), area=None)
        assert query.days == (d,)
        for entry in entries:
            text = entry.place.hours.days[d].text
            if text.strip(" -"):  # "-" is the hub's blank, not a word
                assert (days_status(entry, query) == MET) is _says_open(text), text
            if _says_open(text) and not entry.place.hours.days[d].intervals:
                words_only.add(text)
    with capsys.disabled():
        print(f"\nday texts open with no times, open for a day asked: {sorted(words_only)}")
    assert "après-midi" in words_only


def test_a_day_whose_hours_are_words_is_open_that_day(real_engine):
    conversation = Conversation(real_engine, page_size=30, now=lambda: WEDNESDAY_MORNING)
    reply = conversation.handle("w3", "lieu ouvert le lundi à Tarbes")
    open_monday = [c.name for c in reply.cards if c.matches]
    assert any(name.startswith("Espace Public d'Initiatives Citoyennes") for name in open_monday)  # « après-midi »
    assert reply.text.startswith(f"{reply.matching} lieux ouverts le lundi à Tarbes")


@pytest.mark.parametrize(("hour", "text"), [
    (10, "ouvert maintenant à Tarbes"), (20, "ouvert maintenant à Tarbes"), (10, "ouvert cet après-midi à Tarbes"),
    (10, "démarches caf narbonne demain matin"), (20, "démarches caf narbonne ouvert maintenant"),
])
def test_time_words_rank_places_open_then_first_and_keep_the_others(real_engine, hour, text):
    moment = WEDNESDAY_MORNING.replace(hour=hour)
    conversation = Conversation(real_engine, page_size=50, now=lambda: moment)
    without = conversation.handle("t1", text.replace("ouvert maintenant", "").replace("ouvert cet après-midi", "")
                                  .replace("demain matin", ""))
    reply = conversation.handle("t2", text)
    assert sorted(c.id for c in reply.cards) == sorted(c.id for c in without.cards)  # nothing dropped
    flags = [c.matches for c in reply.cards]
    assert flags == sorted(flags, reverse=True) and sum(flags) == reply.matching  # open then, first, and counted
    if 0 < reply.matching < len(flags):
        assert reply.padded_label.startswith("Autres lieux à") and reply.padded_label.endswith("horaires non précisés")
    if "maintenant" in text:
        assert all(c.open_now.startswith("Ouvert") for c in reply.cards if c.matches)
        assert not any(c.open_now.startswith("Ouvert") for c in reply.cards if not c.matches)


def test_a_day_of_words_counts_for_its_part_of_the_day_only(real_engine):
    conversation = Conversation(real_engine, page_size=30, now=lambda: WEDNESDAY_MORNING)  # Wednesday 10:30
    afternoon = conversation.handle("p1", "ouvert cet après-midi à Tarbes")
    now = conversation.handle("p2", "ouvert maintenant à Tarbes")
    epic = "Espace Public d'Initiatives Citoyennes"
    assert any(c.name.startswith(epic) and c.matches for c in afternoon.cards)
    assert any(c.name.startswith(epic) and not c.matches for c in now.cards)


def test_places_closed_at_the_moment_asked_are_said_closed_not_undocumented(real_engine):
    morning = Conversation(real_engine, page_size=3, now=lambda: WEDNESDAY_MORNING)
    reply = morning.handle("c1", "ouvert maintenant à Tarbes")
    assert reply.padded_label == "Autres lieux à Tarbes, fermés à ce moment ou horaires non précisés"
    evening = Conversation(real_engine, page_size=30, now=lambda: WEDNESDAY_MORNING.replace(hour=21))
    reply = evening.handle("c2", "ouvert maintenant à Tarbes")
    assert reply.matching == 0 and len(reply.cards) == reply.total > 3
    assert reply.text == ("Rien de confirmé à Tarbes pour « ouvert maintenant » ; "
                          "ces lieux sont fermés à ce moment ou n'en disent rien :")
    assert any(c.open_now.startswith("Fermé") for c in reply.cards)
    saturday = morning.handle("c3", "ouvert le samedi à Narbonne")
    assert saturday.padded_label == "Autres lieux à Narbonne, fermés ce jour-là ou horaires non précisés"


@pytest.mark.parametrize("text", [
    "Bonjour, une dame qui vit dans la rue en ce moment cherche où consulter ses mails à Albi",
    "mon voisin est actuellement sans ordinateur et doit déclarer ses revenus, il habite Rodez",
    "elle doit maintenant faire sa demande de retraite en ligne, elle est à Foix",
])
def test_now_words_telling_the_persons_situation_are_no_moment(lexicon, text):
    query = parse(text, lexicon, today=2)
    assert query.when == () and query.days == ()


@pytest.mark.parametrize("text", ["maintenant à Tarbes", "un endroit qui ouvre en ce moment vers Albi pour imprimer",
                                  "c'est ouvert actuellement ?"])
def test_now_words_about_opening_or_alone_are_the_moment(lexicon, text):
    assert parse(text, lexicon, today=2).when == ("ouvert maintenant", -1, -1)


@pytest.mark.parametrize("text", ["atelier à partir de 14 ans Rodez", "après 20 minutes de bus, un ordinateur à Albi",
                                  "aide à partir de 18 euros par mois à Auch"])
def test_a_number_with_a_unit_after_apres_is_no_hour(lexicon, text):
    assert parse(text, lexicon, today=2).when == ()


def test_apres_17_heures_is_an_hour(lexicon):
    assert parse("ordinateur après 17 heures à Albi", lexicon, today=2).when == ("ouvert après 17 h", 1020, 1440)


@pytest.mark.parametrize(("text", "dated"), [("ouvert maintenant", True), ("demain matin Auch", True),
                                             ("cet après-midi Albi", True), ("aujourd'hui", True),
                                             ("le samedi matin à Toulouse", False), ("ouvert le lundi", False)])
def test_today_tomorrow_and_now_are_dates_a_named_day_is_every_such_day(lexicon, text, dated):
    assert parse(text, lexicon, today=2).dated is dated


@pytest.mark.parametrize("text", ["ouvert maintenant à Tarbes", "ouvert aujourd'hui à Tarbes",
                                  "ouvert cet après-midi à Tarbes"])
def test_on_a_public_holiday_no_place_is_counted_open_today(real_engine, text):
    christmas = datetime(2026, 12, 25, 10, 30, tzinfo=PARIS)
    reply = Conversation(real_engine, page_size=30, now=lambda: christmas).handle("f1", text)
    assert reply.matching == 0 and len(reply.cards) == reply.total > 3  # still shown, none counted open
    assert reply.text.endswith("ces lieux sont fermés (jour férié) ou n'en disent rien :")
    assert all(c.open_now.startswith(("Fermé (jour férié)", "Horaires non renseignés")) for c in reply.cards)
    fridays = Conversation(real_engine, page_size=30, now=lambda: christmas).handle("f2", "ouvert le vendredi à Tarbes")
    assert fridays.matching > 0  # Fridays in general, not this one
