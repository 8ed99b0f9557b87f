"""An index version on disk: built whole, opened whole, or refused."""

from __future__ import annotations

import json

import pytest

from index.errors import BuildError, IndexUnavailable
from index.places import Address, Place
from index.store import META_FILE, build, open_store


def place(**overrides) -> Place:
    values = {"id": "p1", "name": "Espace numérique", "address": Address(commune="Albi", departement="81"),
              "lat": 43.93, "lon": 2.15, "services": ("ORD",)}
    values.update(overrides)
    return Place(**values)


def test_a_built_version_opens_with_its_places_in_document_order(tmp_path):
    meta = build([place(), place(id="p2", name="Fablab")], tmp_path / "v1", {"version": "v1"})
    store = open_store(tmp_path / "v1")
    assert meta["places"] == 2 and [e.place.id for e in store.entries] == ["p1", "p2"]
    assert store.by_id["p2"].pos == 1 and store.by_code[("services", "ORD")] == [0, 1]
    assert json.loads((tmp_path / "v1" / META_FILE).read_text())["version"] == "v1"


def test_duplicate_ids_are_refused_before_anything_is_written(tmp_path):
    with pytest.raises(BuildError, match="duplicate place ids: p1"):
        build([place(), place()], tmp_path / "v1", {})
    assert not (tmp_path / "v1" / META_FILE).exists()


def test_a_folder_without_meta_is_not_a_version(tmp_path):
    build([place()], tmp_path / "v1", {})
    (tmp_path / "v1" / META_FILE).unlink()  # as after a build killed before its last write
    with pytest.raises(IndexUnavailable):
        open_store(tmp_path / "v1")


def test_a_damaged_version_is_unavailable_not_a_crash(tmp_path):
    build([place()], tmp_path / "v1", {})
    (tmp_path / "v1" / "entries.pickle").write_bytes(b"not a pickle")
    with pytest.raises(IndexUnavailable, match="unreadable"):
        open_store(tmp_path / "v1")


def test_building_into_a_used_folder_is_refused(tmp_path):
    (tmp_path / "v1").mkdir()
    (tmp_path / "v1" / "other").write_text("x")
    with pytest.raises(BuildError, match="not empty"):
        build([place()], tmp_path / "v1", {})
