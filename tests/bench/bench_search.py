"""Search benchmark: build time, peak memory and query latency, against an SQLite FTS5 baseline.

    python tests/bench/bench_search.py [--synthetic 100000] [--rounds 5]

Two corpora: the real RhinOcc directory (../shared) and a synthetic one of N places
derived from it (each real place copied into random communes of France, with their
coordinates), so that density and vocabulary stay realistic. For each corpus, in a child
process of its own (so that peak RSS is the corpus's own):

- Orienteur: index build time, peak RSS, and per-query latency over the benchmark's dev
  queries (understanding + search + the first page of cards), p50 and p99;
- the baseline: SQLite FTS5 over the same text, the query's words OR-ed, ranked by bm25.

Prints a table and the ratios Orienteur / baseline (machines are noisy: compare ratios).
Not collected by pytest; not run by CI.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import resource
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
WEDNESDAY = datetime(2026, 12, 2, 10, 30, tzinfo=ZoneInfo("Europe/Paris"))
"""The moment the cards are made for (open-now badges): a Wednesday morning, as ``today=2``."""

from index.build import Loaded, build_version  # noqa: E402
from index.conversation.replies import card  # noqa: E402
from index.engine import Engine  # noqa: E402
from index.gazetteer import load_gazetteer  # noqa: E402
from index.home import Home  # noqa: E402
from index.normalise import fold  # noqa: E402
from index.places import Address  # noqa: E402
from index.sources import read_source  # noqa: E402
from index.vocabulary import SERVICE_LABELS  # noqa: E402

SHARED = ROOT.parent / "shared"
REAL_CSV = SHARED / "data" / "rhinocc" / "lieux-geocodes.csv"
QUERIES = SHARED / "bench" / "queries-dev.jsonl"


def corpus(size: int | None, seed: int = 7):
    places = read_source(REAL_CSV).places
    if not size:
        return places
    rng = random.Random(seed)
    communes = [c for c in load_gazetteer().communes if c.postcodes]
    out = []
    for n in range(size):
        p = places[n % len(places)]
        c = rng.choice(communes)
        address = Address(street=p.address.street, postcode=c.postcodes[0], commune=c.name, insee=c.insee,
                          departement=c.departement)
        out.append(replace(p, id=f"{p.id}-{n}", address=address, lat=c.lat + rng.uniform(-0.01, 0.01),
                           lon=c.lon + rng.uniform(-0.01, 0.01)))
    return out


def load_queries():
    return [json.loads(line) for line in QUERIES.read_text(encoding="utf-8").splitlines() if line.strip()]


def percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))]


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_orienteur(places, queries, rounds: int) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        home = Home(Path(tmp))
        started = time.perf_counter()
        version = build_version(home, Loaded(places=places, reports=[]))
        build_s = time.perf_counter() - started
        home.install(version)
        started = time.perf_counter()
        engine = Engine(home=Path(tmp))
        open_s = time.perf_counter() - started
        p50, p99 = search_latencies(engine, queries, rounds)
        return {"build_s": build_s, "open_s": open_s, "p50_ms": p50, "p99_ms": p99, "rss_mb": peak_rss_mb()}


def search_latencies(engine: Engine, queries: list[dict], rounds: int) -> tuple[float, float]:
    """p50 and p99 in ms of understanding + search + the first page of cards, over ``rounds`` passes."""
    samples = []
    for _ in range(rounds):
        for q in queries:
            t = time.perf_counter()
            results = engine.ask(q["q"], q.get("lat"), q.get("lon"), today=2)
            [card(h, WEDNESDAY) for h in results.hits[:3]]
            samples.append((time.perf_counter() - t) * 1000)
    return percentiles(samples)


def run_fts5(places, queries, rounds: int) -> dict:
    db = sqlite3.connect(":memory:")
    started = time.perf_counter()
    db.execute("CREATE VIRTUAL TABLE p USING fts5(id UNINDEXED, name, organisation, kind, text, commune, "
               "tokenize='unicode61 remove_diacritics 2')")
    db.executemany("INSERT INTO p VALUES (?, ?, ?, ?, ?, ?)", [
        (p.id, p.name, p.organisation, " ".join([p.place_type, *(SERVICE_LABELS.get(s, s) for s in p.services)]),
         p.description, f"{p.address.commune} {p.address.postcode} {p.address.departement}") for p in places])
    db.commit()
    build_s = time.perf_counter() - started
    samples = []
    for _ in range(rounds):
        for q in queries:
            words = re.findall(r"[a-z0-9]+", fold(q["q"]))
            t = time.perf_counter()
            if words:
                match = " OR ".join(f'"{w}"' for w in words)
                db.execute("SELECT id FROM p WHERE p MATCH ? ORDER BY bm25(p) LIMIT 10", (match,)).fetchall()
            samples.append((time.perf_counter() - t) * 1000)
    p50, p99 = percentiles(samples)
    return {"build_s": build_s, "p50_ms": p50, "p99_ms": p99, "rss_mb": peak_rss_mb()}


def child(kind: str, size: int, rounds: int) -> None:
    places = corpus(size)
    queries = load_queries()
    run = run_orienteur if kind == "orienteur" else run_fts5
    print(json.dumps({"places": len(places), **run(places, queries, rounds)}))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--synthetic", type=int, default=100_000, help="size of the synthetic corpus (0: skip)")
    ap.add_argument("--rounds", type=int, default=5, help="passes over the dev queries")
    ap.add_argument("--child", nargs=2, metavar=("KIND", "SIZE"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        child(args.child[0], int(args.child[1]), args.rounds)
        return 0
    rows = []
    for size in [0] + ([args.synthetic] if args.synthetic else []):
        for kind in ("orienteur", "fts5"):
            done = subprocess.run([sys.executable, __file__, "--child", kind, str(size), "--rounds", str(args.rounds)],
                                  capture_output=True, text=True, check=True)
            rows.append((kind, json.loads(done.stdout.strip().splitlines()[-1])))
    print(f"{'engine':10} {'places':>7} {'build s':>8} {'open s':>7} {'p50 ms':>7} {'p99 ms':>7} {'peak RSS MB':>11}")
    for kind, r in rows:
        print(f"{kind:10} {r['places']:7d} {r['build_s']:8.2f} {r.get('open_s', 0):7.2f} {r['p50_ms']:7.2f} "
              f"{r['p99_ms']:7.2f} {r['rss_mb']:11.0f}")
    print()
    for i in range(0, len(rows), 2):
        (_, o), (_, f) = rows[i], rows[i + 1]
        print(f"{o['places']:7d} places: Orienteur / FTS5 — build x{o['build_s'] / f['build_s']:.1f}, "
              f"p50 x{o['p50_ms'] / max(f['p50_ms'], 1e-6):.1f}, p99 x{o['p99_ms'] / max(f['p99_ms'], 1e-6):.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
