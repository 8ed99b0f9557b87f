"""Time the gazetteer: load, then the lookups the query parser makes per message.

Run with ``python tests/bench/bench_gazetteer.py`` (not collected by pytest). The parser
calls fuzzy_communes for several n-grams of each message, so its latency is the figure to
watch: the target is under 2 ms per call, misses included (most n-grams name no commune).
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from index.gazetteer import load_gazetteer
from index.normalise import fold

TYPOS = ["toulouze", "carcasone", "montpelier", "tarbe", "perpigan", "bezier", "narbone", "st gaudans",
         "montauban", "castelnaudary", "muret", "albi", "rodes", "figeac", "auch", "foix", "pamiez", "cahor"]
# N-grams of ordinary messages: what the parser tries before knowing they are no place.
NGRAMS = ["atelier", "informatique", "aide", "demarches", "en ligne", "pres de", "le samedi", "caf",
          "france services", "imprimer un document", "mon ordinateur", "j ai besoin", "d aide pour",
          "saint", "la", "a cote de", "association", "mediatheque"]


def timed(call, queries: list[str], repeat: int = 20) -> list[float]:
    """Milliseconds per call, one figure per query (best of ``repeat``, cold caches aside)."""
    figures = []
    for query in queries:
        best = min(_once(call, query) for _ in range(repeat))
        figures.append(best)
    return figures


def _once(call, query: str) -> float:
    started = time.perf_counter()
    call(query)
    return (time.perf_counter() - started) * 1000


def main() -> None:
    started = time.perf_counter()
    gazetteer = load_gazetteer()
    elapsed = (time.perf_counter() - started) * 1000
    print(f"load_gazetteer: {elapsed:.0f} ms, {len(gazetteer.communes)} communes")
    queries = [fold(q) for q in TYPOS + NGRAMS]
    for name, call in (
        ("fuzzy_communes", gazetteer.fuzzy_communes),
        ("communes_named", gazetteer.communes_named),
        ("departement_named", gazetteer.departement_named),
        ("is_name_prefix", gazetteer.is_name_prefix),
        ("communes_starting", gazetteer.communes_starting),
    ):
        figures = timed(call, queries)
        print(f"{name:18} median {statistics.median(figures):.3f} ms, max {max(figures):.3f} ms "
              f"({queries[figures.index(max(figures))]!r})")
    figures = timed(lambda _: gazetteer.nearest_commune(43.46, 1.33), ["muret"])
    print(f"{'nearest_commune':18} {figures[0]:.3f} ms")


if __name__ == "__main__":
    main()
