"""How long counting a question takes (it runs on the answer's path), and building the report.

    .venv/bin/python tests/bench/bench_asked.py [--count 2000] [--writers 3]

Prints the cost of one ``AskedLog.record`` on the answer's path (one process alone, then
``--writers`` processes at once on the same file, as web workers and the bot do) and of writing
a second's counts to the file (what the log's timer thread does), beside two baselines: the same
insert into an in-memory SQLite database (no file, no lock), and a commit per question into the
file (how questions were counted before they waited a second). Then the time to build and render
the report on the real directory (../shared), beside the time to open its store.
"""

from __future__ import annotations

import argparse
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from index.asked import SCHEMA, Asked, AskedLog  # noqa: E402

QUESTIONS = [Asked(need, area, outcome) for need in ("démarches", "ateliers", "Fablab")
             for area in ("Narbonne", "Gers (32)", "Tournefeuille") for outcome in ("answered", "far", "none")]
WRITER = """
import sys, time
from index.asked import Asked, AskedLog
log = AskedLog(sys.argv[1])
times = []
for n in range(int(sys.argv[2])):
    t = time.perf_counter()
    log.record(Asked("démarches", "Narbonne", "far" if n % 3 else "none"))
    times.append(time.perf_counter() - t)
log.close()
times.sort()
print(sum(times) / len(times), times[int(len(times) * 0.99)], times[-1])
"""


def micro(seconds: list[float]) -> str:
    seconds = sorted(seconds)
    return (f"mean {statistics.mean(seconds) * 1e6:7.0f} µs  p99 {seconds[int(len(seconds) * 0.99)] * 1e6:7.0f} µs  "
            f"max {seconds[-1] * 1e6:7.0f} µs")


def inserts(path: str, count: int) -> list[float]:
    """Each question inserted in its own transaction (autocommit) into the database at ``path``:
    ":memory:" (no file, no lock), or a file in WAL mode as the log's."""
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA journal_mode = WAL")  # in memory, it stays "memory"
    db.execute("PRAGMA synchronous = NORMAL")
    db.execute(SCHEMA)
    times = []
    for n in range(count):
        q = QUESTIONS[n % len(QUESTIONS)]
        t = time.perf_counter()
        db.execute("INSERT INTO asked VALUES ('2026-11-30', ?, ?, ?, 1) ON CONFLICT DO UPDATE SET count = count + 1",
                   (q.need, q.area, q.outcome))
        times.append(time.perf_counter() - t)
    db.close()
    return times


def alone(path: Path, count: int) -> tuple[list[float], float]:
    """Each ``record``, then the one ``write`` of them all."""
    log = AskedLog(path)
    times = []
    for n in range(count):
        t = time.perf_counter()
        log.record(QUESTIONS[n % len(QUESTIONS)])
        times.append(time.perf_counter() - t)
    t = time.perf_counter()
    log.write()
    written = time.perf_counter() - t
    log.close()
    return times, written


def together(path: Path, count: int, writers: int) -> tuple[float, list[list[float]]]:
    started = time.perf_counter()
    procs = [subprocess.Popen([sys.executable, "-c", WRITER, str(path), str(count)], cwd=ROOT,
                              stdout=subprocess.PIPE, text=True) for _ in range(writers)]
    results = [[float(x) for x in p.communicate(timeout=120)[0].split()] for p in procs]
    return time.perf_counter() - started, results


def report_timing() -> None:
    from index.engine import Engine
    from index.report import build_report
    from index.report.html import render
    from tests.support.homes import REAL_CSV, build_home

    if not REAL_CSV.is_file():
        print("report: ../shared/data/rhinocc is not beside the project, skipped")
        return
    home = build_home(Path(tempfile.mkdtemp()) / "home", [str(REAL_CSV)])
    t = time.perf_counter()
    engine = Engine(home=home)
    opened = time.perf_counter() - t
    runs = []
    for _ in range(3):
        t = time.perf_counter()
        page = render(build_report(engine.store, None, 30))
        runs.append(time.perf_counter() - t)
    print(f"report on {len(engine.store.entries)} places: {min(runs) * 1000:.0f} ms (best of 3), "
          f"{len(page) / 1e6:.2f} MB of HTML; baseline, opening the store: {opened * 1000:.0f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=2000)
    parser.add_argument("--writers", type=int, default=3)
    args = parser.parse_args()
    count = min(args.count, 20000)
    with tempfile.TemporaryDirectory() as tmp:
        print(f"baseline, in-memory insert: {micro(inserts(':memory:', count))}")
        print(f"baseline, a commit each:    {micro(inserts(str(Path(tmp) / 'each.sqlite3'), count))}")
        times, written = alone(Path(tmp) / "alone.sqlite3", count)
        print(f"record, one process:        {micro(times)}")
        print(f"  then writing the {count} questions: {written * 1000:.1f} ms (one transaction)")
        wall, results = together(Path(tmp) / "together.sqlite3", count // args.writers, args.writers)
        for n, (mean, p99, worst) in enumerate(results, 1):
            print(f"record, writer {n} of {args.writers}:      mean {mean * 1e6:7.0f} µs  p99 {p99 * 1e6:7.0f} µs  "
                  f"max {worst * 1e6:7.0f} µs")
        total = sum(c.count for c in AskedLog(Path(tmp) / "together.sqlite3").counts())
        print(f"  {total} questions counted by {args.writers} processes in {wall:.1f} s")
    report_timing()


if __name__ == "__main__":
    main()
