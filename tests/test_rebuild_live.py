"""The rebuild job end to end, with real processes: ``orienteur serve`` answering while
``orienteur rebuild`` replays the real history, refuses broken sources, is killed mid-build,
and runs twice at once.

A client thread keeps querying the server the whole time; a request that fails or waits is a
failure of the swap. Expected change counts are computed here from the CSV files with the
standard library (ids) and from the reader's places compared field by field (changes), never
from ``index.changes``.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import os
import random
import signal
import subprocess
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from index.home import Home
from index.lock import LOCK_FILE
from index.rebuild import LAST_REPORT
from index.settings import SAMPLE_SOURCE, Settings
from index.store import META_FILE, is_complete
from tests.support.homes import REAL_CSV, REAL_PLACES, RHINOCC, ROOT, lone_ids, served_places
from tests.support.http_source import SourceServer, closed_port
from tests.support.serving import ORIENTEUR, Server, environ

JANUARY = RHINOCC / "history" / "2022-01-20-export.csv"
OCTOBER = RHINOCC / "history" / "2022-10-17-export.csv"
CURRENT = REAL_CSV
EDITED = "Ref_0002"
"""The place the SIGKILL tests rename: one no other row duplicates (checked by the first test using it)."""
PAUSE = 0.05
"""Seconds between the client's requests: steady traffic that leaves the rebuild some CPU."""
MAX_LATENCY = 2.0
"""Seconds a request may take while versions are swapped (they take ~10 ms otherwise)."""

pytestmark = pytest.mark.skipif(not JANUARY.is_file() or not CURRENT.is_file(),
                                reason="../shared/data/rhinocc is not beside the project")


# --- processes -----------------------------------------------------------------------------


def rebuild(home: Path, *args: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run([*ORIENTEUR, "rebuild", *args], capture_output=True, text=True,
                          env=environ(home, **env), cwd=ROOT, timeout=120)


def rebuild_report(home: Path, source: Path | str, *args: str) -> dict:
    done = rebuild(home, "--source", str(source), "--json", *args)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


class Client(threading.Thread):
    """Queries the server without pause, recording every failure, the slowest answer and versions."""

    QUERIES = ("atelier informatique", "france services toulouse", "médiathèque gers", "wifi gratuit montpellier",
               "aide démarches administratives", "cours informatique seniors perpignan")

    def __init__(self, server: Server) -> None:
        super().__init__(daemon=True)
        self.server = server
        self.stop = threading.Event()
        self.failures: list[str] = []
        self.versions: list[str] = []
        self.requests = 0
        self.slowest = 0.0

    def run(self) -> None:
        n = 0
        while not self.stop.wait(PAUSE):
            n += 1
            path = "/api/status" if n % 3 == 0 else \
                "/api/search?" + urllib.parse.urlencode({"q": self.QUERIES[n % len(self.QUERIES)]})
            started = time.monotonic()
            try:
                code, body = self.server.get(path, timeout=MAX_LATENCY * 5)
            except Exception as exc:  # any error is what this client is here to notice
                self.failures.append(f"{path}: {exc!r}")
                continue
            took = time.monotonic() - started
            self.requests += 1
            self.slowest = max(self.slowest, took)
            if code != 200:
                self.failures.append(f"{path}: HTTP {code} {body}")
            elif path == "/api/status" and (not self.versions or self.versions[-1] != body["version"]):
                self.versions.append(body["version"])
            elif path != "/api/status" and not body.get("cards"):
                self.failures.append(f"{path}: no cards: {body.get('reply')}")

    def finish(self) -> None:
        self.stop.set()
        self.join(30)


# --- expected changes, computed without index.changes ---------------------------------------


def csv_rows(path: Path) -> dict[str, dict[str, str]]:
    """Rows by id as the RhinOcc readme defines them: ``n_ref`` (``rh_id`` in 2022 rows without
    one), rows with an id and a name, the first of a repeated id."""
    rows: dict[str, dict[str, str]] = {}
    with open(path, newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            pid = (row.get("n_ref") or "").strip() or (row.get("rh_id") or "").strip()
            if pid and (row.get("nom") or "").strip() and pid not in rows:
                rows[pid] = row
    return rows


def changed_ids(before: Path, after: Path) -> set[str]:
    """Ids whose place, as the index holds it (duplicates merged), differs in any field but ``source``."""
    def places(path: Path) -> dict[str, dict]:
        out = {}
        for p in served_places(path):
            data = dataclasses.asdict(p)
            data.pop("source")
            out[p.id] = data
        return out

    a, b = places(before), places(after)
    return {pid for pid in a.keys() & b.keys() if a[pid] != b[pid]}


def check_report(report: dict, before: Path | None, after: Path) -> dict[str, int]:
    """The report's ids and fields against the rows (duplicate rows are one place, under the first's id)."""
    served_after = {p.id for p in served_places(after)}
    served_before = {p.id for p in served_places(before)} if before else set()
    new = {i: row for i, row in csv_rows(after).items() if i in served_after}
    old = {i: row for i, row in csv_rows(before).items() if i in served_before} if before else {}
    changes = report["changes"]
    assert set(changes["added"]) == new.keys() - old.keys()
    assert set(changes["removed"]) == old.keys() - new.keys()
    if before:
        changed = changes["changed"]
        assert set(changed) == changed_ids(before, after)
        kept = old.keys() & new.keys()
        lone = lone_ids(before) & lone_ids(after)  # a merged place's fields come from several rows
        for column, field in (("nom", "name"), ("nature_juridique", "legal_form"),
                              ("email_structure", "contact.email"), ("site_internet", "contact.website")):
            differ = {i for i in kept & lone if old[i][column].strip() != new[i][column].strip()}
            assert {i for i, fields in changed.items() if field in fields and i in lone} == differ, column
    summary = changes["summary"]
    assert summary["after"] == report["places"] == len(new)
    return {k: summary[k] for k in ("added", "removed", "changed", "unchanged")}


# --- the history replay -------------------------------------------------------------------


@pytest.mark.slow
def test_history_replay_switches_a_running_server_without_a_failed_request(tmp_path):
    """Counts are of places, duplicate rows merged (2022-01: 489 rows, 477 places; 2022-10: 850, 830)."""
    home = tmp_path / "home"
    first = rebuild_report(home, JANUARY)
    assert first["status"] == "rebuilt"
    assert check_report(first, None, JANUARY) == {"added": 477, "removed": 0, "changed": 0, "unchanged": 0}
    october, current = csv_rows(OCTOBER), csv_rows(CURRENT)
    arrivals = [(i, october[i]["nom"]) for i in october if i not in csv_rows(JANUARY)][:8]
    departures = [(i, october[i]["nom"]) for i in october if i not in current]

    with Server(home, tmp_path / "serve.log") as server:
        assert server.status()["version"] == first["served"]
        assert not any(pid in server.search_ids(name) for pid, name in arrivals)
        client = Client(server)
        client.start()
        try:
            second = rebuild_report(home, OCTOBER)
            assert second["status"] == "rebuilt" and not second["overridden"]
            assert check_report(second, JANUARY, OCTOBER) == \
                {"added": 353, "removed": 0, "changed": 189, "unchanged": 288}
            server.wait_for_version(second["served"])
            assert server.status()["places"] == 830
            assert any(pid in server.search_ids(name) for pid, name in arrivals)
            assert any(pid in server.search_ids(name) for pid, name in departures)

            third = rebuild_report(home, CURRENT)
            assert third["status"] == "rebuilt" and not third["overridden"]
            assert check_report(third, OCTOBER, CURRENT) == \
                {"added": 2, "removed": 13, "changed": 772, "unchanged": 45}
            server.wait_for_version(third["served"])
            assert server.status()["places"] == REAL_PLACES
            assert not any(pid in server.search_ids(name) for pid, name in departures)

            again = rebuild_report(home, CURRENT)
            assert again["status"] == "unchanged"
            time.sleep(1)  # a little more traffic on the final version
        finally:
            client.finish()
        assert client.failures == [], server.output()
        assert client.versions == [first["served"], second["served"], third["served"]]
        assert client.requests > 50
        assert client.slowest < MAX_LATENCY
    kept = json.loads((home / "versions" / third["served"] / "changes.json").read_text())
    assert kept["summary"]["removed"] == 13


# --- broken sources -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """A running server over the current directory, and an HTTP server holding the same file."""
    base = tmp_path_factory.mktemp("live")
    home = base / "home"
    report = rebuild_report(home, CURRENT)
    with Server(home, base / "serve.log") as server, SourceServer(CURRENT.read_bytes()) as files:
        yield home, server, files, report["served"]


def rewritten(transform) -> bytes:
    """The current directory with each row passed through ``transform(row)``."""
    with open(CURRENT, newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        header, rows = reader.fieldnames, [transform(dict(r)) for r in reader]
    out = io.StringIO()
    writer = csv.DictWriter(out, header, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode()


def without_points(row: dict) -> dict:
    return {**row, **dict.fromkeys(("lat", "lon", "BAN_latitude", "BAN_longitude"), "")}


def cut_inside_a_row() -> bytes:
    data = CURRENT.read_bytes()
    middle = data.index(b"\n", len(data) // 2) + 40
    return data[:middle]


def wrong_delimiter() -> bytes:
    header, *rows = CURRENT.read_text(encoding="utf-8").split("\n")
    return "\n".join([header, *(r.replace(",", ";") for r in rows)]).encode()


FILES = {
    "empty": (lambda: b"", "the file is empty"),
    "header only": (lambda: CURRENT.read_bytes().split(b"\n", 1)[0] + b"\n", "a header but no data rows"),
    "truncated": (cut_inside_a_row, "the file ends in the middle of a row"),
    "wrong delimiter": (wrong_delimiter, "no usable place in 845 rows .*ragged row"),
    "binary garbage": (lambda: random.Random(5).randbytes(200_000), "unrecognised format"),
    "coordinates lost": (lambda: rewritten(without_points), r"\d+ of the \d+ places with coordinates would lose"),
}
URLS = {
    "unreachable": (lambda files: f"http://127.0.0.1:{closed_port()}/lieux.csv", "cannot reach the server"),
    "http 500": (lambda files: files.url("/status/500"), "HTTP 500"),
    "announced too large": (lambda files: files.url("/file"), "announces 352830 bytes, more than the 100000"),
    "streamed too large": (lambda files: files.url("/stream"), "passed the 100000 bytes"),
}


def assert_refused_and_still_serving(done, reason: str, server: Server, version: str) -> None:
    import re

    assert done.returncode == 1, done.stdout + done.stderr
    assert re.search(reason, done.stderr), done.stderr
    assert f"Nothing changed: still serving {version}." in done.stderr
    assert server.status()["version"] == version
    assert server.search_ids("atelier informatique toulouse")


@pytest.mark.slow
@pytest.mark.parametrize("case", list(FILES))
def test_broken_file_is_refused_and_the_index_keeps_serving(served, tmp_path, case):
    home, server, _, version = served
    make, reason = FILES[case]
    source = tmp_path / "lieux.csv"
    source.write_bytes(make())
    done = rebuild(home, "--source", str(source))
    assert_refused_and_still_serving(done, reason, server, version)


@pytest.mark.slow
@pytest.mark.parametrize("case", list(URLS))
def test_broken_url_is_refused_and_the_index_keeps_serving(served, case):
    home, server, files, version = served
    make, reason = URLS[case]
    done = rebuild(home, "--source", make(files), ORIENTEUR_MAX_DOWNLOAD="100000", ORIENTEUR_DOWNLOAD_TIMEOUT="5")
    assert_refused_and_still_serving(done, reason, server, version)


@pytest.mark.slow
def test_url_source_is_built_then_unchanged_then_forced_from_the_kept_copy(served, tmp_path):
    _, _, files, _ = served
    home = tmp_path / "home"
    first = rebuild_report(home, files.url("/file"))
    assert first["status"] == "rebuilt" and first["places"] == REAL_PLACES
    second = rebuild_report(home, files.url("/file"))
    assert second["status"] == "unchanged"
    assert second["sources"][0]["not_modified"]
    forced = rebuild_report(home, files.url("/file"), "--force")
    assert forced["status"] == "rebuilt"
    assert forced["sources"][0]["not_modified"]


# --- SIGKILL ------------------------------------------------------------------------------


def edited_source(path: Path, name: str) -> Path:
    path.write_bytes(rewritten(lambda row: {**row, "nom": name} if row["n_ref"] == EDITED else row))
    return path


def start_rebuild(home: Path, source: Path, *args: str) -> subprocess.Popen:
    return subprocess.Popen([*ORIENTEUR, "rebuild", "--source", str(source), *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=environ(home), cwd=ROOT)


@pytest.mark.slow
def test_rebuild_killed_while_it_builds_leaves_the_index_serving_and_the_next_one_succeeds(served, tmp_path):
    assert EDITED in lone_ids(CURRENT)  # renamed, it stays one place of its own
    home, server, _, _ = served
    before = server.status()["version"]
    known = set(os.listdir(home / "versions"))
    source = edited_source(tmp_path / "lieux.csv", "Cyberbase Zoziau")
    proc = start_rebuild(home, source)
    deadline = time.monotonic() + 60
    building = None
    while building is None and time.monotonic() < deadline and proc.poll() is None:
        fresh = set(os.listdir(home / "versions")) - known
        building = next((home / "versions" / n for n in fresh), None)
        time.sleep(0.005)
    assert building is not None, proc.communicate()
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert not is_complete(building), "the build had finished: kill earlier"

    assert Home(home).current().name == before
    assert server.status()["version"] == before
    assert EDITED not in server.search_ids("cyberbase zoziau")
    time.sleep(1)  # a few reload intervals: nothing half-built gets picked up
    assert server.status()["version"] == before

    after = rebuild_report(home, source)
    assert after["status"] == "rebuilt"
    assert after["changes"]["changed"] == {EDITED: ["name"]}
    assert not building.exists()
    server.wait_for_version(after["served"])
    assert server.search_ids("cyberbase zoziau")[0] == EDITED


@pytest.mark.slow
def test_rebuild_killed_at_any_moment_never_breaks_the_index(served, tmp_path):
    home, server, _, _ = served
    for n, delay in enumerate((0.4, 1.4, 2.4, 3.4)):
        source = edited_source(tmp_path / f"lieux-{n}.csv", f"Cyberbase Kill {n}")
        proc = start_rebuild(home, source, "--force")
        time.sleep(delay)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        current = Home(home).current()
        assert current is not None and is_complete(current)
        code, _ = server.get("/api/search?q=atelier")
        assert code == 200
    final = rebuild_report(home, tmp_path / "lieux-0.csv")
    assert final["status"] == "rebuilt"
    server.wait_for_version(final["served"])
    versions = home / "versions"
    assert all((versions / n / META_FILE).is_file() for n in os.listdir(versions)), "leftovers remain"
    assert not list(home.glob(".current.*"))


# --- two at once --------------------------------------------------------------------------


@pytest.mark.slow
def test_two_rebuilds_at_once_build_exactly_once(served, tmp_path):
    """Both wait for the lock (the default); the one that comes second finds the sources unchanged."""
    home, server, _, _ = served
    source = edited_source(tmp_path / "lieux.csv", "Cyberbase Double")
    before = set(Home(home).history())
    procs = [start_rebuild(home, source, "--json") for _ in range(2)]
    outs = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], [err for _, err in outs]
    statuses = sorted(json.loads(out)["status"] for out, _ in outs)
    assert statuses == ["rebuilt", "unchanged"]
    assert len(set(Home(home).history()) - before) == 1
    server.wait_for_version(Home(home).current().name)


@pytest.mark.slow
def test_second_rebuild_that_will_not_wait_exits_3(served, tmp_path):
    home, _, _, _ = served
    source = edited_source(tmp_path / "lieux.csv", "Cyberbase Impatiente")
    first = start_rebuild(home, source)
    deadline = time.monotonic() + 60
    lock = home / LOCK_FILE
    while not lock.is_file() or lock.read_text().strip() != str(first.pid):
        assert time.monotonic() < deadline and first.poll() is None, first.communicate()
        time.sleep(0.01)
    second = rebuild(home, "--source", str(source), "--wait", "0")
    assert second.returncode == 3
    assert f"another rebuild is running (pid {first.pid})" in second.stderr
    assert first.wait(120) == 0


# --- --watch ------------------------------------------------------------------------------


@pytest.mark.slow
def test_watch_rebuilds_once_per_settled_change_until_stopped(tmp_path):
    home = tmp_path / "home"
    source = tmp_path / "lieux.csv"
    source.write_bytes(CURRENT.read_bytes())
    proc = subprocess.Popen([*ORIENTEUR, "rebuild", "--watch", "--source", str(source), "--interval", "0.1",
                             "--debounce", "0.5"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=environ(home), cwd=ROOT)
    try:
        def history_length(n: int, within: float = 60) -> None:
            deadline = time.monotonic() + within
            while len(Home(home).history()) < n:
                assert time.monotonic() < deadline and proc.poll() is None, f"history {Home(home).history()}"
                time.sleep(0.05)

        history_length(1)
        deadline = time.monotonic() + 60  # the version is installed first, its report written just after
        while not (home / LAST_REPORT).is_file():
            assert time.monotonic() < deadline and proc.poll() is None, "no report after the first rebuild"
            time.sleep(0.05)
        first = json.loads((home / LAST_REPORT).read_text())["started_at"]
        os.utime(source)  # touched, not changed: a look, no new version
        deadline = time.monotonic() + 60  # however loaded the machine, the look ends before the edit
        while json.loads((home / LAST_REPORT).read_text()).get("status") != "unchanged":
            assert time.monotonic() < deadline and proc.poll() is None, f"no look after the touch (first {first})"
            time.sleep(0.05)
        assert len(Home(home).history()) == 1
        data = rewritten(lambda row: {**row, "nom": "Cyberbase Veille"} if row["n_ref"] == EDITED else row)
        for part in range(1, 4):  # written in three goes: one rebuild
            source.write_bytes(data[: len(data) * part // 3])
            time.sleep(0.15)
        history_length(2)
        time.sleep(2)
        assert len(Home(home).history()) == 2
    finally:
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    assert out.count("Rebuilt:") == 2
    assert out.count("Unchanged:") == 1
    assert "Stopped watching." in err


@pytest.mark.slow
def test_status_tells_the_version_its_source_and_the_last_run(tmp_path):
    home = tmp_path / "home"
    empty = subprocess.run([*ORIENTEUR, "status"], capture_output=True, text=True, env=environ(home), cwd=ROOT)
    assert empty.returncode == 0 and "No index served" in empty.stdout
    settings = Settings.from_env(environ(home))
    from index.rebuild import run_rebuild

    report = run_rebuild(settings, [str(CURRENT)])
    done = subprocess.run([*ORIENTEUR, "status"], capture_output=True, text=True, env=environ(home), cwd=ROOT)
    assert done.returncode == 0, done.stderr
    assert f"Version:  {report.served}" in done.stdout
    assert f"{REAL_PLACES} places" in done.stdout
    assert f"Source:   {CURRENT} (rhinocc, 845 rows, 845 places, 0 skipped)" in done.stdout
    assert f"Changes:  +{REAL_PLACES} added, -0 removed, ~0 changed (0 -> {REAL_PLACES} places)" in done.stdout
    assert "Last run: rebuilt at" in done.stdout


# --- sources that lie or stall (the hardening attack) ------------------------------------------


def cut_on_a_row(data: bytes, keep: int = 300_231) -> int:
    """Where to cut ``data`` near ``keep`` bytes, just after a row: a file that looks whole."""
    return data.index(b"\n", keep) + 1


@pytest.mark.slow
def test_download_cut_short_is_refused_never_kept_and_the_whole_one_then_built(served, tmp_path):
    _, _, files, _ = served
    home = tmp_path / "home"
    assert rebuild_report(home, files.url("/file"))["places"] == REAL_PLACES
    files.cut = cut_on_a_row(files.body)
    try:
        for args in ((), ("--force",)):  # forcing cannot make a cut download whole
            done = rebuild(home, "--source", files.url("/short"), *args)
            assert done.returncode == 1, done.stdout + done.stderr
            assert f"the server announced {len(files.body)} bytes but sent {files.cut}" in done.stderr
            assert "Nothing changed" in done.stderr
        assert not list((home / "downloads").glob("*.body")) or \
            all(b.stat().st_size == len(files.body) for b in (home / "downloads").glob("*.body"))
        files.cut = len(files.body)
        whole = rebuild_report(home, files.url("/short"))
        assert whole["places"] == REAL_PLACES and not whole["sources"][0]["not_modified"]
    finally:
        files.cut = 0


@pytest.mark.slow
def test_trickling_source_is_cut_at_the_download_timeout(served, tmp_path):
    _, _, files, _ = served
    started = time.monotonic()
    done = subprocess.run([*ORIENTEUR, "rebuild", "--source", files.url("/trickle")], capture_output=True,
                          text=True, env=environ(tmp_path / "home", ORIENTEUR_DOWNLOAD_TIMEOUT="2"), cwd=ROOT,
                          timeout=30)
    assert done.returncode == 1
    assert "did not finish within 2 s (ORIENTEUR_DOWNLOAD_TIMEOUT)" in done.stderr
    assert time.monotonic() - started < 10  # 2 s of download and a process start, not the server's pace


@pytest.mark.slow
def test_admin_rebuild_from_a_trickling_source_answers_within_the_timeout(served, tmp_path):
    _, _, files, _ = served
    home = tmp_path / "home"
    rebuild_report(home, SAMPLE_SOURCE)
    # No snapshot to stand in: the answer is the download's own failure, not a rebuild from it.
    with Server(home, tmp_path / "serve.log", ORIENTEUR_SOURCE=files.url("/trickle"), ORIENTEUR_SNAPSHOT="",
                ORIENTEUR_DOWNLOAD_TIMEOUT="2", ORIENTEUR_ADMIN_TOKEN="s3cret-token") as server:
        started = time.monotonic()
        status, body = server.get("/admin/rebuild", timeout=30, data=b'{"force": true}',
                                  headers={"Authorization": "Bearer s3cret-token",
                                           "Content-Type": "application/json"})
        assert time.monotonic() - started < 5
        assert status == 422 and "did not finish within 2 s" in body["error"]
        # The lock was let go: the next run is refused for its source again, not for a held lock.
        assert server.get("/admin/rebuild", timeout=30, data=b"{}",
                          headers={"Authorization": "Bearer s3cret-token"})[0] == 422


@pytest.mark.slow
def test_load_with_rebuilds_from_lying_sources_fails_no_request_and_keeps_the_version(served, tmp_path):
    home, server, files, _ = served
    version = server.status()["version"]  # earlier tests of this module may have moved it
    files.cut = cut_on_a_row(files.body)
    nested = tmp_path / "nested.json"
    nested.write_text("[" * 5000 + "]" * 5000)
    clients = [Client(server) for _ in range(4)]
    for client in clients:
        client.start()
    try:
        lies = {files.url("/short"): "announced 352830 bytes but sent",
                files.url("/trickle"): "did not finish within 2 s",
                str(nested): "nested too deeply"}
        for source, cause in lies.items():
            done = rebuild(home, "--source", source, "--force", ORIENTEUR_DOWNLOAD_TIMEOUT="2")
            assert done.returncode == 1 and cause in done.stderr, done.stderr
            last = json.loads((home / LAST_REPORT).read_text())
            assert last["status"] == "failed" and cause in last["message"]
            assert last["served"] == version
        time.sleep(0.5)
    finally:
        files.cut = 0
        for client in clients:
            client.finish()
    assert [f for c in clients for f in c.failures] == [], server.output()
    assert {v for c in clients for v in c.versions} == {version}
    assert sum(c.requests for c in clients) > 40
    assert server.status()["version"] == version
