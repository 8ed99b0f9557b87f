"""Time words: « ouvert maintenant », « demain », « ce matin », « après 17 h » become a moment to rank by."""

from __future__ import annotations

import pytest

from index.understand import parse


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
