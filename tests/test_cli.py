"""The orienteur command, run as a user runs it: a real process, a private home."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pytest

from index.asked import FILE, Asked, AskedLog
from index.settings import SAMPLE_SOURCE
from index.store import FORMAT
from tests.support.homes import REAL_CSV, REAL_PLACES, ROOT
from tests.support.http_source import closed_port

ORIENTEUR = [sys.executable, "-m", "index.cli"]
FORMAT1 = ROOT / "tests" / "index" / "fixtures" / "format1-version"


def run(args: list[str], home, stdin: str | None = None, **env) -> subprocess.CompletedProcess:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("ORIENTEUR_")}
    environ.update(ORIENTEUR_HOME=str(home), **env)
    return subprocess.run([*ORIENTEUR, *args], input=stdin, capture_output=True, text=True, env=environ,
                          cwd=ROOT, timeout=120)


def test_search_builds_the_sample_on_first_use(tmp_path):
    done = run(["search", "atelier", "--json"], tmp_path / "home", ORIENTEUR_SOURCE=str(SAMPLE_SOURCE))
    assert done.returncode == 0, done.stderr
    assert "building it from" in done.stderr
    out = json.loads(done.stdout)
    assert out["results"] and all(r["id"].startswith("Ex_") for r in out["results"])


def test_first_use_serves_the_real_snapshot_when_the_hub_is_unreachable(tmp_path):
    """A fresh install with the default settings and no way to the hub: the real directory, from
    the dated snapshot, and status says whose data it is, of when, and why the snapshot."""
    home = tmp_path / "home"
    unreachable = f"http://127.0.0.1:{closed_port()}/rhinocc.csv"
    done = run(["build"], home, ORIENTEUR_SOURCE=unreachable)
    assert done.returncode == 0, done.stderr
    assert f"{REAL_PLACES} places" in done.stdout
    status = run(["status"], home, ORIENTEUR_SOURCE=unreachable)
    assert "Données : RhinOcc, Hub pour l'inclusion numérique en Occitanie · données de novembre 2026" \
        in status.stdout
    assert "rhinocc-lieux-2026-11-30.csv" in status.stdout
    assert "the snapshot stood in for an unreachable source" in status.stdout
    assert "cannot reach the server" in status.stdout
    info = json.loads(run(["status", "--json"], home).stdout)
    assert info["data"]["date"] == "2026-11-30" and info["data"]["fallback"]["url"] == unreachable


def test_build_then_search_jsonl_writes_only_result_lines(tmp_path):
    home = tmp_path / "home"
    assert run(["build", "--source", str(REAL_CSV)], home).returncode == 0
    queries = "\n".join(json.dumps(q) for q in [
        {"id": "a", "q": "atelier informatique gers"},
        {"id": "b", "q": "autour de moi", "lat": 43.2328, "lon": 0.0781},
        {"id": "c", "q": ""},
        {"id": "d", "q": "maison france services grabels"},
    ])
    done = run(["search", "--jsonl", "--limit", "5"], home, stdin=queries + "\nnot json\n")
    assert done.returncode == 0, done.stderr
    lines = [json.loads(line) for line in done.stdout.splitlines()]
    assert [line["id"] for line in lines] == ["a", "b", "c", "d"]
    assert all(set(line) == {"id", "results", "took_ms"} for line in lines)
    assert lines[0]["results"][0]["id"].startswith("Ref_")
    assert "stdin line 5 skipped" in done.stderr
    assert all(len(line["results"]) == 5 for line in lines[:2])  # --limit counts places, one result each
    # One card is two rows of the directory (the France Services desk and the LAM of Grabels): one result.
    grabels = lines[3]["results"]
    assert grabels[0]["id"] == "Ref_0645" and grabels[0]["merged_ids"] == ["Ref_0522"]
    assert all(r["id"] != "Ref_0522" for r in grabels)
    as_json = json.loads(run(["search", "maison france services grabels", "--json"], home).stdout)
    assert as_json["results"][0] == grabels[0]
    assert "[Ref_0645 + Ref_0522]" in run(["search", "maison france services grabels"], home).stdout


def test_ask_prints_the_conversation_reply_in_french(tmp_path):
    home = tmp_path / "home"
    run(["build", "--source", str(REAL_CSV)], home)
    done = run(["ask", "coworking tournefeuille"], home)
    assert done.returncode == 0
    assert done.stdout.startswith("Rien à Tournefeuille pour « coworking » ; les plus proches :")
    assert "Pourquoi : Espace de co-working" in done.stdout  # the place's own words


def test_search_explain_prints_the_place_candidates_and_their_evidence(tmp_path):
    home = tmp_path / "home"
    run(["build", "--source", str(REAL_CSV)], home)
    done = run(["search", "--explain", "je suis au CCAS de Tarbes, la dame habite Lourdes"], home)
    assert done.returncode == 0
    lines = [line for line in done.stdout.splitlines() if "lieu :" in line]
    assert "Lourdes" in lines[0] and "lieu de la personne" in lines[0]
    assert any("Tarbes" in line and "lieu du demandeur" in line for line in lines)


@pytest.mark.parametrize("name", ["lieux-geocodes.csv", "lieux.csv"])
def test_check_reports_a_usable_file_and_exits_zero(tmp_path, name):
    done = run(["check", str(REAL_CSV.parent / name)], tmp_path)
    assert done.returncode == 0
    assert "845 places kept" in done.stdout.splitlines()[0]


def test_check_exits_non_zero_on_an_unusable_file(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_bytes(b"\x00\xff\x13garbage" * 50)
    done = run(["check", str(bad)], tmp_path)
    assert done.returncode == 1 and "unusable" in done.stderr


@pytest.mark.parametrize(("variable", "value"), [
    ("ORIENTEUR_PAGE_SIZE", "trois"), ("ORIENTEUR_PAGE_SIZE", "0"), ("ORIENTEUR_MAX_LOSS", "2"),
])
def test_bad_setting_is_named(tmp_path, variable, value):
    done = run(["search", "x"], tmp_path, **{variable: value})
    assert done.returncode == 1 and variable in done.stderr


def test_build_refuses_an_unusable_source_and_keeps_nothing_half_built(tmp_path):
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    home = tmp_path / "home"
    done = run(["build", "--source", str(empty)], home)
    assert done.returncode == 1 and "empty" in done.stderr
    assert not (home / "current").exists()


def test_search_on_a_home_in_the_pickle_format_says_so_and_rebuilds_it(tmp_path):
    home = tmp_path / "home"
    (home / "versions").mkdir(parents=True)
    shutil.copytree(FORMAT1, home / "versions" / FORMAT1.name)
    os.symlink(f"versions/{FORMAT1.name}", home / "current")
    # Its own source (data/rhinocc-exemple.csv, since moved): rebuilt from the configured one.
    done = run(["search", "atelier", "--json"], home, ORIENTEUR_SOURCE=str(SAMPLE_SOURCE))
    assert done.returncode == 0, done.stderr
    assert "written in stored format 1 (entries.pickle)" in done.stderr
    assert f"Rebuilding it from {SAMPLE_SOURCE}" in done.stderr
    assert json.loads(done.stdout)["results"]
    assert (home / "current").resolve().name.startswith(f"{FORMAT}-")


def test_report_writes_the_page_and_the_csv_files_of_the_served_version(tmp_path):
    home = tmp_path / "home"
    assert run(["build", "--source", str(REAL_CSV)], home).returncode == 0
    run(["ask", "démarches caf narbonne"], home)  # a maintainer's try: not counted
    asked = AskedLog(home / FILE)
    asked.record(Asked(need="Espace de co-working", area="Tournefeuille", outcome="far"))
    asked.close()  # written: the report runs in another process
    done = run(["report", "--out", str(tmp_path / "report.html"), "--csv", str(tmp_path / "csv"), "--days", "7"],
               home)
    assert done.returncode == 0, done.stderr
    page = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert f"{REAL_PLACES} lieux" in page and "Sur les 7 derniers jours : 1 question" in page
    assert sorted(p.name for p in (tmp_path / "csv").iterdir()) == [
        "demandes-sans-reponse.csv", "lignes-a-corriger.csv", "loin-de-l-aide.csv"]
    assert "Espace de co-working,Tournefeuille,far,1" in (tmp_path / "csv" / "demandes-sans-reponse.csv").read_text()
