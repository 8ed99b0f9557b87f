"""Load test of the web chat: the dev queries from many concurrent desks to POST /api/chat.

    python tests/bench/load_webchat.py [--workers N] [--repeat K] [--clients 50] [--requests 3000] [--seconds 60]
                                       [--warmup 300] [--url URL]

Without ``--url`` it builds the real RhinOcc directory (../shared; the bundled sample when
absent) into a temporary home and starts ``orienteur serve --workers 1`` on a free port of
127.0.0.1, then ``--workers N`` (default: one per core) over the same home, with the
per-address rate limit and cap on new conversations lifted (every client here shares one
address, which the limits would rightly treat as a flood) and access logging at WARNING; one summary line per
configuration, side by side (the one-worker run is the baseline). With ``--url`` it loads
a server already running, on 127.0.0.1 or localhost only; 429 answers are counted.

Each client is one desk with its own session and its own keep-alive connection, as a browser
has: it sends the next query of ../shared/bench/queries-dev.jsonl and, one time in three, "Plus
de résultats" after it. The generator shares the cores with the server it measures, so its client
is as lean as Python allows (``Connection``): aiohttp's client took about 0.3 ms of CPU a request,
a sixth of what the server spends answering it.
Bounded by ``--requests`` in all and ``--seconds`` of wall time, whichever comes first, after
``--warmup`` requests sent the same way and not counted (a server just started, as any process,
runs its first requests slower: the figures are those of a server in service).
Prints requests per second, latency percentiles, errors (any answer but 200, and failed
requests) and the statuses seen. The summary lines keep their form (``workers=N req/s=…
p50_ms=… p99_ms=… errors=…``): other benchmarks read them.
Not collected by pytest; not run by CI.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import re
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
    """``orienteur serve --workers N`` over a fresh home, on 127.0.0.1, for the length of one run."""

    def __init__(self, workdir: Path, workers: int = 1) -> None:
        self.workdir, self.workers = workdir, workers
        source = REAL_CSV if REAL_CSV.is_file() else SAMPLE_CSV
        self.env = {**os.environ, "ORIENTEUR_HOME": str(workdir / "home"), "ORIENTEUR_SOURCE": str(source),
                    "ORIENTEUR_RATE_LIMIT": "1000000", "ORIENTEUR_RATE_BURST": "1000000",
                    "ORIENTEUR_MAX_NEW_SESSIONS": "1000000", "ORIENTEUR_LOG_LEVEL": "WARNING"}
        self.orienteur = str(Path(sys.executable).with_name("orienteur"))
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = workdir / "serve.log"
        self.process: subprocess.Popen | None = None
        if not (workdir / "home" / "current").exists():
            print(f"building {source.name} into {workdir / 'home'}…", file=sys.stderr)
            subprocess.run([self.orienteur, "build"], env=self.env, check=True, capture_output=True)

    def __enter__(self) -> LocalServer:
        with open(self.log, "wb") as out:
            self.process = subprocess.Popen([self.orienteur, "serve", "--host", "127.0.0.1", "--port",
                                             str(self.port), "--workers", str(self.workers)],
                                            env=self.env, stdout=out, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"orienteur serve died:\n{self.log.read_text()}")
            try:
                with urllib.request.urlopen(self.url + "/healthz", timeout=1):
                    time.sleep(1.0 if self.workers > 1 else 0)  # every worker up, not only the first
                    return self
            except OSError:
                time.sleep(0.1)
        raise SystemExit(f"orienteur serve did not start:\n{self.log.read_text()}")

    def cpu_seconds(self) -> float:
        """CPU time the command and its workers have used so far (Linux), to compare per request."""
        pids = [self.process.pid]
        try:
            pids += map(int, Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children").read_text().split())
            ticks = 0
            for pid in pids:
                fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
                ticks += int(fields[11]) + int(fields[12])  # utime, stime
        except OSError:
            return float("nan")
        return ticks / os.sysconf("SC_CLK_TCK")

    def __exit__(self, *exc) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(30)


CONTENT_LENGTH = re.compile(rb"\r\ncontent-length:[ \t]*(\d+)", re.IGNORECASE)
CLOSE = re.compile(rb"\r\nconnection:[ \t]*close", re.IGNORECASE)


class Connection:
    """One desk's keep-alive HTTP/1.1 connection: a request written whole, its answer read by its
    Content-Length (the web chat always sends one). Opened again after an error or a close."""

    def __init__(self, url: str) -> None:
        parts = urlsplit(url)
        self.host, self.port, self.prefix = parts.hostname or "127.0.0.1", parts.port or 80, parts.path.rstrip("/")
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def post(self, path: str, body: bytes) -> tuple[int, bytes]:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        self.writer.write(b"POST %s HTTP/1.1\r\nHost: %s:%d\r\nContent-Type: application/json\r\n"
                          b"Content-Length: %d\r\n\r\n%s" % ((self.prefix + path).encode(), self.host.encode(), self.port,
                                                             len(body), body))
        head = await self.reader.readuntil(b"\r\n\r\n")
        length = CONTENT_LENGTH.search(head)
        if length is None:
            raise ValueError("an answer without Content-Length")
        answer = await self.reader.readexactly(int(length.group(1)))
        if CLOSE.search(head):
            self.close()
        return int(head.split(b" ", 2)[1]), answer

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None


async def run(url: str, queries: list[dict], clients: int, total: int, seconds: float) -> dict:
    latencies: list[float] = []
    statuses: Counter[str] = Counter()
    ticket = itertools.count()
    deadline = time.monotonic() + seconds

    async def desk(connection: Connection) -> None:
        session = None
        while time.monotonic() < deadline:
            i = next(ticket)
            if i >= total:
                break
            query = queries[i % len(queries)]
            body = {"more": True} if i % 3 == 2 and session else dict(query)
            if session:
                body["session"] = session
            started = time.perf_counter()
            try:
                async with asyncio.timeout(30):
                    status, raw = await connection.post("/api/chat", json.dumps(body).encode())
                if status == 200 and session is None:  # the token stays: decode one reply only
                    session = json.loads(raw).get("session")
                statuses[str(status)] += 1
            except (TimeoutError, OSError, ValueError, asyncio.IncompleteReadError, asyncio.LimitOverrunError) as exc:
                statuses[type(exc).__name__] += 1
                connection.close()
            latencies.append(time.perf_counter() - started)
        connection.close()

    started = time.perf_counter()
    await asyncio.gather(*(desk(Connection(url)) for _ in range(clients)))
    elapsed = time.perf_counter() - started
    latencies.sort()

    def pct(p: float) -> float:
        return latencies[min(len(latencies) - 1, int(p / 100 * len(latencies)))] * 1000

    errors = sum(count for status, count in statuses.items() if status != "200")
    return {"requests": len(latencies), "seconds": round(elapsed, 2), "errors": errors,
            "req_per_s": round(len(latencies) / elapsed, 1),
            "p50_ms": round(pct(50), 1), "p90_ms": round(pct(90), 1), "p99_ms": round(pct(99), 1),
            "max_ms": round(latencies[-1] * 1000, 1), "mean_ms": round(statistics.fmean(latencies) * 1000, 1),
            "statuses": dict(statuses)}


def summary(label: str, result: dict) -> str:
    """One line per configuration; its form is stable (bench scripts parse it)."""
    return (f"{label:<10} req/s={result['req_per_s']:<8} p50_ms={result['p50_ms']:<7} p99_ms={result['p99_ms']:<7} "
            f"errors={result['errors']:<4} ({result['requests']} requests in {result['seconds']} s, "
            f"p90_ms={result['p90_ms']}, max_ms={result['max_ms']}, "
            f"server_cpu_ms_per_req={result.get('cpu_ms', float('nan')):.2f}, statuses={result['statuses']})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", help="A running web chat on 127.0.0.1 (default: start one).")
    parser.add_argument("--workers", type=int, default=len(os.sched_getaffinity(0)),
                        help="Workers of the second run; the first has one (default: one per core).")
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--requests", type=int, default=3000, help="Requests in all per run, at most.")
    parser.add_argument("--seconds", type=float, default=60.0, help="Wall time per run, at most.")
    parser.add_argument("--warmup", type=int, default=300, help="Requests sent before each run, not counted.")
    parser.add_argument("--repeat", type=int, default=1,
                        help="Runs per configuration, alternated; the summary keeps each one's best "
                             "(on a shared machine, the run others disturbed least).")
    parser.add_argument("--queries", type=Path, default=QUERIES)
    args = parser.parse_args()
    if not 1 <= args.clients <= 200 or not 1 <= args.requests <= 100_000 or not 0 < args.seconds <= 600:
        parser.error("keep it bounded: 1-200 clients, 1-100000 requests, up to 600 s")
    if not 1 <= args.workers <= 16 or not 1 <= args.repeat <= 5 or not 0 <= args.warmup <= 10_000:
        parser.error("--workers: 1 to 16; --repeat: 1 to 5; --warmup: 0 to 10000")
    queries = load_queries(args.queries)
    print(f"{args.clients} concurrent desks on POST /api/chat, at most {args.requests} requests "
          f"or {args.seconds:g} s per run after {args.warmup} not counted; {len(os.sched_getaffinity(0))} cores, load average "
          f"{os.getloadavg()[0]:.1f} before the runs", flush=True)
    if args.url:
        if urlsplit(args.url).hostname not in LOCAL_HOSTS:
            parser.error("--url must point at 127.0.0.1 or localhost")
        if args.warmup:
            asyncio.run(run(args.url.rstrip("/"), queries, args.clients, args.warmup, args.seconds))
        result = asyncio.run(run(args.url.rstrip("/"), queries, args.clients, args.requests, args.seconds))
        print(summary("url", result))
        return
    results: dict[int, dict] = {}
    with tempfile.TemporaryDirectory(prefix="orienteur-load-") as tmp:
        for n in range(args.repeat):
            for workers in dict.fromkeys((1, args.workers)):
                with LocalServer(Path(tmp), workers) as server:
                    if args.warmup:
                        asyncio.run(run(server.url, queries, args.clients, args.warmup, args.seconds))
                    cpu = server.cpu_seconds()
                    result = asyncio.run(run(server.url, queries, args.clients, args.requests, args.seconds))
                    result["cpu_ms"] = (server.cpu_seconds() - cpu) * 1000 / result["requests"]
                if args.repeat > 1:
                    print("  " + summary(f"run {n + 1}/{args.repeat} workers={workers}", result), flush=True)
                if workers not in results or result["req_per_s"] > results[workers]["req_per_s"]:
                    results[workers] = result
    for workers, result in results.items():
        print(summary(f"workers={workers}", result), flush=True)
    if len(results) == 2:
        one, many = results[1]["req_per_s"], results[args.workers]["req_per_s"]
        print(f"throughput: {args.workers} workers = {many / one:.2f} x one worker")


if __name__ == "__main__":
    main()
