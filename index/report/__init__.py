"""The maintainers' report: where the served directory fails people, in three parts.

1. rows to fix (``rows``): each row's problems and what to do, counted per problem and département;
2. where people are far from help (``zones``): each need's farthest communes, and a map of them;
3. what people asked and did not find (``index.asked``): counts by need, area and day.

``build_report(store, asked, days)`` computes it from the store being served (the engine's
current one) and the counts of the last ``days`` days, every time: nothing is cached, so the
numbers are those of the version served now. ``html.render`` makes it one self-contained page
(inline CSS and SVG, no script, no network), ``csvfiles.write`` one CSV file per part.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from index.asked import AskedLog, Count
from index.conversation.replies import attribution
from index.datasource import ServedSource, served_source
from index.gazetteer import load_gazetteer
from index.needs import NEEDS
from index.report.rows import Finding, check, rows_of
from index.report.zones import MIN_POPULATION, Zone, covered, offering, white_zones
from index.store import Store, read_row_problems


@dataclass(frozen=True)
class Report:
    generated_at: str
    version: str
    places: int
    rows: int
    """Rows of the directory as its sources list them: duplicates are one place when served, two rows to fix."""
    source: ServedSource
    attribution: str
    findings: list[Finding]
    warnings_kept: bool
    """False for a version built before the readers' warnings were kept: their problems are missing."""
    zones: dict[str, list[Zone]]
    """Need -> every covered commune, farthest first."""
    offers: dict[str, list[tuple[float, float]]]
    """Need -> the points of the places meeting it (for the maps)."""
    departements: frozenset[str]
    """The départements the directory covers."""
    min_population: int
    asked: list[Count]
    days: int
    recording: bool
    """False when the counting of questions is switched off."""


def build_report(store: Store, asked: AskedLog | None, days: int, today: date | None = None,
                 min_population: int = MIN_POPULATION) -> Report:
    """The report on ``store`` (the served version) and the last ``days`` days of questions."""
    now = datetime.now(UTC)
    today = today or now.date()
    gazetteer = load_gazetteer()
    problems = read_row_problems(store.directory)
    served = served_source(store.meta, today)
    entries = list(store.entries)  # decoded once: an opened version decodes its places on demand
    rows = rows_of(store, entries)
    offers = {n.name: offering(n, entries) for n in NEEDS}
    departements = covered(entries)
    return Report(
        generated_at=now.isoformat(timespec="seconds"), version=store.version, places=len(entries), rows=len(rows),
        source=served, attribution=attribution(served.publisher, served.date, served.sample),
        findings=check(rows, today, gazetteer, problems or []), warnings_kept=problems is not None,
        zones=white_zones(offers, departements, gazetteer, min_population), min_population=min_population,
        offers={name: [(e.place.lat, e.place.lon) for e in found] for name, found in offers.items()},
        departements=departements,
        asked=asked.counts(days) if asked else [], days=days, recording=asked is not None,
    )
