"""Where the shared real data lives, and how tests build an index home from files."""

from __future__ import annotations

from pathlib import Path

from index.build import Loaded, build_version, merge_results
from index.home import Home
from index.sources import read_source, source_name

ROOT = Path(__file__).resolve().parents[2]
SHARED = ROOT.parent / "shared"
RHINOCC = SHARED / "data" / "rhinocc"
NATIONAL = SHARED / "data" / "national"
REAL_CSV = RHINOCC / "lieux-geocodes.csv"
REAL_PLACES = 819
"""Places of REAL_CSV's 845 rows once duplicates are merged (same address and phone, or name and address)."""


def load_sources(locations: list[str]) -> Loaded:
    """Read and merge local files, without the rebuild job's checks (fast fixtures)."""
    reports = [(loc, read_source(loc, source_name(loc))) for loc in locations]
    return Loaded(places=merge_results(reports), reports=reports)


def build_home(path: Path, sources: list[str]) -> Path:
    """An index home at ``path`` serving ``sources``, built as ``orienteur build`` does."""
    home = Home(Path(path))
    home.install(build_version(home, load_sources(sources)))
    return Path(path)
