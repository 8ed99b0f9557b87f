"""Load test of the web chat: the dev queries from many concurrent desks to POST /api/chat.

    python tests/bench/load_webchat.py [--clients 50] [--requests 3000] [--seconds 60] [--url URL]

Without ``--url`` it builds the real RhinOcc directory (../shared; the bundled sample when
absent) into a temporary home and starts ``orienteur serve`` on a free port of 127.0.0.1,
with the per-address rate limit lifted (every client here shares one address, which the
limit would rightly treat as a flood) and access logging at WARNING. With ``--url`` it
loads a server already running, on 127.0.0.1 or localhost only; 429 answers are counted.

Each client is one desk with its own session: it sends the next query of
../shared/bench/queries-dev.jsonl and, one time in three, "Plus de résultats" after it.
Bounded by ``--requests`` in all and ``--seconds`` of wall time, whichever comes first.
Prints requests per second, latency percentiles and the statuses seen.
Not collected by pytest; not run by CI.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit

import aiohttp

ROOT = Path(__file__).resolve().parents[2]
QUERIES = ROOT.parent / "shared" / "bench" / "queries-dev.jsonl"
REAL_CSV = ROOT.parent / "shared" / "data" / "rhinocc" / "lieux-geocodes.csv"
SAMPLE_CSV = ROOT / "data" / "exemple" / "rhinocc-exemple-fictif.csv"
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}


def load_queries(path: Path) -> list[dict]:
    queries = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            item = json.loads(line)
            body = {"message": item["q"]}
            if item.get("lat") is not None and item.get("lon") is not None:
                body.update(lat=item["lat"], lon=item["lon"])
            queries.append(body)
    return queries


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LocalServer:
    """``orienteur serve`` over a fresh home, on 127.0.0.1, for the length of the run."""

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        source = REAL_CSV if REAL_CSV.is_file() else SAMPLE_CSV
        self.env = {**os.environ, "ORIENTEUR_HOME": str(workdir / "home"), "ORIENTEUR_SOURCE": str(source),
                    "ORIENTEUR_RATE_LIMIT": "1000000", "ORIENTEUR_RATE_BURST": "1000000",
                    "ORIENTEUR_LOG_LEVEL": "WARNING"}
        self.orienteur = str(Path(sys.executable).with_name("orienteur"))
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = workdir / "serve.log"
        self.process: subprocess.Popen | None = None
        print(f"building {source.name} into {workdir / 'home'}…", file=sys.stderr)
        subprocess.run([self.orienteur, "build"], env=self.env, check=True, capture_output=True)

    def __enter__(self) -> LocalServer:
        with open(self.log, "wb") as out:
            self.process = subprocess.Popen([self.orienteur, "serve", "--host", "127.0.0.1", "--port",
                                             str(self.port)], env=self.env, stdout=out, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"orienteur serve died:\n{self.log.read_text()}")
            try:
                with urllib.request.urlopen(self.url + "/healthz", timeout=1):
                    return self
            except OSError:
                time.sleep(0.1)
        raise SystemExit(f"orienteur serve did not start:\n{self.log.read_text()}")

    def __exit__(self, *exc) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(10)


async def run(url: str, queries: list[dict], clients: int, total: int, seconds: float) -> dict:
    latencies: list[float] = []
    statuses: Counter[str] = Counter()
    ticket = itertools.count()
    deadline = time.monotonic() + seconds
    connector = aiohttp.TCPConnector(limit=clients)
    timeout = aiohttp.ClientTimeout(total=30)

    async def desk(n: int, http: aiohttp.ClientSession) -> None:
        session = None
        while time.monotonic() < deadline:
            i = next(ticket)
            if i >= total:
                return
            query = queries[i % len(queries)]
            body = {"more": True} if i % 3 == 2 and session else dict(query)
            if session:
                body["session"] = session
            started = time.perf_counter()
            try:
                async with http.post(url + "/api/chat", json=body) as response:
                    data = await response.json()
                    statuses[str(response.status)] += 1
                    if response.status == 200:
                        session = data.get("session", session)
            except (TimeoutError, aiohttp.ClientError) as exc:
                statuses[type(exc).__name__] += 1
            latencies.append(time.perf_counter() - started)

    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as http:
        started = time.perf_counter()
        await asyncio.gather(*(desk(n, http) for n in range(clients)))
        elapsed = time.perf_counter() - started
    latencies.sort()

    def pct(p: float) -> float:
        return latencies[min(len(latencies) - 1, int(p / 100 * len(latencies)))] * 1000

    return {"requests": len(latencies), "seconds": round(elapsed, 2),
            "req_per_s": round(len(latencies) / elapsed, 1),
            "p50_ms": round(pct(50), 1), "p90_ms": round(pct(90), 1), "p99_ms": round(pct(99), 1),
            "max_ms": round(latencies[-1] * 1000, 1), "mean_ms": round(statistics.fmean(latencies) * 1000, 1),
            "statuses": dict(statuses)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", help="A running web chat on 127.0.0.1 (default: start one).")
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--requests", type=int, default=3000, help="Requests in all, at most.")
    parser.add_argument("--seconds", type=float, default=60.0, help="Wall time, at most.")
    parser.add_argument("--queries", type=Path, default=QUERIES)
    args = parser.parse_args()
    if not 1 <= args.clients <= 200 or not 1 <= args.requests <= 100_000 or not 0 < args.seconds <= 600:
        parser.error("keep it bounded: 1-200 clients, 1-100000 requests, up to 600 s")
    queries = load_queries(args.queries)
    if args.url:
        if urlsplit(args.url).hostname not in LOCAL_HOSTS:
            parser.error("--url must point at 127.0.0.1 or localhost")
        result = asyncio.run(run(args.url.rstrip("/"), queries, args.clients, args.requests, args.seconds))
    else:
        with tempfile.TemporaryDirectory(prefix="orienteur-load-") as tmp, LocalServer(Path(tmp)) as server:
            result = asyncio.run(run(server.url, queries, args.clients, args.requests, args.seconds))
    print(f"{result['requests']} requests from {args.clients} clients in {result['seconds']} s: "
          f"{result['req_per_s']} req/s")
    print(f"latency ms: p50 {result['p50_ms']}  p90 {result['p90_ms']}  p99 {result['p99_ms']}  "
          f"max {result['max_ms']}  mean {result['mean_ms']}")
    print(f"statuses: {result['statuses']}")


if __name__ == "__main__":
    main()
