"""From source files to a served index version: read, merge, build beside, point at it.

``orienteur build`` runs this directly; the rebuild job (``index.rebuild``) wraps the same
steps with validation, a change report and a lock.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from index.home import Home
from index.places import Place
from index.sources import ReadResult, read_source, source_name
from index.store import build

log = logging.getLogger(__name__)


@dataclass
class Loaded:
    places: list[Place]
    reports: list[tuple[str, ReadResult]]
    """(location, result) per source, in the order given."""


def load_sources(locations: list[str]) -> Loaded:
    """Read and merge every source; ``SourceError`` names the first unusable one."""
    reports = [(loc, read_source(loc, source_name(loc))) for loc in locations]
    return Loaded(places=merge_results(reports), reports=reports)


def merge_results(reports: list[tuple[str, ReadResult]]) -> list[Place]:
    if len(reports) == 1:
        return list(reports[0][1].places)
    from index.sources.merge import merge

    return merge([(source_name(loc), result) for loc, result in reports])


def build_version(home: Home, loaded: Loaded, extra_meta: dict | None = None) -> Path:
    """Build ``loaded`` into a new version folder beside the served one; returns the folder (not yet served)."""
    target = home.new_version_dir()
    meta = {
        "version": target.name,
        "built_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "sources": [
            {"location": loc, "format": r.format, "rows": r.rows, "places": len(r.places),
             "skipped": len(r.skipped), "warnings": len(r.warnings)}
            for loc, r in loaded.reports
        ],
        **(extra_meta or {}),
    }
    build(loaded.places, target, meta)
    return target
