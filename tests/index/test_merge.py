from pathlib import Path

import pytest

from index.places import Place
from index.sources import ReadResult, read_source
from index.sources.merge import merge

SHARED = Path(__file__).resolve().parents[3] / "shared" / "data"


def result(*ids, source=""):
    return ReadResult(places=[Place(id=i, name=f"Lieu {i}", source=source) for i in ids])


def test_ids_that_do_not_collide_are_kept():
    places = merge([("rhinocc", result("Ref_0001", "Ref_0002")), ("paca", result("dora-1", "dora-2"))])
    assert [p.id for p in places] == ["Ref_0001", "Ref_0002", "dora-1", "dora-2"]


def test_colliding_ids_are_prefixed_with_their_source_in_every_source():
    places = merge([("a", result("1", "2")), ("b", result("2", "3"))])
    assert [p.id for p in places] == ["1", "a:2", "b:2", "3"]
    assert len({p.id for p in places}) == len(places)


def test_prefixing_does_not_depend_on_the_order_of_sources():
    forward = {p.id for p in merge([("a", result("1", "2")), ("b", result("2", "3"))])}
    backward = {p.id for p in merge([("b", result("2", "3")), ("a", result("1", "2"))])}
    assert forward == backward


def test_prefixed_id_never_lands_on_an_existing_one():
    places = merge([("a", result("x")), ("b", result("x", "a:x"))])
    assert len({p.id for p in places}) == 3
    assert [p.id for p in places] == ["a:x#2", "b:x", "a:x"]


def test_same_source_name_twice_is_told_apart():
    places = merge([("lieux", result("1")), ("lieux", result("1"))])
    assert [p.id for p in places] == ["lieux:1", "lieux-2:1"]
    assert [p.source for p in places] == ["lieux", "lieux-2"]


def test_duplicate_inside_one_source_is_made_unique():
    places = merge([("a", result("1", "1"))])
    assert [p.id for p in places] == ["1", "a:1"]


def test_place_says_where_it_comes_from():
    places = merge([("rhinocc", result("1")), ("paca", result("2", source="hub-du-sud-paca (dora)"))])
    assert [p.source for p in places] == ["rhinocc", "hub-du-sud-paca (dora)"]


def test_nothing_to_merge():
    assert merge([]) == []


def test_rhinocc_and_paca_merge_without_losing_a_place():
    rhinocc_path = SHARED / "rhinocc" / "lieux-geocodes.csv"
    paca_path = SHARED / "national" / "hub-du-sud-paca-2023-05.json"
    if not (rhinocc_path.exists() and paca_path.exists()):
        pytest.skip("shared data not available")
    rhinocc, paca = read_source(rhinocc_path), read_source(paca_path)
    places = merge([("rhinocc", rhinocc), ("paca", paca)])
    assert len(places) == len(rhinocc.places) + len(paca.places) == 845 + 646
    assert len({p.id for p in places}) == len(places)
    assert [p.id for p in places[:845]] == [p.id for p in rhinocc.places]  # no collision: ids untouched
    assert {p.source for p in places[:845]} == {"lieux-geocodes"}
    assert all(p.source.startswith("hub-du-sud-paca-2023-05") for p in places[845:])
