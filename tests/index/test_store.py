"""An index version on disk: built whole, opened whole, or refused."""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

import pytest

from index.errors import BuildError, IndexUnavailable, StaleFormat
from index.hours import parse_day
from index.places import Address, Contact, Hours, Place
from index.store import DB_FILE, FORMAT, META_FILE, build, open_store, read_places, read_source_rows

FORMAT1 = Path(__file__).parent / "fixtures" / "format1-version"


def place(**overrides) -> Place:
    values = {"id": "p1", "name": "Espace numérique", "address": Address(commune="Albi", departement="81"),
              "lat": 43.93, "lon": 2.15, "services": ("ORD",)}
    values.update(overrides)
    return Place(**values)


def test_a_built_version_opens_with_its_places_in_document_order(tmp_path):
    meta = build([place(), place(id="p2", name="Fablab")], tmp_path / "v1", {"version": "v1"})
    store = open_store(tmp_path / "v1")
    assert meta["places"] == 2 and [e.place.id for e in store.entries] == ["p1", "p2"]
    assert store.by_id["p2"].pos == 1 and list(store.by_code[("services", "ORD")]) == [0, 1]
    assert json.loads((tmp_path / "v1" / META_FILE).read_text())["version"] == "v1"


def test_duplicate_ids_are_refused_before_anything_is_written(tmp_path):
    with pytest.raises(BuildError, match="duplicate place ids: p1"):
        build([place(), place()], tmp_path / "v1", {})
    assert not (tmp_path / "v1" / META_FILE).exists()


def test_a_row_merged_into_a_place_finds_that_place_by_its_own_id(tmp_path):
    merged = place(name="Médiathèque / Espace numérique", merged_ids=("p7", "p9"))
    build([merged, place(id="p2", name="Fablab")], tmp_path / "v1", {})
    store = open_store(tmp_path / "v1")
    assert store.by_id["p7"].place == store.by_id["p9"].place == store.by_id["p1"].place == merged
    assert "p8" not in store.by_id and list(store.by_id) == ["p1", "p2"] and len(store.by_id) == 2
    assert read_places(tmp_path / "v1")[0].merged_ids == ("p7", "p9")
    with sqlite3.connect(tmp_path / "v1" / DB_FILE) as db:  # plain tables, readable by any SQLite client
        assert db.execute("SELECT id, pos FROM merged ORDER BY id").fetchall() == [("p7", 0), ("p9", 0)]


def test_a_merged_row_id_that_another_place_has_is_refused(tmp_path):
    with pytest.raises(BuildError, match="duplicate place ids: p2"):
        build([place(merged_ids=("p2",)), place(id="p2")], tmp_path / "v1", {})


def test_a_version_of_the_previous_format_is_refused_with_what_to_do(tmp_path):
    """Format 2 had no ``merged`` table: its versions are rebuilt (see test_rebuild), never half-read."""
    build([place()], tmp_path / "v1", {})
    meta = json.loads((tmp_path / "v1" / META_FILE).read_text())
    (tmp_path / "v1" / META_FILE).write_text(json.dumps({**meta, "format": FORMAT - 1}))
    with pytest.raises(StaleFormat, match=rf"stored format {FORMAT - 1};.*rebuild it from its sources"):
        open_store(tmp_path / "v1")


def test_a_folder_without_meta_is_not_a_version(tmp_path):
    build([place()], tmp_path / "v1", {})
    (tmp_path / "v1" / META_FILE).unlink()  # as after a build killed before its last write
    with pytest.raises(IndexUnavailable):
        open_store(tmp_path / "v1")


def test_a_damaged_version_is_unavailable_not_a_crash(tmp_path):
    build([place()], tmp_path / "v1", {})
    (tmp_path / "v1" / DB_FILE).write_bytes(b"not a database")
    with pytest.raises(IndexUnavailable, match="unreadable"):
        open_store(tmp_path / "v1")


def test_building_into_a_used_folder_is_refused(tmp_path):
    (tmp_path / "v1").mkdir()
    (tmp_path / "v1" / "other").write_text("x")
    with pytest.raises(BuildError, match="not empty"):
        build([place()], tmp_path / "v1", {})


def test_a_place_comes_back_from_a_version_as_it_went_in(tmp_path):
    full = place(organisation="Mairie", contact=Contact(phone="05 63 00 00 00", website="https://example.org"),
                 hours=Hours(days=(parse_day("9h-12h, 14h-17h"), *[parse_day("fermé")] * 4,
                                        parse_day("10h-12h"), parse_day(""))), publics=("SE", "JE"),
                 labels=("FS",), wifi=True, access=("gratuit",), description="Ateliers « débutants »")
    build([full, place(id="p2", lat=None, lon=None)], tmp_path / "v1", {})
    store = open_store(tmp_path / "v1")
    assert store.by_id["p1"].place == full and read_places(tmp_path / "v1")[0] == full
    assert store.entries[0].open_days == frozenset({0, 5}) and not store.entries[1].place.has_point
    assert [e.pos for e in store.entries[:2]] == [e.pos for e in store.entries] == [0, 1]
    assert "p3" not in store.by_id and [e.place.id for e in store.by_departement["81"]] == ["p1", "p2"]


def test_the_same_places_build_to_the_same_content_hash(tmp_path):
    places = [place(), place(id="p2", name="Fablab")]
    first = build(places, tmp_path / "a", {"built_at": "now"})
    again = build(places, tmp_path / "b", {"built_at": "later"})
    other = build([place(), place(id="p2", name="Fablab de Gaillac")], tmp_path / "c", {})
    assert first["content"] == again["content"] != other["content"]


def test_a_version_in_the_pickle_format_is_refused_with_what_to_do(tmp_path):
    old = shutil.copytree(FORMAT1, tmp_path / "old")
    with pytest.raises(StaleFormat, match=r"stored format 1 \(entries.pickle\).*rebuild it from its sources"):
        open_store(old)
    with pytest.raises(StaleFormat):
        read_places(old)


def test_opening_a_version_decodes_no_place_until_one_is_asked_for(tmp_path):
    build([place(), place(id="p2", name="Fablab"), place(id="p3")], tmp_path / "v1", {})
    store = open_store(tmp_path / "v1")
    assert store.entries.cached_ids() == []
    assert store.by_id["p2"].place.name == "Fablab"
    assert store.entries.cached_ids() == ["p2"]
    store.close()  # frees what was decoded
    assert store.entries.cached_ids() == []


def test_a_directory_that_fits_in_the_cache_is_decoded_ahead_of_the_first_search(tmp_path):
    build([place(), place(id="p2", name="Fablab"), place(id="p3")], tmp_path / "v1", {})
    store = open_store(tmp_path / "v1")
    assert store.entries.warm_all(seconds=5)
    assert sorted(store.entries.cached_ids()) == ["p1", "p2", "p3"]
    store.close()


def test_a_terms_postings_are_the_places_holding_it_read_once_per_version(tmp_path):
    build([place(), place(id="p2", name="Fablab"), place(id="p3", name="Fablab du Tarn")], tmp_path / "v1", {})
    store = open_store(tmp_path / "v1")
    found = store.postings("name", "fablab")
    assert sorted(store.entries[pos].place.id for pos in found) == ["p2", "p3"] and all(s > 0 for s in found.values())
    assert store.postings("name", "fablab") is found  # from memory the second time
    assert store.postings("name", "nowhere") == {}
    store.close()


def test_the_rows_as_listed_are_kept_beside_their_merged_place(tmp_path):
    """Two rows of one place are served as one, but the maintainers' report fixes both rows."""
    rows = [place(), place(id="p2", name="Espace numérique bis")]
    build([place(name="Espace numérique / Espace numérique bis")], tmp_path / "v1", {}, rows=rows)
    store = open_store(tmp_path / "v1")
    assert [e.place.id for e in store.entries] == ["p1"]
    assert read_source_rows(store) == rows
