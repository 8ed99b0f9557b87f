"""parse(): what a messy French message is understood to ask for."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from index.understand import Query, parse
from index.vocabulary import ASKER_MARKERS, OUT_OF_SCOPE, PERSON_MARKERS, PLACE_WORDS_BEFORE, STREET_TYPES


@pytest.fixture(scope="module")
def lexicon(real_engine):
    return real_engine.store.lexicon


def ask(lexicon, text: str, lat=None, lon=None, today: int = 2) -> Query:
    return parse(text, lexicon, lat=lat, lon=lon, today=today)


def codes(query: Query, facet: str) -> set[str]:
    return {c for concept in query.concepts if concept.facet == facet for c in concept.codes}


def test_commune_with_typo_is_understood(lexicon):
    q = ask(lexicon, "toulouze aide demarches")
    assert q.area.kind == "commune" and q.area.communes == ("toulouse",)
    assert codes(q, "services") == {"ACCDS", "ACCDA"}


@pytest.mark.parametrize(("text", "code"), [
    ("atelier informatique hte garonne", "31"), ("ordi dans le 31", "31"), ("tout le tarn et garonne", "82"),
    ("ateliers pyr or", "66"), ("france services dans l'herault", "34"), ("ariege", "09"),
])
def test_departement_short_forms_are_understood(lexicon, text, code):
    q = ask(lexicon, text)
    assert q.area.kind == "departement" and q.area.departements == (code,)


def test_postcode_names_its_commune(lexicon):
    q = ask(lexicon, "ordinateur 65200")
    assert q.area.communes == ("bagneres de bigorre",)
    assert codes(q, "services") == {"ORD", "ORDM"}


def test_saint_abbreviation_and_hyphens_find_the_commune(lexicon):
    assert ask(lexicon, "cyberbase st gaudens").area.communes == ("saint gaudens",)
    assert ask(lexicon, "VILLEFRANCHE-DE-ROUERGUE").area.communes == ("villefranche de rouergue",)


def test_short_name_prefers_the_listed_commune_it_starts(lexicon):
    # "Saint-Orens" is also a small commune of the Gers, with no place listed.
    assert ask(lexicon, "fab lab st orens").area.communes == ("saint orens de gameville",)


def test_everyday_words_that_look_like_communes_are_not_read_as_places(lexicon):
    q = ask(lexicon, "besoin d'aide pour déclarer mes impôts en ligne à perpignan")
    assert q.area.communes == ("perpignan",)
    q = ask(lexicon, "bonjour, y a-t-il un fablab du côté de toulouse ?")
    assert q.area.communes == ("toulouse",) and codes(q, "services") == {"FL"}


def test_a_misspelt_place_name_is_corrected_to_the_directory_spelling_not_read_as_a_commune(lexicon):
    q = ask(lexicon, "la rebouterie")  # the place is "La Rebooterie"
    assert q.area is None and q.name_words == ("rebooterie",)


def test_repair_of_a_computer_asks_for_repairs_not_for_a_computer(lexicon):
    assert codes(ask(lexicon, "reparation ordinateur hte garonne"), "services") == {"REP"}
    assert codes(ask(lexicon, "réparer mon ordi à Albi"), "services") == {"REP"}


def test_sms_spelling_of_a_label_is_understood(lexicon):
    q = ask(lexicon, "montpelier franse service")
    assert codes(q, "labels") == {"MFS"} and q.area.communes == ("montpellier",)


def test_days_weekend_and_today(lexicon):
    assert ask(lexicon, "ouvert le samedi toulouse").days == (5,)
    weekend = ask(lexicon, "ouvert le week-end a albi")
    assert weekend.days == (5, 6) and weekend.any_day
    assert ask(lexicon, "ouvert aujourd'hui a tarbes", today=3).days == (3,)


def test_age_names_a_public(lexicon):
    q = ask(lexicon, "mon fils de 19 ans cherche de l'aide pour son cv, c'est où à narbonne ?")
    assert codes(q, "publics") == {"J"} and q.area.communes == ("narbonne",)
    assert not codes(q, "services")


def test_shared_location_with_near_me_is_the_centre(lexicon):
    q = ask(lexicon, "wifi autour de moi", lat=43.2328, lon=0.0781)
    assert q.area.kind == "point" and q.area.user_location and q.wifi


def test_near_a_commune_is_a_circle_around_it(lexicon):
    q = ask(lexicon, "france services près de Muret")
    assert q.area.kind == "point" and not q.area.user_location
    assert q.area.radius_km == 10 and codes(q, "labels") == {"MFS"}
    assert ask(lexicon, "atelier à moins de 25 km de Muret").area.radius_km == 25


def test_a_town_named_in_text_wins_over_the_shared_location(lexicon):
    q = ask(lexicon, "atelier a auch", lat=43.6, lon=1.44)
    assert q.area.kind == "commune" and q.area.communes == ("auch",)


def test_describe_says_in_french_what_was_understood(lexicon):
    assert ask(lexicon, "atelier informatique le samedi gers").describe() == \
        "atelier informatique · ouvert le samedi · Gers (32)"


@settings(max_examples=300, deadline=None)
@given(text=st.text(max_size=300), lat=st.one_of(st.none(), st.floats(allow_nan=True)),
       lon=st.one_of(st.none(), st.floats(allow_nan=True)), today=st.integers(-10, 10))
def test_parse_takes_any_text_and_coordinates(lexicon, text, lat, lon, today):
    q = parse(text, lexicon, lat=lat, lon=lon, today=today)
    assert isinstance(q, Query)
    assert isinstance(q.describe(), str)
    if q.area and q.area.lat is not None:
        assert math.isfinite(q.area.lat) and -90 <= q.area.lat <= 90
    assert all(0 <= d <= 6 for d in q.days)


def test_a_departement_word_in_a_place_name_is_not_a_departement_where_nothing_is_listed(lexicon):
    q = ask(lexicon, "Centre social Alliances & Cultures Cap Nord")
    assert q.area is None and "nord" in q.name_words
    assert ask(lexicon, "atelier dans le nord").area.departements == ("59",)


def test_a_month_is_not_a_day(lexicon):
    assert ask(lexicon, "ateliers en mars à Albi").days == ()
    assert ask(lexicon, "ouvert les samedis à Albi").days == (5,)


def test_a_commune_named_with_its_shared_postcode_is_the_one_meant(lexicon):
    assert ask(lexicon, "atelier Pouzac 65200").area.communes == ("pouzac",)


def test_time_of_day_words_do_not_become_place_names(lexicon):
    q = ask(lexicon, "atelier le samedi matin à Toulouse")
    assert q.name_words == () and q.days == (5,)


def test_a_misspelt_commune_the_gazetteer_lacks_does_not_break_parsing(lexicon):
    assert isinstance(ask(lexicon, "kastelnau montratier sainte alauzi"), Query)


# -- word tables: every entry through a phrasing of its own ------------------------------------

@pytest.mark.parametrize("term", OUT_OF_SCOPE, ids=lambda t: t.code)
def test_every_need_out_of_scope_is_recognised(lexicon, term):
    for words in term.words:
        q = ask(lexicon, f"je cherche {words} vers Rodez svp")
        assert term.code in q.off_topic, words


@pytest.mark.parametrize("marker", sorted(PERSON_MARKERS))
def test_every_person_marker_makes_the_town_the_persons(lexicon, marker):
    q = ask(lexicon, f"Je travaille au CCAS de Tarbes, une dame {marker} Lourdes, elle veut un atelier tablette")
    assert q.area.communes == ("lourdes",), marker


@pytest.mark.parametrize("marker", sorted(ASKER_MARKERS))
def test_every_asker_marker_makes_the_town_the_askers(lexicon, marker):
    q = ask(lexicon, f"je {marker} à Tarbes et un monsieur qui habite Lourdes cherche de l'aide pour la CAF")
    assert q.area.communes == ("lourdes",), marker


@pytest.mark.parametrize("street", sorted(STREET_TYPES))
def test_every_street_type_makes_the_next_name_a_streets(lexicon, street):
    q = ask(lexicon, f"une dame qui habite 4 {street} de Carcassonne à Limoux cherche de l'aide pour ses impôts")
    assert q.area is not None and q.area.communes == ("limoux",), street


@pytest.mark.parametrize("word", sorted(PLACE_WORDS_BEFORE - {"en", "chez", "commune", "ville", "region"}))
def test_every_place_word_makes_the_next_name_a_place_in_a_sentence(lexicon, word):
    q = ask(lexicon, f"ma voisine aimerait apprendre la tablette et le téléphone, elle est {word} foix")
    assert q.area is not None and "foix" in q.area.communes, word


def test_a_name_said_as_a_place_beats_the_same_word_used_as_a_word(lexicon):
    q = ask(lexicon, "mon père a un vieux portable, il voudrait apprendre à s'en servir, il habite Tarbes")
    assert q.area.communes == ("tarbes",)


def test_alternatives_said_with_ou_keep_both_communes(lexicon):
    q = ask(lexicon, "un atelier numérique pour ma mère, sur Auch ou à Condom, elle prend le bus")
    assert set(q.area.communes) == {"auch", "condom"}


def test_query_keeps_no_text_as_typed(lexicon):
    q = ask(lexicon, "Bonjour, je suis à la MDS de Muret, elle habite Lherm")
    assert not hasattr(q, "text")
    assert "Bonjour" not in repr(q) and "MDS" not in repr(q)


def test_a_large_town_written_with_a_few_of_its_letters_is_understood(lexicon):
    assert ask(lexicon, "aide caf tlse").area.communes == ("toulouse",)
    assert ask(lexicon, "ordi prpgn svp").area.communes == ("perpignan",)


@pytest.mark.parametrize("word", ["cv", "rdv", "pdf", "sms", "tel", "mail", "doc"])
def test_everyday_abbreviations_are_not_towns(lexicon, word):
    assert ask(lexicon, f"aide pour mon {word}").area is None


def test_around_a_named_town_is_not_around_me(lexicon):
    q = ask(lexicon, "un repair café autour de Montpellier ?")
    assert not q.near_me and q.area.kind == "point" and q.area.label == "autour de Montpellier"
    assert ask(lexicon, "un repair café autour ?").near_me


def test_a_word_inside_a_longer_need_is_not_a_typo_of_it(lexicon):
    q = ask(lexicon, "elle doit prendre rdv sur internet, et aller au marché à Rieumes")
    assert not codes(q, "services") & {"COMP", "SENS", "ACCDS"}


def test_the_words_that_introduced_the_place_are_not_echoed(lexicon):
    q = ask(lexicon, "mon père habite Sète et a besoin d'aide avec sa tablette")
    assert q.describe() == "tablette · Sète" and "ACCN" in codes(q, "services")


@pytest.mark.parametrize("word", ["aller", "allee", "rue", "vieux"])
def test_an_everyday_french_word_is_no_misspelt_commune(lexicon, word):
    assert lexicon.ordinary(word) and lexicon.sounding_towns(word) == []
    assert lexicon.correct_word(word) == word


@pytest.mark.parametrize(("word", "town"), [("mande", "mende"), ("tarbe", "tarbes"), ("lourde", "lourdes")])
def test_rare_forms_and_a_forgotten_silent_letter_stay_correctable(lexicon, word, town):
    assert town in lexicon.sounding_towns(word) or town in lexicon.listed_commune_like(word)


def test_an_everyday_word_spelt_as_a_commune_still_names_it_when_said_as_a_place(lexicon):
    assert ask(lexicon, "je cherche un atelier numérique à Orange").area.communes == ("orange",)


@pytest.mark.parametrize(("text", "code"), [("atelier dans le gerce", "32"), ("france services dans l'avairon", "12"),
                                            ("aide caf hérô", "34")])
def test_a_departement_written_as_it_sounds_is_understood(lexicon, text, code):
    assert ask(lexicon, text).area.departements == (code,)


def test_en_and_an_sound_alike_and_the_larger_listed_town_wins(lexicon):
    q = ask(lexicon, "ordi en accès libre à mande")
    assert q.area.communes == ("mende",)


def test_joined_glues_all_the_words_then_each_two_neighbours():
    from index.understand.steps import joined
    assert joined(("carca", "sone")) == ["carcasone"]
    assert joined(("ville", "franche", "de")) == ["villefranchede", "villefranche de", "ville franchede"]
    assert joined(("toulouse",)) == []


@pytest.mark.parametrize(("text", "commune"), [("atelier numérique carca sone", "carcassonne"),
                                               ("aide caf ville franche de rouergue", "villefranche de rouergue"),
                                               ("point numérique mont pelier", "montpellier")])
def test_a_commune_split_in_two_words_is_found(lexicon, text, commune):
    assert ask(lexicon, text).area.communes == (commune,)


def test_everyday_words_side_by_side_are_not_glued_into_a_commune(lexicon):
    assert ask(lexicon, "atelier bon repos").area is None  # Bonrepos is a commune, « bon repos » two words
