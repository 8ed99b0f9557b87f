"""What every directory reader does with its records, whatever the format.

``collect`` turns a reader's records into a ``ReadResult``: it counts them, passes a
``RowProblem`` through, reads each record with a ``Row``, skips a repeated id and raises
``SourceError`` when there was none. ``Row`` holds one record's values and the problems found
on the way; each format subclasses it with its own ``place`` (and ``text`` where its values
are not all text). ``gazetteer_bbox`` and ``inside`` check a point against its département.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from index import cleaning
from index.errors import SourceError
from index.places import Place
from index.sources import ReadResult, RowProblem

log = logging.getLogger(__name__)

BBox = tuple[float, float, float, float]
"""(min_lat, min_lon, max_lat, max_lon)"""
BBoxLookup = Callable[[str], "BBox | None"]
# How far (degrees, ~20 km) outside its département's box a point may sit before it is dropped.
BBOX_MARGIN = 0.2

Record = tuple[int, dict[str, Any]]
"""A record as a reader's parser yields it: (line or record number, values by field)."""


@dataclass
class Row:
    """One record being read: values by field, and the problems found on the way."""

    values: dict[str, Any]
    line: int
    departement_bbox: BBoxLookup | None
    id: str = ""
    problems: list[RowProblem] = field(default_factory=list)

    @staticmethod
    def text(value: Any) -> str:
        """A value as text; a format whose values are not all text says how."""
        return (value or "").strip()

    def get(self, *names: str) -> str:
        """The first non-empty of these fields, as text."""
        for name in names:
            text = cleaning.visible(self.text(self.values.get(name))).strip()
            if text:
                return text
        return ""

    def warn(self, reason: str) -> None:
        self.problems.append(RowProblem(self.line, reason, self.id, fatal=False))

    def skip(self, reason: str) -> None:
        # A skipped record reports only why it was skipped: its warnings no longer matter.
        self.problems = [RowProblem(self.line, reason, self.id, fatal=True)]

    def cleaned(self, names: tuple[str, ...], clean: Callable[[str], str | None], what: str) -> str:
        """The first non-empty of these fields through ``clean``; ``""``, with a warning, when it is not understood."""
        value = self.get(*names)
        cleaned = clean(value)
        if cleaned is None:
            self.warn(f"{what} '{value}' dropped: not understood")
            return ""
        return cleaned

    def place(self, source: str) -> Place | None:
        """The record as a ``Place`` from directory ``source``; None when it is skipped (see ``problems``)."""
        raise NotImplementedError


def collect(
    records: Iterable[Record | RowProblem],
    new_row: Callable[[dict[str, Any], int], Row],
    source: str,
    fmt: str,
    *,
    unit: str = "line",
    no_rows: str,
    expected: int | None = None,
) -> ReadResult:
    """Every record as a ``Place`` or a ``RowProblem``; a repeated id is skipped, naming the ``unit``
    (line, record) where it was first seen; ``SourceError(no_rows)`` when there was no record at all.
    ``expected`` is the file's own count of its records, kept for the rebuild to compare."""
    result = ReadResult(places=[], format=fmt, expected=expected)
    first_seen: dict[str, int] = {}
    for item in records:
        result.rows += 1
        if isinstance(item, RowProblem):
            result.problems.append(item)
            continue
        line, values = item
        row = new_row(values, line)
        place = row.place(source)
        if place is not None and place.id in first_seen:
            row.skip(f"duplicate id, first seen on {unit} {first_seen[place.id]}")
            place = None
        if place is not None:
            first_seen[place.id] = line
            result.places.append(place)
        result.problems.extend(row.problems)
    if result.rows == 0:
        raise SourceError(no_rows)
    return result


def gazetteer_bbox() -> BBoxLookup | None:
    """The gazetteer's département boxes; None (France only) when it cannot be loaded."""
    try:
        from index.gazetteer import load_gazetteer

        return load_gazetteer().departement_bbox
    except Exception as exc:  # a missing or broken gazetteer must not make every directory unreadable
        log.warning("département boxes unavailable (%s): points are checked against France only", exc)
        return None


def inside(lat: float, lon: float, box: BBox, margin: float) -> bool:
    """True when the point lies in ``box`` widened by ``margin`` degrees on every side."""
    min_lat, min_lon, max_lat, max_lon = box
    return min_lat - margin <= lat <= max_lat + margin and min_lon - margin <= lon <= max_lon + margin
