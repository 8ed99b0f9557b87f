"""Errors raised by the search core.

    OrienteurError
    ├── SourceError        a directory file cannot be read at all (line, reason)
    ├── BuildError         an index could not be built or failed its smoke test
    ├── RebuildRefused     new data was judged worse than the data being served
    ├── RebuildLocked      another rebuild holds the lock
    └── IndexUnavailable   no usable index to search
        └── StaleFormat    a version written in a stored format this code does not read

Messages are English and meant for logs and maintainers; what users read in French
is written in ``conversation/replies.py`` and at the edges (CLI, bot, web).
"""

from __future__ import annotations


class OrienteurError(Exception):
    """Base class of every error the core raises on purpose."""


class SourceError(OrienteurError):
    """A directory file as a whole is unusable."""

    def __init__(self, reason: str, line: int | None = None) -> None:
        self.reason = reason
        self.line = line
        super().__init__(f"line {line}: {reason}" if line else reason)


class BuildError(OrienteurError):
    """An index could not be built, or the built index failed its smoke test."""


class RebuildRefused(OrienteurError):
    """The new data was refused; the index being served is kept."""


class RebuildLocked(OrienteurError):
    """Another rebuild is running."""


class IndexUnavailable(OrienteurError):
    """There is no index to search (never built, or removed)."""


class StaleFormat(IndexUnavailable):
    """A version written in another stored format (older code's): rebuild it from its sources."""
