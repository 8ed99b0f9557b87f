"""Directory readers: one per format, all listed in ``READERS``.

A reader is a function ``read(raw: RawSource) -> ReadResult``: it never raises for a bad
row (the row becomes a ``RowProblem`` with its line, id and reason, and is skipped; a
fixable row is kept and its ``RowProblem`` is a warning) and raises ``SourceError`` only
when the file as a whole is unusable. ``read_source(path)`` detects the format with
each reader's ``sniff`` and reads it. A new hub's format adds one row to ``READERS``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from index.errors import SourceError
from index.fetch import fetch
from index.places import Place


@dataclass(frozen=True)
class RowProblem:
    """Something wrong with one row: ``line`` is the 1-based line (or record number) in the file."""

    line: int
    reason: str
    id: str = ""
    fatal: bool = True
    """True: the row was skipped. False: it was kept, with this warning."""


@dataclass(frozen=True)
class RawSource:
    """A directory file's bytes and where they came from."""

    data: bytes
    name: str
    """Short name of the source (used as an id prefix where two sources collide)."""
    location: str = ""


@dataclass
class ReadResult:
    places: list[Place]
    problems: list[RowProblem] = field(default_factory=list)
    format: str = ""
    rows: int = 0
    """Rows (records) seen in the file, usable or not."""
    expected: int | None = None
    """Records the file holds, counted apart from the reader (None: not counted); ``missing``
    says how many the reader did not see."""

    @property
    def missing(self) -> int:
        return 0 if self.expected is None else max(0, self.expected - self.rows)

    @property
    def skipped(self) -> list[RowProblem]:
        return [p for p in self.problems if p.fatal]

    @property
    def warnings(self) -> list[RowProblem]:
        return [p for p in self.problems if not p.fatal]


@dataclass(frozen=True)
class Reader:
    name: str
    sniff: Callable[[RawSource], bool]
    """Cheap check: does this look like my format?"""
    read: Callable[[RawSource], ReadResult]


def _readers() -> tuple[Reader, ...]:
    from index.sources import rhinocc

    readers = [rhinocc.READER]
    try:
        from index.sources import national
    except ImportError:  # pragma: no cover - while the national reader is being written
        pass
    else:
        readers.insert(0, national.READER)
    return tuple(readers)


def load_raw(location: str | Path, name: str | None = None) -> RawSource:
    """Read a local file as the rebuild does (``index.fetch``: size cap, gzip, UTF-16)."""
    fetched = fetch(str(location))
    return RawSource(data=fetched.data, name=name or source_name(str(location)), location=str(location))


def source_name(location: str) -> str:
    """A short name for a source: its file name without extensions."""
    base = location.rstrip("/").rsplit("/", 1)[-1]
    return base.split(".", 1)[0] or "source"


def read(raw: RawSource) -> ReadResult:
    """Read any supported format; ``SourceError`` when none recognises the file or it is unusable."""
    if not raw.data.strip():
        raise SourceError("the file is empty")
    for reader in _readers():
        if reader.sniff(raw):
            result = reader.read(raw)
            result.format = result.format or reader.name
            return result
    raise SourceError("unrecognised format: neither a RhinOcc CSV nor the national data standard (CSV or JSON)")


def read_source(location: str | Path, name: str | None = None) -> ReadResult:
    return read(load_raw(location, name))
