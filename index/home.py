"""Where index versions live, and the pointer that says which one is served.

    $ORIENTEUR_HOME/
        versions/20261128T171800-3f2a1c/   one complete version (meta.json written last)
        current -> versions/20261128T171800-3f2a1c   a symlink, swapped atomically

A reader resolves ``current`` once per load and so always sees one whole version;
a writer builds beside, then swaps the link with ``os.replace`` (whoosh's own
temp-name-then-rename habit, one level up).
"""

from __future__ import annotations

import os
import secrets
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

from index.store import is_complete

CURRENT = "current"
VERSIONS = "versions"


@dataclass(frozen=True)
class Home:
    path: Path

    @property
    def versions_dir(self) -> Path:
        return self.path / VERSIONS

    def current(self) -> Path | None:
        """The served version's folder, or None when nothing complete is served."""
        link = self.path / CURRENT
        try:
            target = link.resolve(strict=True)
        except (FileNotFoundError, RuntimeError, OSError):
            return None
        return target if is_complete(target) else None

    def current_name(self) -> str | None:
        """Cheap: the name the pointer holds, without checking the folder (for polling)."""
        try:
            return os.readlink(self.path / CURRENT)
        except OSError:
            return None

    def new_version_dir(self) -> Path:
        """A fresh, not yet existing folder for a version being built."""
        self.versions_dir.mkdir(parents=True, exist_ok=True)
        stamp = time.strftime("%Y%m%dT%H%M%S", time.gmtime())
        return self.versions_dir / f"{stamp}-{secrets.token_hex(3)}"

    def install(self, version_dir: Path) -> None:
        """Point ``current`` at ``version_dir`` atomically."""
        if not is_complete(version_dir):
            raise ValueError(f"{version_dir} is not a complete version")
        tmp = self.path / f".{CURRENT}.{secrets.token_hex(4)}"
        os.symlink(Path(VERSIONS) / version_dir.name, tmp)
        os.replace(tmp, self.path / CURRENT)

    def versions(self) -> list[Path]:
        """Complete versions, oldest first."""
        if not self.versions_dir.is_dir():
            return []
        return sorted(p for p in self.versions_dir.iterdir() if p.is_dir() and is_complete(p))

    def prune(self, keep: int) -> list[Path]:
        """Remove all but the newest ``keep`` complete versions (never the current one) and
        any incomplete leftovers of killed builds; returns what was removed."""
        current = self.current()
        removed = []
        if self.versions_dir.is_dir():
            for p in self.versions_dir.iterdir():
                if p.is_dir() and not is_complete(p) and p != current and _older_than(p, 3600):
                    shutil.rmtree(p, ignore_errors=True)
                    removed.append(p)
        complete = self.versions()
        for p in complete[: max(0, len(complete) - keep)]:
            if p != current:
                shutil.rmtree(p, ignore_errors=True)
                removed.append(p)
        return removed


def _older_than(path: Path, seconds: float) -> bool:
    try:
        return time.time() - path.stat().st_mtime > seconds
    except OSError:
        return False
