"""Engine.search on the real RhinOcc directory: the right places first, the area respected."""

from __future__ import annotations

import shutil
import sqlite3
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from index.engine import Engine
from index.rank import MET
from tests.support.homes import REAL_CSV, REAL_PLACES, build_home


def top(engine: Engine, text: str, n: int = 5, **location):
    return engine.ask(text, today=2, **location).hits[:n]


def test_service_in_a_departement_returns_places_there_offering_it(real_engine):
    hits = top(real_engine, "atelier informatique gers")
    assert len(hits) == 5
    for hit in hits:
        assert "32" in hit.entry.departements
        assert hit.entry.services & {"COMP", "ENT", "SENS"}


def test_named_place_comes_first_even_misspelt(real_engine):
    assert top(real_engine, "la rebouterie toulouse")[0].entry.place.id == "Ref_0457"
    assert top(real_engine, "mediatheque jose cabanis")[0].entry.place.id == "Ref_0256"
    assert {h.entry.place.id for h in top(real_engine, "cyberbase st gaudens", 2)} == {"Ref_0131", "Ref_0134"}


def test_nothing_in_the_commune_gives_the_nearest_alternatives_and_says_so(real_engine):
    results = real_engine.ask("coworking tournefeuille", today=2)
    assert results.widened
    hits = results.hits[:5]
    assert all("W" in h.entry.services for h in hits)
    distances = [h.distance_km for h in hits]
    assert distances == sorted(distances) and distances[-1] < 15


def test_places_meeting_the_need_inside_a_commune_come_first_then_only_those_just_around_it(real_engine):
    results = real_engine.ask("ordinateur carcassonne", today=2)
    assert not results.widened
    met_inside = [h for h in results.hits if h.inside and h.tier == 2]
    assert met_inside and results.hits[:len(met_inside)] == met_inside
    assert all(h.inside or h.distance_km < 15 for h in results.hits)


def test_a_commune_with_no_place_gives_the_nearest_places(real_engine):
    results = real_engine.ask("muret", today=2)
    assert results.hits and results.hits[0].entry.commune == "muret" or results.widened


def test_shared_location_ranks_by_distance(real_engine):
    hits = top(real_engine, "", 10, lat=43.6045, lon=1.4440)
    distances = [h.distance_km for h in hits]
    assert distances == sorted(distances) and distances[0] < 1


def test_opening_day_is_a_need(real_engine):
    hits = top(real_engine, "ouvert le samedi toulouse")
    assert all(5 in h.entry.open_days and h.tier == MET for h in hits)


def test_why_names_what_matched_in_the_places_own_words(real_engine):
    hit = top(real_engine, "atelier informatique le mercredi toulouse", 1)[0]
    assert "ouvert le mercredi" in hit.reasons
    assert any("Ateliers" in reason for reason in hit.reasons) and "atelier informatique" not in hit.reasons
    hit = top(real_engine, "scanner toulouse", 1)[0]
    assert "scanner" not in " ".join(hit.reasons).lower()
    assert any("Ordinateur" in reason for reason in hit.reasons)


def test_engine_switches_to_a_new_version_when_the_pointer_moves(sample_home, tmp_path):
    home = tmp_path / "home"
    shutil.copytree(sample_home, home, symlinks=True)
    engine = Engine(home=home)
    before = len(engine.store.entries)
    assert not engine.refresh()
    build_home(home, [str(REAL_CSV)])
    assert engine.refresh()
    assert len(engine.store.entries) == REAL_PLACES != before


def test_a_version_swapped_out_is_closed_once_its_searches_had_time_to_end(sample_home, tmp_path):
    home = tmp_path / "home"
    shutil.copytree(sample_home, home, symlinks=True)
    engine = Engine(home=home, retire_after=0.2)
    old = engine.store
    build_home(home, [str(REAL_CSV)])
    assert engine.refresh()
    assert old.entries[0].place.id  # a search begun before the swap still reads it
    time.sleep(0.3)
    engine.refresh()
    with pytest.raises(sqlite3.ProgrammingError):  # closed: its memory is free to go back
        old.entries[len(old.entries) - 1]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(max_size=200), lat=st.one_of(st.none(), st.floats(41, 46)),
       lon=st.one_of(st.none(), st.floats(-1, 5)))
def test_search_answers_any_text_with_a_well_formed_result(real_engine, text, lat, lon):
    location = {"lat": lat, "lon": lon} if lat is not None and lon is not None else {}
    results = real_engine.ask(text, today=0, **location)
    assert isinstance(results.hits, list) and results.took_ms >= 0
    for hit in results.hits:
        assert 0.0 <= hit.score <= 1.0 and hit.entry.place.id


def test_a_departement_with_no_place_listed_still_gets_the_nearest_answers(real_engine):
    results = real_engine.ask("atelier informatique dans le nord", today=2)
    assert results.widened and results.area_empty and results.hits
