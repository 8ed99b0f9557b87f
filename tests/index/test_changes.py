"""index.changes: places added, removed, and changed with the fields that changed, by id."""

from __future__ import annotations

from dataclasses import replace

from index.changes import ChangeReport, changed_fields, diff
from index.places import Address, Contact, Place


def place(pid: str, **overrides) -> Place:
    defaults = {"name": f"Lieu {pid}", "address": Address(postcode="31000", commune="Toulouse"),
                "lat": 43.6, "lon": 1.44}
    return Place(id=pid, **{**defaults, **overrides})


def test_added_removed_and_changed_are_told_apart_by_id():
    old = [place("a"), place("b"), place("c")]
    new = [place("b"), place("c", name="Espace C"), place("d")]
    report = diff(old, new)
    assert report.added == ["d"]
    assert report.removed == ["a"]
    assert report.changed == {"c": ["name"]}
    assert report.unchanged == 1
    assert (report.before, report.after) == (3, 3)


def test_nested_fields_are_named_with_dots():
    old = place("a")
    new = replace(old, address=replace(old.address, postcode="31200"), contact=Contact(email="x@y.fr"))
    assert changed_fields(old, new) == ["address.postcode", "contact.email"]


def test_source_name_alone_is_no_change():
    assert changed_fields(place("a", source="2022-01-20-export"), place("a", source="lieux-geocodes")) == []


def test_lost_coordinates_show_as_lat_and_lon():
    assert changed_fields(place("a"), place("a", lat=None, lon=None)) == ["lat", "lon"]


def test_summary_counts_fields_and_round_trips_through_a_dict():
    report = diff([place("a"), place("b")], [place("a", name="A"), place("b", name="B", lat=44.0)])
    assert report.summary()["fields"] == {"name": 2, "lat": 1}
    again = ChangeReport.from_dict(report.to_dict())
    assert again.to_dict() == report.to_dict()


def test_readable_lines_are_capped():
    report = diff([], [place(str(i)) for i in range(30)])
    lines = report.lines(limit=5)
    assert lines[0].startswith("+30 added, -0 removed, ~0 changed")
    assert lines[1].endswith("… and 25 more")


def test_first_build_adds_everything():
    report = diff([], [place("a")])
    assert report.summary() == {"before": 0, "after": 1, "added": 1, "removed": 0, "changed": 0,
                                "unchanged": 0, "fields": {}}
