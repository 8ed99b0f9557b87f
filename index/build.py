"""From read sources to a new index version: merge them, build the version beside the served one.

The rebuild job (``index.rebuild``) calls this between its checks; installing the version
(pointing ``current`` at it) is the caller's last step.
"""

from __future__ import annotations

import logging
import shutil
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from index.duplicates import merge_duplicates
from index.home import Home
from index.places import Place
from index.sources import ReadResult, source_name
from index.store import build

log = logging.getLogger(__name__)


@dataclass
class Loaded:
    places: list[Place]
    reports: list[tuple[str, ReadResult]]
    """(location, result) per source, in the order given."""
    rows: list[Place] | None = None
    """The places as the sources listed them, before duplicates were merged (None: the same as ``places``)."""

    @classmethod
    def of(cls, reports: list[tuple[str, ReadResult]]) -> Loaded:
        """The sources' places, duplicates merged, with the rows as listed kept for the report."""
        rows = listed_rows(reports)
        return cls(places=merge_duplicates(rows), reports=reports, rows=rows)


def listed_rows(reports: list[tuple[str, ReadResult]]) -> list[Place]:
    """The places of every source, one list (several hubs' directories merged), each row as listed."""
    if len(reports) == 1:
        return list(reports[0][1].places)
    from index.sources.merge import merge

    return merge([(source_name(loc), result) for loc, result in reports])


def build_version(home: Home, loaded: Loaded, extra_meta: dict | None = None, reuse: bool = True) -> Path:
    """Build ``loaded`` into a version folder beside the served one; returns the folder (not yet served).

    The folder is named by content (``version_name``): the same places built by the same code
    on any machine get the same name, and when that version is already here it is kept, with
    this build's description (``Home.adopt``; ``reuse=False``: replaced, when found damaged).
    """
    staging = home.new_build_dir()
    meta = {
        "built_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "sources": [
            {"location": loc, "format": r.format, "rows": r.rows, "places": len(r.places),
             "skipped": len(r.skipped), "warnings": len(r.warnings)}
            for loc, r in loaded.reports
        ],
        **(extra_meta or {}),
    }
    problems = [{"source": source_name(loc), "line": p.line, "id": p.id, "reason": p.reason}
                for loc, r in loaded.reports for p in r.warnings]
    try:
        meta = build(loaded.places, staging, meta, problems, loaded.rows)
        return home.adopt(staging, meta["version"], reuse)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
