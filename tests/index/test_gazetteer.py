"""The gazetteer answers the place names people type, on the committed data."""

from __future__ import annotations

import gzip
import math
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from index.gazetteer import (
    DATA_DIR,
    Commune,
    Departement,
    Gazetteer,
    load_gazetteer,
    read_aliases,
    read_localities,
)
from index.normalise import fold


@pytest.fixture(scope="module")
def gazetteer() -> Gazetteer:
    return load_gazetteer()


def names(communes: list[Commune]) -> list[str]:
    return [c.name for c in communes]


# -- communes --------------------------------------------------------------------------------


def test_toulouse_has_its_code_postcode_and_town_hall_point(gazetteer):
    toulouse = gazetteer.commune("31555")
    assert toulouse is not None
    assert toulouse.name == "Toulouse"
    assert toulouse.departement == "31"
    assert "31000" in toulouse.postcodes
    assert toulouse.population > 400_000
    assert math.isclose(toulouse.lat, 43.6, abs_tol=0.05)
    assert math.isclose(toulouse.lon, 1.44, abs_tol=0.05)


def test_all_of_france_is_there_not_only_occitanie(gazetteer):
    assert 34_000 < len(gazetteer.communes) < 36_000
    assert gazetteer.commune("13055").name == "Marseille"
    assert gazetteer.commune("16015").name == "Angoulême"
    assert gazetteer.commune("97411").departement == "974"
    assert gazetteer.commune("2A004").name == "Ajaccio"


def test_unknown_insee_code_is_none(gazetteer):
    assert gazetteer.commune("99999") is None


@pytest.mark.parametrize("typed", ["saint gaudens", fold("St-Gaudens"), fold("ST GAUDENS")])
def test_saint_gaudens_is_found_however_saint_is_written(gazetteer, typed):
    assert [c.insee for c in gazetteer.communes_named(typed)] == ["31483"]


def test_communes_named_puts_the_most_populous_first(gazetteer):
    saint_denis = gazetteer.communes_named("saint denis")
    assert len(saint_denis) > 1
    assert saint_denis[0].insee in {"93066", "97411"}  # the big ones, not a village of 300
    populations = [c.population for c in saint_denis]
    assert populations == sorted(populations, reverse=True)


def test_name_without_its_article_finds_the_commune_after_exact_names(gazetteer):
    assert names(gazetteer.communes_named("la bastide de besplas")) == ["La Bastide-de-Besplas"]
    assert names(gazetteer.communes_named("bastide de besplas")) == ["La Bastide-de-Besplas"]
    vernet = names(gazetteer.communes_named("vernet"))
    assert vernet[0] == "Vernet"  # the exact name wins over the Le Vernet
    assert "Le Vernet" in vernet
    villeneuve = names(gazetteer.communes_named("villeneuve"))
    assert villeneuve.index("La Villeneuve") > max(i for i, n in enumerate(villeneuve) if n == "Villeneuve")


def test_former_commune_name_leads_to_the_commune_it_joined(gazetteer):
    # Anctoville (Calvados) merged into Aurseulles in 2016.
    assert "Aurseulles" in names(gazetteer.communes_named("anctoville"))


def test_paris_arrondissements_answer_to_short_forms(gazetteer):
    assert names(gazetteer.communes_named("paris 15"))[0] == "Paris 15e Arrondissement"
    assert names(gazetteer.communes_named(fold("Paris 1er")))[0] == "Paris 1er Arrondissement"
    assert gazetteer.commune("75115").parent == "75056"
    assert names(gazetteer.communes_named("paris")) == ["Paris"]


def test_unknown_name_finds_nothing(gazetteer):
    assert gazetteer.communes_named("atelier informatique") == []
    assert gazetteer.communes_named("") == []


# -- typos -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "insee"),
    [
        ("toulouze", "31555"),
        ("carcasone", "11069"),
        ("montpelier", "34172"),
        ("tarbe", "65440"),
        ("perpigan", "66136"),
        ("bezier", "34032"),
        ("oulouse", "31555"),  # first letter lost
    ],
)
def test_commune_with_typo_is_understood(gazetteer, typed, insee):
    found = gazetteer.fuzzy_communes(typed)
    assert found, typed
    assert found[0][0].insee == insee
    assert 85 <= found[0][1] < 100


def test_exact_name_scores_100_in_fuzzy_search(gazetteer):
    commune, score = gazetteer.fuzzy_communes("muret")[0]
    assert (commune.insee, score) == ("31395", 100.0)


def test_fuzzy_search_does_not_match_a_short_name_inside_a_long_word(gazetteer):
    # WRatio would give "toulouze" to Uz; fuzz.ratio does not.
    assert "Uz" not in names([c for c, _ in gazetteer.fuzzy_communes("toulouze", limit=50)])
    assert gazetteer.fuzzy_communes("atelier informatique") == []


def test_fuzzy_results_are_best_first_then_most_populous(gazetteer):
    found = gazetteer.fuzzy_communes("montpelier", limit=10)
    keys = [(-score, -c.population) for c, score in found]
    assert keys == sorted(keys)
    assert len(found) <= 10


def test_fuzzy_search_respects_the_cutoff(gazetteer):
    assert gazetteer.fuzzy_communes("toulouze", cutoff=95) == []
    assert all(score >= 70 for _, score in gazetteer.fuzzy_communes("toulouze", cutoff=70, limit=20))


def test_a_short_name_is_a_commune_of_its_own_and_not_a_prefix(gazetteer):
    assert gazetteer.communes_named("saint orens") != []  # Saint-Orens, Gers
    assert gazetteer.communes_named("saint orens de") == []


def test_communes_starting_finds_longer_names_most_populous_first(gazetteer):
    found = gazetteer.communes_starting("saint orens")
    assert found[0].name == "Saint-Orens-de-Gameville"
    assert {"Saint-Orens-Pouy-Petit", "Saint-Orens"} <= set(names(found))
    assert len(gazetteer.communes_starting("saint", limit=3)) == 3
    assert gazetteer.communes_starting("villefranche de rouergue")[0].insee == "12300"


# -- postcodes -------------------------------------------------------------------------------


def test_postcode_finds_the_communes_it_serves(gazetteer):
    assert names(gazetteer.by_postcode("31000")) == ["Toulouse"]
    assert names(gazetteer.by_postcode("34500"))[0] == "Béziers"
    assert "Bagnères-de-Bigorre" in names(gazetteer.by_postcode("65200"))
    assert names(gazetteer.by_postcode("65200"))[0] == "Bagnères-de-Bigorre"
    assert gazetteer.by_postcode("00000") == []


def test_arrondissement_postcode_also_gives_the_city(gazetteer):
    assert names(gazetteer.by_postcode("13001")) == ["Marseille", "Marseille 1er Arrondissement"]


# -- départements ----------------------------------------------------------------------------


def test_all_departements_including_overseas(gazetteer):
    codes = {d.code for d in gazetteer.departements}
    assert len(codes) == 101
    assert {"01", "09", "2A", "2B", "31", "95", "971", "972", "973", "974", "976"} <= codes
    assert gazetteer.departement("31") == Departement("31", "Haute-Garonne")


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("hte garonne", "31"),
        (fold("haute-garonne"), "31"),
        ("h garonne", "31"),
        ("la haute garonne", "31"),
        ("31", "31"),
        ("pyr or", "66"),
        ("pyrenees orientales", "66"),
        ("p o", "66"),
        ("l herault", "34"),
        ("herault", "34"),
        ("herrault", "34"),
        ("tarn et garonne", "82"),
        ("tarn garonne", "82"),
        ("tarn", "81"),
        ("09", "09"),
        ("9", "09"),
        ("2a", "2A"),
        ("ariege", "09"),
        ("le gers", "32"),
        ("la lozere", "48"),
        ("les hautes pyrenees", "65"),
        ("htes pyrenees", "65"),
        ("b du r", "13"),
        ("seine saint denis", "93"),
        (fold("Côtes-d'Armor"), "22"),
        ("reunion", "974"),
        ("la reunion", "974"),
        ("971", "971"),
    ],
)
def test_departement_is_found_by_name_short_form_or_number(gazetteer, typed, code):
    found = gazetteer.departement_named(typed)
    assert found is not None, typed
    assert found.code == code


@pytest.mark.parametrize("typed", ["", "20", "corse", "h s", "par", "vos", "h", "de la", "atelier"])
def test_departement_is_none_for_ambiguous_or_ordinary_words(gazetteer, typed):
    assert gazetteer.departement_named(typed) is None


def test_departement_bbox_holds_its_communes_and_not_its_neighbours(gazetteer):
    min_lat, min_lon, max_lat, max_lon = gazetteer.departement_bbox("31")
    toulouse = gazetteer.commune("31555")
    assert min_lat < toulouse.lat < max_lat
    assert min_lon < toulouse.lon < max_lon
    marseille = gazetteer.commune("13055")
    assert not (min_lat < marseille.lat < max_lat and min_lon < marseille.lon < max_lon)
    assert max_lat - min_lat < 2.0  # no town hall geocoded in the wrong region
    assert gazetteer.departement_bbox("9") == gazetteer.departement_bbox("09")
    assert gazetteer.departement_bbox("99") is None


def test_every_departement_bbox_is_compact(gazetteer):
    for dep in gazetteer.departements:
        min_lat, min_lon, max_lat, max_lon = gazetteer.departement_bbox(dep.code)
        assert max_lat - min_lat < 3.5, dep
        assert max_lon - min_lon < 4.5, dep


# -- coordinates -----------------------------------------------------------------------------


def test_nearest_commune_to_muret_town_hall_is_muret(gazetteer):
    muret = gazetteer.communes_named("muret")[0]
    assert gazetteer.nearest_commune(muret.lat + 0.002, muret.lon - 0.002) == muret


def test_nearest_commune_works_overseas_and_far_out(gazetteer):
    assert gazetteer.nearest_commune(-21.115, 55.536).departement == "974"
    assert gazetteer.nearest_commune(0.0, 0.0) is not None  # at sea: still an answer
    assert gazetteer.nearest_commune(math.nan, 1.0) is None


@settings(max_examples=60, deadline=None)
@given(st.floats(41.3, 51.1), st.floats(-5.2, 9.6))
def test_nearest_commune_agrees_with_brute_force(gazetteer, lat, lon):
    coslat = math.cos(math.radians(lat))

    def distance(c: Commune) -> float:
        return (c.lat - lat) ** 2 + ((c.lon - lon) * coslat) ** 2

    expected = min(gazetteer.communes, key=distance)
    assert distance(gazetteer.nearest_commune(lat, lon)) == pytest.approx(distance(expected))


# -- data ------------------------------------------------------------------------------------


def test_committed_folded_names_match_the_current_fold():
    with gzip.open(DATA_DIR / "communes.tsv.gz", "rt", encoding="utf-8") as fh:
        next(fh)
        stale = [line for line in fh if fold(line.split("\t")[1]) != line.split("\t")[2]]
    assert stale == [], "fold() changed: run scripts/build_gazetteer.py"


def test_load_gazetteer_is_cached():
    assert load_gazetteer() is load_gazetteer()


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=40))
def test_lookups_take_any_text_without_raising(gazetteer, text):
    folded = fold(text)
    gazetteer.communes_named(folded)
    gazetteer.fuzzy_communes(folded)
    gazetteer.departement_named(folded)
    gazetteer.by_postcode(text)
    gazetteer.departement(text)


FIXTURES = Path(__file__).parent / "fixtures"


def test_names_people_use_and_neighbourhoods_are_read_from_their_data_files():
    toulouse = Commune("31555", "Toulouse", "31", ("31000",), 43.6, 1.44, 500000)
    gaz = Gazetteer([toulouse], [Departement("31", "Haute-Garonne"), Departement("66", "Pyrénées-Orientales")],
                    aliases=read_aliases(FIXTURES / "aliases.tsv"),
                    localities=read_localities(FIXTURES / "localities.tsv"))
    assert [(a.target_kind, a.target) for a in gaz.aliases("tlse")] == [("commune", "31555")]
    assert [(a.target_kind, a.target) for a in gaz.aliases("p o")] == [("departement", "66")]
    assert [spot.name for spot in gaz.localities("izards")] == ["Les Izards"]  # said without its article
    assert gaz.localities("gare matabiau")[0].lat == pytest.approx(43.6112)
    assert gaz.aliases("toulouse") == [] and gaz.localities("paillade") == []


def test_a_names_file_with_other_columns_is_refused(tmp_path):
    bad = tmp_path / "aliases.tsv"
    bad.write_text("name\tcommune\nTlse\t31555\n", encoding="utf-8")
    with pytest.raises(ValueError, match="unexpected columns"):
        read_aliases(bad)
