"""Scale benchmark: build, open, memory, reload stalls and search latency at 845 and 100,000 places.

    python tests/bench/bench_scale.py [--size 100000] [--rounds 3] [--fresh] [--load-seconds 30]

Corpora as in ``bench_search.py``: the real RhinOcc directory (../shared) and N synthetic
places derived from it. Each measurement runs in a child process of its own, so that its
RSS is its own. The N-place home is kept in the temp folder between runs (building it costs
minutes of a shared machine): ``--fresh`` builds it again.

Printed side by side:

- build: wall and CPU seconds, peak RSS of the building process;
- open: a cold start (gazetteer included) and a reload in a serving process (what a swap costs);
- serving RSS after the dev queries; search p50/p99 (understanding + search + first page of cards);
- the same queries on SQLite FTS5 (the query's words OR-ed, bm25): the baseline;
- at N places, the longest search while two reloads run beside a loop of searches, against
  the longest without one and the longest beside a thread as busy that is no reload (what
  sharing the interpreter and the cores costs, whatever the work); and the RSS after going back from N to 845 places, once the large
  version is retired, against a process that only ever served 845;
- ``load_webchat.py`` with 1 and with N workers (req/s, p50, p99, errors): ``--load-repeat`` runs of
  each, alternated, every run printed and the best of each kept (on a shared machine, the run
  others disturbed least).

Not collected by pytest; not run by CI.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).parent))

from bench_search import corpus, load_queries, peak_rss_mb, percentiles, run_fts5, search_latencies  # noqa: E402

from index.build import Loaded, build_version  # noqa: E402
from index.engine import Engine  # noqa: E402
from index.home import Home  # noqa: E402
from index.store import FORMAT, read_meta  # noqa: E402

LOAD = ROOT / "tests" / "bench" / "load_webchat.py"
STALL_QUERY = "atelier informatique auch"
"""The search looped during reloads: a département's worth of candidates, warm."""


def rss_mb() -> float:
    """Resident memory now (not the peak), in MB."""
    with open("/proc/self/status", encoding="ascii") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def twin(home: Home, version: Path) -> Path:
    """A second name for ``version`` (hard links), so that pointing at it makes services reload."""
    other = home.versions_dir / f"{version.name}-twin"
    if not other.exists():
        shutil.copytree(version, other, copy_function=os.link)
    return other


# --- children: each prints one JSON line ---------------------------------------------------

def child_build(size: int, home_dir: str) -> dict:
    places = corpus(size)
    shutil.rmtree(home_dir, ignore_errors=True)
    home = Home(Path(home_dir))
    wall, cpu = time.perf_counter(), time.process_time()
    version = build_version(home, Loaded(places=places, reports=[]))
    result = {"build_s": time.perf_counter() - wall, "build_cpu_s": time.process_time() - cpu,
              "build_rss_mb": peak_rss_mb(), "places": len(places)}
    home.install(version)
    if size:  # the small version beside the large one, for the way back
        home.install(build_version(home, Loaded(places=corpus(0), reports=[])))
        home.install(version)
    return result


def child_serve(home_dir: str, rounds: int) -> dict:
    home = Home(Path(home_dir))
    started = time.perf_counter()
    engine = Engine(home=home.path)
    cold = time.perf_counter() - started
    home.install(twin(home, home.current()))
    started = time.perf_counter()
    engine.refresh()
    reload_s = time.perf_counter() - started
    p50, p99 = search_latencies(engine, load_queries(), rounds)
    return {"places": len(engine.store.entries), "open_cold_s": cold, "open_s": reload_s, "p50_ms": p50,
            "p99_ms": p99, "rss_mb": rss_mb(), "peak_rss_mb": peak_rss_mb()}


def child_reload(home_dir: str) -> dict:
    """The longest search during reloads at N places; then the memory after going back to 845."""
    home = Home(Path(home_dir))
    big = home.current()
    small = next(p for p in home.versions() if read_meta(p)["places"] != read_meta(big)["places"])
    engine = Engine(home=home.path, retire_after=0.0)
    queries = load_queries()
    search_latencies(engine, queries, 1)
    query = engine.parse(STALL_QUERY, today=2)

    def loop(until: threading.Event | None, count: int = 300) -> list[float]:
        samples = []
        while (until is not None and not until.is_set()) or (until is None and len(samples) < count):
            t = time.perf_counter()
            engine.search(query)
            samples.append((time.perf_counter() - t) * 1000)
        return samples

    quiet = loop(None)
    done = threading.Event()
    opens = []

    def reload() -> None:
        for target in (twin(home, big), big):
            home.install(target)
            t = time.perf_counter()
            engine.refresh()
            opens.append(time.perf_counter() - t)
        done.set()

    thread = threading.Thread(target=reload)
    started = time.perf_counter()
    thread.start()
    during = loop(done)
    thread.join()
    # The control: a thread as busy for as long, doing plain Python work and no reload. What it
    # costs the searches is the machine's (two threads, one interpreter lock, shared cores).
    seconds, busy = time.perf_counter() - started, threading.Event()

    def spin() -> None:
        until = time.perf_counter() + seconds
        while time.perf_counter() < until:
            sum(i * i for i in range(1000))
        busy.set()

    thread = threading.Thread(target=spin)
    thread.start()
    control = loop(busy)
    thread.join()
    served_big = rss_mb()
    home.install(small)
    engine.refresh()
    engine.refresh()  # retire_after=0: the large version is closed now
    search_latencies(engine, queries, 1)
    home.install(big)
    return {"quiet_max_ms": max(quiet), "quiet_p50_ms": percentiles(quiet)[0], "stall_max_ms": max(during),
            "stall_p50_ms": percentiles(during)[0], "searches": len(during), "reload_s": max(opens),
            "control_max_ms": max(control), "control_p50_ms": percentiles(control)[0],
            "rss_big_mb": served_big, "rss_back_mb": rss_mb()}


def child_fts5(size: int, rounds: int) -> dict:
    places = corpus(size)
    return {"places": len(places), **run_fts5(places, load_queries(), rounds)}


CHILDREN = {"build": child_build, "serve": child_serve, "reload": child_reload, "fts5": child_fts5}


def run_child(*args: str, timeout: float = 900) -> dict:
    done = subprocess.run([sys.executable, __file__, "--child", *args], capture_output=True, text=True,
                          timeout=timeout)
    if done.returncode:
        raise SystemExit(f"child {args} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


# --- the web chat under load ------------------------------------------------------------------

LOAD_LINE = re.compile(r"(?:run (\d+)/\d+ )?workers=(\d+)\s+req/s=([\d.]+)\s+p50_ms=([\d.]+)\s+p99_ms=([\d.]+)\s+"
                       r"errors=(\d+)")


def load_runs(seconds: int, repeat: int) -> list[str]:
    """The lines of ``load_webchat.py`` with 1 and N workers: per run and per configuration's best,
    req/s, p50, p99 and errors."""
    workers = len(os.sched_getaffinity(0))
    done = subprocess.run([sys.executable, str(LOAD), "--workers", str(workers), "--clients", "50",
                           "--requests", "3000", "--seconds", str(seconds), "--repeat", str(repeat)],
                          capture_output=True, text=True, timeout=2 * repeat * seconds + 600)
    if done.returncode:
        return [f"load_webchat failed: {done.stderr[-500:]}"]
    lines = []
    for line in done.stdout.splitlines():
        found = LOAD_LINE.search(line)
        if found:
            run, n, rate, p50, p99, errors = found.groups()
            label = f"run {run}, " if run else "best, "
            lines.append(f"load_webchat {label}{n} worker(s): {rate} req/s, p50 {p50} ms, p99 {p99} ms, "
                         f"errors {errors}")
        elif line.startswith("throughput:"):
            lines.append(f"load_webchat {line}")
    return lines or [f"load_webchat: no figures in its output:\n{done.stdout[-1000:]}"]


# --- the table -------------------------------------------------------------------------------

def cached_home(size: int, fresh: bool) -> tuple[Path, dict | None]:
    """The kept N-place home and its build figures, or None when it must be built."""
    path = Path(tempfile.gettempdir()) / f"orienteur-bench-scale-{size}-format{FORMAT}"
    figures = path / "bench-build.json"
    if not fresh and figures.is_file() and Home(path).current() is not None:
        return path, json.loads(figures.read_text())
    return path, None


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--size", type=int, default=100_000, help="synthetic places (the large corpus)")
    ap.add_argument("--rounds", type=int, default=3, help="passes over the dev queries")
    ap.add_argument("--fresh", action="store_true", help="build the large home again, not the kept one")
    ap.add_argument("--load-seconds", type=int, default=30, help="wall time of each load_webchat configuration")
    ap.add_argument("--load-repeat", type=int, default=3, help="load_webchat runs per configuration")
    ap.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        kind, *rest = args.child
        values = [int(v) if v.isdigit() else v for v in rest]
        print(json.dumps(CHILDREN[kind](*values)))
        return 0

    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        small_home = str(Path(tmp) / "home-845")
        small_build = run_child("build", "0", small_home)
        rows.append(("orienteur", {**small_build, **run_child("serve", small_home, str(args.rounds))}, ""))
        rows.append(("fts5", run_child("fts5", "0", str(args.rounds)), ""))
        big_home, big_build = cached_home(args.size, args.fresh)
        note = "(kept build)" if big_build else ""
        if big_build is None:
            big_build = run_child("build", str(args.size), str(big_home), timeout=1800)
            (big_home / "bench-build.json").write_text(json.dumps(big_build))
        serve_big = run_child("serve", str(big_home), str(args.rounds))
        rows.append(("orienteur", {**big_build, **serve_big}, note))
        rows.append(("fts5", run_child("fts5", str(args.size), str(args.rounds)), ""))
        reload = run_child("reload", str(big_home))

    print(f"{'engine':10} {'places':>7} {'build s':>8} {'cpu s':>6} {'open s':>7} {'reload s':>8} {'p50 ms':>7} "
          f"{'p99 ms':>7} {'RSS MB':>7} {'peak MB':>7}")
    for kind, r, note in rows:
        print(f"{kind:10} {r['places']:7d} {r['build_s']:8.2f} {r.get('build_cpu_s', 0):6.1f} "
              f"{r.get('open_cold_s', 0):7.2f} {r.get('open_s', 0):8.2f} {r['p50_ms']:7.2f} {r['p99_ms']:7.2f} "
              f"{r['rss_mb']:7.0f} {r.get('peak_rss_mb', r['rss_mb']):7.0f} {note}")
    print()
    for i in range(0, len(rows), 2):
        (_, o, _), (_, f, _) = rows[i], rows[i + 1]
        print(f"{o['places']:7d} places: Orienteur / FTS5 — build x{o['build_s'] / f['build_s']:.1f}, "
              f"p50 x{o['p50_ms'] / max(f['p50_ms'], 1e-6):.1f}, p99 x{o['p99_ms'] / max(f['p99_ms'], 1e-6):.1f}")
    print()
    print(f"reload at {args.size} places beside a loop of '{STALL_QUERY}' ({reload['searches']} searches): "
          f"longest search {reload['stall_max_ms']:.1f} ms (p50 {reload['stall_p50_ms']:.1f}), without a reload "
          f"{reload['quiet_max_ms']:.1f} ms (p50 {reload['quiet_p50_ms']:.1f}), beside a busy thread that is not a "
          f"reload {reload['control_max_ms']:.1f} ms (p50 {reload['control_p50_ms']:.1f}); slowest reload "
          f"{reload['reload_s']:.2f} s")
    print(f"memory back from {args.size} to 845 places: {reload['rss_big_mb']:.0f} MB serving {args.size}, "
          f"{reload['rss_back_mb']:.0f} MB after its retirement; a process serving only 845: "
          f"{rows[0][1]['rss_mb']:.0f} MB")
    print()
    for line in load_runs(args.load_seconds, args.load_repeat):
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
