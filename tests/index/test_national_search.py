"""Other hubs' directories, in the national standard, searched like RhinOcc's, alone or merged."""

from __future__ import annotations

import sys

import pytest

from index.engine import Engine
from tests.support.homes import NATIONAL, REAL_CSV, REAL_PLACES, SHARED, build_home

PACA = NATIONAL / "hub-du-sud-paca-2023-05.json"
CHARENTE = NATIONAL / "charente-2023-07.json"


@pytest.fixture(scope="module")
def national_engine(tmp_path_factory) -> Engine:
    if not PACA.is_file():
        pytest.skip("../shared/data/national is not beside the project")
    return Engine(home=build_home(tmp_path_factory.mktemp("national"), [str(PACA), str(CHARENTE)]))


def top(engine: Engine, text: str, n: int = 3):
    return [h.entry for h in engine.ask(text, today=2).hits[:n]]


def test_procedures_in_a_city_of_another_region(national_engine):
    entries = top(national_engine, "aide démarches marseille")
    assert len(entries) == 3
    assert all(e.commune.startswith("marseille") and e.services & {"ACCDS", "ACCDA"} for e in entries)


def test_france_services_in_a_departement_of_another_region(national_engine):
    entries = top(national_engine, "france services charente", 5)
    assert len(entries) == 5
    assert all("16" in e.departements and "MFS" in e.labels for e in entries)


def test_open_on_saturday_in_nice_comes_before_places_with_no_hours(national_engine):
    entries = top(national_engine, "ouvert le samedi à nice", 5)
    assert [(e.commune, 5 in e.open_days) for e in entries[:2]] == [("nice", True), ("nice", True)]
    # Then places open on Saturday just around Nice, or in Nice with no hours: none known to be closed.
    assert all(e.commune == "nice" or 5 in e.open_days for e in entries)
    assert not any(e.hours_known for e in entries if 5 not in e.open_days)


def test_each_card_says_where_its_data_comes_from(national_engine):
    entry = top(national_engine, "atelier numerique angouleme", 1)[0]
    assert entry.place.source.startswith("charente-2023-07")


def bench_scores(engine: Engine) -> list[tuple[str, float | None, float | None]]:
    """(query id, nDCG@5, geo-violations) of every dev query, scored by the benchmark's own code."""
    sys.path.insert(0, str(SHARED / "bench"))
    from judge import Judge, load_queries
    from score import score_query

    judge = Judge.from_csv(str(REAL_CSV))
    rows = []
    for q in load_queries(str(SHARED / "bench" / "queries-dev.jsonl")):
        ids = [h.entry.place.id for h in engine.ask(q["q"], q.get("lat"), q.get("lon"), today=2).hits[:20]]
        scored = score_query(judge, q, ids, 5)
        rows.append((q["id"], scored["ndcg"], scored["geo"]))
    return rows


def test_merging_paca_leaves_the_occitanie_benchmark_scores_unchanged(real_engine, tmp_path):
    if not PACA.is_file():
        pytest.skip("../shared/data/national is not beside the project")
    merged = Engine(home=build_home(tmp_path / "merged", [str(REAL_CSV), str(PACA)]))
    assert len(merged.store.entries) == REAL_PLACES + 645  # PACA: 646 rows, one duplicate
    assert bench_scores(merged) == bench_scores(real_engine)
