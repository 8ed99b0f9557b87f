"""Relevance benchmark: the dev queries of ../shared/bench and our own held-out queries.

    python tests/bench/bench_relevance.py [--source PATH]

Builds the directory (default: ../shared/data/rhinocc/lieux-geocodes.csv) into a temporary
home, runs each query file through ``orienteur search --jsonl`` (the run format of
``score.py``) and prints score.py's table for each. Our held-out files were written by
someone who had seen neither the code nor the dev files: queries-heldout.jsonl in the
short-query style, queries-heldout-chat.jsonl in the chat style. A drop there that the
dev files do not show is fitting, not progress. Not collected by pytest; not run by CI.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BENCH = ROOT.parent / "shared" / "bench"
QUERY_FILES = (
    BENCH / "queries-dev.jsonl",
    BENCH / "queries-dev-chat.jsonl",
    ROOT / "tests" / "bench" / "queries-heldout.jsonl",
    ROOT / "tests" / "bench" / "queries-heldout-chat.jsonl",
)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--source", default=str(ROOT.parent / "shared" / "data" / "rhinocc" / "lieux-geocodes.csv"))
    args = ap.parse_args()
    orienteur = [sys.executable, "-m", "index.cli"]
    with tempfile.TemporaryDirectory() as home:
        env = {**os.environ, "ORIENTEUR_HOME": home, "ORIENTEUR_LOG_LEVEL": "WARNING"}
        subprocess.run([*orienteur, "build", "--source", args.source], env=env, check=True, cwd=ROOT)
        for queries in (q for q in QUERY_FILES if q.is_file()):
            run = Path(home) / f"{queries.stem}.run.jsonl"
            with open(queries, "rb") as stdin, open(run, "wb") as stdout:
                subprocess.run([*orienteur, "search", "--jsonl", "--limit", "20"], stdin=stdin, stdout=stdout,
                               env=env, check=True, cwd=ROOT)
            print(f"\n== {queries.name}")
            sys.stdout.flush()
            subprocess.run([sys.executable, str(BENCH / "score.py"), str(queries), str(run)], check=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
