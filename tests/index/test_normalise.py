"""fold() and sound(): one normalisation for the index and the query."""

from __future__ import annotations

import pickle

import pytest
from hypothesis import given
from hypothesis import strategies as st

from index.analysis import french_analyzer, stems
from index.normalise import fold, sound


@pytest.mark.parametrize(("typed", "folded"), [
    ("ST-GAUDENS", "saint gaudens"), ("Ste Foy", "sainte foy"), ("l'Hérault", "l herault"),
    ("Œuvre  sociale", "oeuvre sociale"), ("Démarches CAF?!", "demarches caf"), ("", ""),
])
def test_fold_lowercases_transliterates_and_expands_saint(typed, folded):
    assert fold(typed) == folded


@given(st.text(max_size=200))
def test_fold_is_idempotent(text):
    assert fold(fold(text)) == fold(text)


@pytest.mark.parametrize(("sms", "word"), [
    ("mediatek", "mediatheque"), ("carcasone", "carcassonne"), ("toulouze", "toulouse"),
    ("montoban", "montauban"), ("franse", "france"),
])
def test_sms_spelling_shares_the_sound_key(sms, word):
    assert sound(sms) == sound(word)


def test_different_words_keep_different_sound_keys():
    assert sound("pamiers") != sound("papiers")
    assert sound("albi") != sound("auch")


def test_analyzer_pickles_with_the_index_and_stems_french():
    analyzer = pickle.loads(pickle.dumps(french_analyzer()))
    assert [t.text for t in analyzer("Médiathèques")] == [t.text for t in french_analyzer()("mediatheque")]
    assert stems("les ateliers informatiques") == ["ateli", "informat"]
