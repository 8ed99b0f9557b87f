"""Where index versions live, and the pointer that says which one is served.

    $ORIENTEUR_HOME/
        versions/2-3f2a1c0d9b8e7a65/        one complete version (meta.json written last)
        versions/.build-20261128T171800-…/  a version being built, renamed when complete
        current -> versions/2-3f2a1c0d9b8e7a65   a symlink, swapped atomically
        history.json                        the versions installed, in order, the served one last

A version is named by its content (``index.store`` format number and hash of what it stores):
machines building the same sources with the same code serve the same version name, and a
rebuild of unchanged data lands on the version already there.

A reader resolves ``current`` once per load and so always sees one whole version;
a writer builds beside, then swaps the link with ``os.replace`` (whoosh's own
temp-name-then-rename habit, one level up). ``history.json`` is what ``rollback`` walks
back through: a complete version that was never installed (a build killed after its
meta.json was written, or one that failed its smoke test) is never returned to.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

from index.store import META_FILE, ROW_PROBLEMS_FILE, is_complete

DESCRIPTIONS = (ROW_PROBLEMS_FILE, META_FILE)
"""A version's files that describe its build rather than its content (meta.json last)."""
BUILDING = ".build-"
"""Prefix of the folders of versions being built."""
CURRENT = "current"
VERSIONS = "versions"
HISTORY = "history.json"
STALE_SECONDS = 3600.0
"""Leftovers younger than this are left alone when no lock says that no build is running."""


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

    def new_build_dir(self) -> Path:
        """A fresh, not yet existing folder to build a version in, before it has its name."""
        self.versions_dir.mkdir(parents=True, exist_ok=True)
        stamp = time.strftime("%Y%m%dT%H%M%S", time.gmtime())
        return self.versions_dir / f"{BUILDING}{stamp}-{secrets.token_hex(3)}"

    def adopt(self, built: Path, name: str, reuse: bool = True) -> Path:
        """Give the complete version built in ``built`` its ``name``; returns its folder.

        When a complete version of that name is already here (the same content), its content
        is kept, never modified once complete, served or not; only the files describing the
        build (``DESCRIPTIONS``: when, from which files and dates) are taken from ``built``,
        each replaced atomically, and ``built`` removed. ``reuse=False`` replaces the version
        instead (it was found damaged), moving it aside first.
        """
        target = self.versions_dir / name
        if reuse and is_complete(target):
            for description in DESCRIPTIONS:
                if (built / description).is_file():
                    os.replace(built / description, target / description)
            shutil.rmtree(built, ignore_errors=True)
            return target
        if target.exists():  # damaged, or an earlier build of it killed before it was complete
            aside = self.new_build_dir()
            os.replace(target, aside)
            shutil.rmtree(aside, ignore_errors=True)
        os.replace(built, target)
        return target

    def install(self, version_dir: Path) -> None:
        """Point ``current`` at ``version_dir`` atomically, and note it in the history."""
        self._point(version_dir)
        self._write_history([*self.history(), version_dir.name])

    def _point(self, version_dir: Path) -> None:
        if not is_complete(version_dir):
            raise ValueError(f"{version_dir} is not a complete version")
        tmp = self.path / f".{CURRENT}.{secrets.token_hex(4)}"
        os.symlink(Path(VERSIONS) / version_dir.name, tmp)
        os.replace(tmp, self.path / CURRENT)

    def history(self) -> list[str]:
        """Names of the versions installed, oldest first (empty for a home from before the history)."""
        try:
            names = json.loads((self.path / HISTORY).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return []
        return [n for n in names if isinstance(n, str)] if isinstance(names, list) else []

    def _write_history(self, names: list[str]) -> None:
        # Consecutive repeats say nothing; a long history is trimmed (versions go long before).
        compact = [n for i, n in enumerate(names) if i == 0 or names[i - 1] != n][-100:]
        tmp = self.path / f".{HISTORY}.{secrets.token_hex(4)}"
        tmp.write_text(json.dumps(compact), encoding="utf-8")
        os.replace(tmp, self.path / HISTORY)

    def previous(self) -> Path | None:
        """The complete version served before the current one, or None.

        Walks back through the history; a home without one falls back to the newest
        complete version named before the current one (names sort by build time).
        """
        current = self.current()
        names = self.history()
        if current is not None and current.name in names:
            names = names[: len(names) - 1 - names[::-1].index(current.name)]
        elif not names:
            names = [p.name for p in self.versions()]
            names = names[:names.index(current.name)] if current is not None and current.name in names else names
        for name in reversed(names):
            candidate = self.versions_dir / name
            if (current is None or name != current.name) and is_complete(candidate):
                return candidate
        return None

    def rollback(self) -> tuple[Path | None, Path]:
        """Serve the previous version again; returns (left, now served). ``LookupError`` if none.

        The history is cut back to it, so a second rollback goes one further back.
        """
        current, previous = self.current(), self.previous()
        if previous is None:
            raise LookupError("no earlier complete version to go back to")
        self._point(previous)
        names = self.history()
        if previous.name in names:
            names = names[: len(names) - names[::-1].index(previous.name)]
        else:
            names.append(previous.name)
        self._write_history(names)
        return current, previous

    def versions(self) -> list[Path]:
        """Complete versions, oldest first (by when each was completed: names are hashes)."""
        if not self.versions_dir.is_dir():
            return []
        done = [p for p in self.versions_dir.iterdir()
                if p.is_dir() and not p.name.startswith(BUILDING) and is_complete(p)]
        return sorted(done, key=lambda p: (_completed_at(p), p.name))

    def prune(self, keep: int, stale_after: float = STALE_SECONDS) -> list[Path]:
        """Remove old versions and leftovers of killed builds; returns what was removed.

        Kept: the current version and the ``keep`` latest installed ones (at least two, so that
        a service still on the version just replaced keeps its files until it swaps). Removed:
        other complete versions; incomplete folders, complete ones never installed, and stray
        temporary pointers, once older than ``stale_after`` seconds. The rebuild job holds
        the rebuild lock and passes 0: nothing can be half-built then.
        """
        keep = max(keep, 2)
        current = self.current()
        history = self.history()
        removed: list[Path] = []
        if history:
            wanted = list(dict.fromkeys(reversed(history)))[:keep]
        else:
            wanted = [p.name for p in self.versions()][-keep:]
        if current is not None:
            wanted.append(current.name)
        if self.versions_dir.is_dir():
            for p in sorted(self.versions_dir.iterdir()):
                if not p.is_dir() or p.name in wanted:
                    continue
                installed = not history or p.name in history
                if (is_complete(p) and installed) or _older_than(p, stale_after):
                    shutil.rmtree(p, ignore_errors=True)
                    removed.append(p)
        for p in self.path.glob(f".{CURRENT}.*"):
            if p.is_symlink() and _older_than(p, stale_after, follow=False):
                p.unlink(missing_ok=True)
        for p in self.path.glob(f".{HISTORY}.*"):
            if _older_than(p, stale_after):
                p.unlink(missing_ok=True)
        return removed


def _completed_at(version: Path) -> float:
    try:
        return (version / META_FILE).stat().st_mtime
    except OSError:
        return 0.0


def _older_than(path: Path, seconds: float, follow: bool = True) -> bool:
    try:
        return time.time() - path.stat(follow_symlinks=follow).st_mtime >= seconds
    except OSError:
        return False
