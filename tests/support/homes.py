"""Where the shared real data lives, and how tests build an index home from files."""

from __future__ import annotations

from pathlib import Path

from index.build import Loaded, build_version
from index.duplicates import merge_duplicates
from index.home import Home
from index.places import Place
from index.sources import read_source, source_name

ROOT = Path(__file__).resolve().parents[2]
SHARED = ROOT.parent / "shared"
RHINOCC = SHARED / "data" / "rhinocc"
NATIONAL = SHARED / "data" / "national"
REAL_CSV = RHINOCC / "lieux-geocodes.csv"
REAL_PLACES = 819
"""Places of REAL_CSV's 845 rows once duplicates are merged (same address and phone, or name and address)."""


def served_places(path: Path) -> list[Place]:
    """The places one file becomes in an index: read, duplicates merged (as ``orienteur build`` does)."""
    return Loaded.of([(str(path), read_source(str(path)))]).places


def lone_ids(path: Path) -> set[str]:
    """Ids of the places of ``path`` that no other row duplicates: the index keeps them as read."""
    return {p.id for p in merge_duplicates(read_source(str(path)).places) if not p.merged_ids}


def load_sources(locations: list[str]) -> Loaded:
    """Read and merge local files, without the rebuild job's checks (fast fixtures)."""
    reports = [(loc, read_source(loc, source_name(loc))) for loc in locations]
    return Loaded.of(reports)


def build_home(path: Path, sources: list[str]) -> Path:
    """An index home at ``path`` serving ``sources``, built as ``orienteur build`` does."""
    home = Home(Path(path))
    home.install(build_version(home, load_sources(sources)))
    return Path(path)
