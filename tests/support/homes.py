"""Where the shared real data lives, and how tests build an index home from files."""

from __future__ import annotations

from pathlib import Path

from index.build import build_version, load_sources
from index.home import Home

ROOT = Path(__file__).resolve().parents[2]
SHARED = ROOT.parent / "shared"
RHINOCC = SHARED / "data" / "rhinocc"
NATIONAL = SHARED / "data" / "national"
REAL_CSV = RHINOCC / "lieux-geocodes.csv"


def build_home(path: Path, sources: list[str]) -> Path:
    """An index home at ``path`` serving ``sources``, built as ``orienteur build`` does."""
    home = Home(Path(path))
    home.install(build_version(home, load_sources(sources)))
    return Path(path)
