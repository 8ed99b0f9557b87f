"""The names people use for places (index/data/aliases.tsv, localities.tsv) are well-formed data.

Each row must parse, point at a commune or département the gazetteer knows, lie where its
commune is, appear once, and name a source that index/data/README.md defines.
"""

from __future__ import annotations

import csv
import math
import re

import pytest

from index.gazetteer import DATA_DIR, Gazetteer, load_gazetteer
from index.normalise import fold

ALIAS_COLUMNS = ["alias", "target_kind", "target", "kind", "source"]
LOCALITY_COLUMNS = ["name", "kind", "insee", "lat", "lon", "radius_km", "source"]
ALIAS_KINDS = {"abbreviation", "short", "nickname", "former"}
LOCALITY_KINDS = {"quartier", "gare", "landmark"}
# How far from its commune's town hall a locality may lie: the largest communes of the data
# (Toulouse, Nîmes, Narbonne) reach about 10 km from their town hall.
MAX_KM_FROM_TOWN_HALL = 12.0
_DECIMAL_5 = re.compile(r"^-?\d{1,3}\.\d{5}$")


def read_tsv(name: str) -> tuple[list[str], list[dict[str, str]]]:
    with (DATA_DIR / name).open(encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE, strict=True)
        return list(reader.fieldnames or []), list(reader)


@pytest.fixture(scope="module")
def gazetteer() -> Gazetteer:
    return load_gazetteer()


@pytest.fixture(scope="module")
def aliases() -> list[dict[str, str]]:
    header, rows = read_tsv("aliases.tsv")
    assert header == ALIAS_COLUMNS
    return rows


@pytest.fixture(scope="module")
def localities() -> list[dict[str, str]]:
    header, rows = read_tsv("localities.tsv")
    assert header == LOCALITY_COLUMNS
    return rows


@pytest.fixture(scope="module")
def readme_sources() -> set[str]:
    """Source keys the README defines: the first cell of the rows of its tables headed "| Key |"."""
    keys: set[str] = set()
    in_key_table = False
    for line in (DATA_DIR / "README.md").read_text(encoding="utf-8").splitlines():
        if not line.startswith("|"):
            in_key_table = False
        elif line.startswith("| Key |"):
            in_key_table = True
        elif in_key_table and (key := re.match(r"^\| `([a-z0-9-]+)` \|", line)):
            keys.add(key[1])
    return keys


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Haversine distance."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    a = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    return 2 * 6371.0 * math.asin(math.sqrt(a))


# -- aliases.tsv ---------------------------------------------------------------------------------


def test_every_alias_row_has_all_its_fields_filled(aliases):
    assert aliases, "aliases.tsv is empty"
    for row in aliases:
        assert None not in row, row  # no extra column
        assert all(row[c] and row[c] == row[c].strip() for c in ALIAS_COLUMNS), row
        assert row["kind"] in ALIAS_KINDS, row
        assert row["target_kind"] in {"commune", "departement"}, row


def test_every_alias_targets_a_commune_or_departement_the_gazetteer_knows(aliases, gazetteer):
    for row in aliases:
        if row["target_kind"] == "commune":
            assert len(row["target"]) == 5 and gazetteer.commune(row["target"]), row
        else:
            assert gazetteer.departement(row["target"]), row


def test_an_alias_is_not_already_a_name_of_its_target_nor_another_communes_name(aliases, gazetteer):
    for row in aliases:
        named = gazetteer.communes_named(fold(row["alias"]))
        assert not named, f"{row['alias']} is already the name of {[c.name for c in named]}"
        assert gazetteer.departement_named(fold(row["alias"])) is None, row


def test_each_alias_appears_once_per_target(aliases):
    keys = [(fold(row["alias"]), row["target_kind"], row["target"]) for row in aliases]
    assert len(keys) == len(set(keys))


def test_each_alias_names_one_target_only(aliases):
    targets: dict[str, set[str]] = {}
    for row in aliases:
        targets.setdefault(fold(row["alias"]), set()).add(row["target"])
    assert {alias: found for alias, found in targets.items() if len(found) > 1} == {}


def test_every_alias_source_is_defined_in_the_readme(aliases, readme_sources):
    assert {row["source"] for row in aliases} <= readme_sources


# -- localities.tsv ------------------------------------------------------------------------------


def test_every_locality_row_parses(localities):
    assert localities, "localities.tsv is empty"
    for row in localities:
        assert None not in row, row
        assert all(row[c] and row[c] == row[c].strip() for c in LOCALITY_COLUMNS), row
        assert row["kind"] in LOCALITY_KINDS, row
        assert _DECIMAL_5.match(row["lat"]) and _DECIMAL_5.match(row["lon"]), row
        assert -90 <= float(row["lat"]) <= 90 and -180 <= float(row["lon"]) <= 180, row
        assert 0.1 <= float(row["radius_km"]) <= 5, row


def test_every_locality_lies_in_a_commune_the_gazetteer_knows(localities, gazetteer):
    for row in localities:
        commune = gazetteer.commune(row["insee"])
        assert commune is not None, row
        away = distance_km(float(row["lat"]), float(row["lon"]), commune.lat, commune.lon)
        assert away <= MAX_KM_FROM_TOWN_HALL, f"{row['name']} is {away:.1f} km from {commune.name}'s town hall"


def test_no_locality_is_named_only_like_its_own_commune(localities, gazetteer):
    # A station row named "Perpignan" would turn the city's name into the station's point.
    for row in localities:
        assert fold(row["name"]) != fold(gazetteer.commune(row["insee"]).name), row


def test_each_locality_appears_once_per_kind_and_commune(localities):
    keys = [(fold(row["name"]), row["kind"], row["insee"]) for row in localities]
    assert len(keys) == len(set(keys))


def test_every_locality_source_is_defined_in_the_readme(localities, readme_sources):
    assert {row["source"] for row in localities} <= readme_sources


def test_the_ten_largest_cities_of_occitanie_have_neighbourhoods_and_a_station(localities, gazetteer):
    occitanie = {"09", "11", "12", "30", "31", "32", "34", "46", "48", "65", "66", "81", "82"}
    largest = sorted(
        (c for c in gazetteer.communes if c.departement in occitanie and not c.parent),
        key=lambda c: -c.population,
    )[:10]
    kinds = {(row["insee"], row["kind"]) for row in localities}
    for city in largest:
        assert (city.insee, "quartier") in kinds, city.name
        assert (city.insee, "gare") in kinds, city.name


def test_people_find_the_paillade_the_mirail_and_matabiau_by_the_names_they_use(localities):
    named = {(fold(row["name"]), row["kind"], row["insee"]): row for row in localities}

    def km(a: dict[str, str], b: dict[str, str]) -> float:
        return distance_km(float(a["lat"]), float(a["lon"]), float(b["lat"]), float(b["lon"]))

    paillade, mosson = named[("la paillade", "quartier", "34172")], named[("mosson", "quartier", "34172")]
    assert km(paillade, mosson) < 2
    mirail, reynerie = named[("le mirail", "quartier", "31555")], named[("reynerie", "quartier", "31555")]
    assert km(mirail, reynerie) < 1.5
    station = named[("matabiau", "gare", "31555")]
    assert km(station, named[("toulouse matabiau", "gare", "31555")]) == 0
