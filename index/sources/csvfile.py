"""CSV bytes to rows, whatever the spreadsheet that wrote them: a building block of the CSV readers.

``parse(data)`` detects the encoding (UTF-8, UTF-8 with BOM, cp1252) and the delimiter
(``,`` ``;`` tab ``|``) and reads the header; ``CsvTable.rows()`` then yields
``(line, row)`` for each record, ``line`` being the physical line where the record starts
and ``row`` a dict keyed by the header, or a fatal ``RowProblem`` for a ragged or truncated
record, or one with a cell over ``MAX_CELL`` characters (one bad row: the rest is still read).
``CsvTable.record_count()`` counts the records apart from the csv module, so that a reader
that stops early is caught. It knows no directory format: readers decide what the columns mean.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from index.errors import SourceError
from index.sources import RowProblem

DELIMITERS = (",", ";", "\t", "|")
_SAMPLE = 65536  # bytes looked at to tell text from binary
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")  # never in CSV text
MAX_CELL = 131072
"""Characters a cell may hold (the csv module's own default limit): a larger one is a quote left
open or a hostile file, and makes its row a bad one. The csv module's limit is raised past the
file's size instead, because reaching it stops the module for the rest of the file."""


@dataclass(frozen=True)
class CsvTable:
    """A decoded CSV file and its header."""

    text: str
    header: tuple[str, ...]
    encoding: str
    delimiter: str

    def rows(self, id_columns: Iterable[str] = ()) -> Iterator[tuple[int, dict[str, str]] | RowProblem]:
        """Each record after the header as ``(line, row)``, or a fatal ``RowProblem`` for a broken one.

        Blank lines are skipped (a line of empty fields, ``,,,``, is a record). A record with fewer fields than the header is *truncated* when it
        ends the file without a final newline or inside an open quote (the file was cut), else
        *ragged*; so is one with more non-empty fields. ``id_columns`` name the columns whose value
        identifies a record in a problem.
        """
        id_positions = [self.header.index(c) for c in id_columns if c in self.header]
        pending: tuple[int, list[str]] | None = None
        try:
            for line, record in self._records():
                if pending:
                    yield self._row(*pending, id_positions, last=False)
                pending = (line, record)
        except csv.Error as exc:
            if pending:
                yield self._row(*pending, id_positions, last=False)
            line = pending[0] + 1 if pending else 2
            yield RowProblem(line, f"unreadable CSV from here on ({exc}); the rest of the file was skipped")
            return
        if pending:
            yield self._row(*pending, id_positions, last=True)

    def record_count(self) -> int:
        """The records after the header as ``rows()`` should see them, counted with a regular
        expression rather than the csv module: a check that no record went missing."""
        d = re.escape(self.delimiter)
        cell = rf'(?:"(?:[^"]|"")*"?[^{d}\r\n]*|[^{d}\r\n]*)'
        records = re.compile(rf"{cell}(?:{d}{cell})*(?:\r\n|\n|\r|\Z)")
        count, seen_header = 0, False
        for match in records.finditer(self.text):
            record = match.group()
            if not record:
                break  # the empty match at the very end
            content = record.replace('"', "").replace(self.delimiter, "").strip()
            if not seen_header:
                seen_header = bool(content)
            elif content or self.delimiter in record:
                count += 1
        return count

    def _records(self) -> Iterator[tuple[int, list[str]]]:
        """Non-blank records after the header, with the physical line each starts on."""
        # Past the file's size: a cell over the module's limit would end the reading (see MAX_CELL).
        csv.field_size_limit(max(csv.field_size_limit(), len(self.text) + 1))
        reader = csv.reader(io.StringIO(self.text, newline=""), delimiter=self.delimiter)
        end = 0
        seen_header = False
        for record in reader:
            line, end = end + 1, reader.line_num
            blank = not any(v.strip() for v in record)
            if blank and (len(record) <= 1 or not seen_header):
                continue  # a blank line; after the header, a line of empty fields (",,,") is a record
            if seen_header:
                yield line, record
            seen_header = True

    def _row(
        self, line: int, record: list[str], id_positions: list[int], last: bool
    ) -> tuple[int, dict[str, str]] | RowProblem:
        width = len(self.header)
        if len(record) > width and not any(v.strip() for v in record[width:]):
            record = record[:width]  # trailing empty cells
        record_id = _first(record, id_positions)
        fields = len(record)
        largest = max(map(len, record), default=0)
        if largest > MAX_CELL:
            return RowProblem(line, f"a cell of {largest} characters, more than the {MAX_CELL} allowed "
                                    "(a quote left open?)", record_id[:100])
        if last and self._open_quote_from(line):
            return RowProblem(
                line,
                f"truncated row: {fields} of {width} fields, the file ends inside a quoted value",
                record_id,
            )
        if fields < width and last and not self.text.endswith(("\n", "\r")):
            return RowProblem(
                line,
                f"truncated row: {fields} of {width} fields, the file ends in the middle of it",
                record_id,
            )
        if fields < width:
            return RowProblem(line, f"ragged row: {fields} fields where the header has {width}", record_id)
        if fields > width:
            return RowProblem(
                line,
                f"ragged row: {fields} fields where the header has {width} (a separator in an unquoted value?)",
                record_id,
            )
        return line, _as_dict(self.header, record)

    def _open_quote_from(self, line: int) -> bool:
        """Does the text from ``line`` to the end leave a quote open (a file cut inside a value)?"""
        lines = list(io.StringIO(self.text, newline=""))
        return "".join(lines[line - 1 :]).count('"') % 2 == 1


def _first(record: list[str], positions: list[int]) -> str:
    for i in positions:
        if i < len(record) and record[i].strip():
            return record[i].strip()
    return ""


def _as_dict(header: tuple[str, ...], record: list[str]) -> dict[str, str]:
    """Columns by name; where a name repeats (the 2022 export has two ``code_departement``), the first non-empty value wins."""
    row: dict[str, str] = {}
    for name, value in zip(header, record, strict=True):
        if name and (name not in row or not row[name].strip()):
            row[name] = value
    return row


def decode(data: bytes) -> tuple[str, str]:
    """Text and encoding name: UTF-8 (with or without BOM), else cp1252; ``SourceError`` for binary data."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise SourceError("the file is UTF-16 text; save it as UTF-8 CSV")
    if b"\x00" in data[:_SAMPLE]:
        raise SourceError("the file is binary, not CSV text")
    encoding = "utf-8-sig" if data.startswith(b"\xef\xbb\xbf") else "utf-8"
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError:
        try:
            text, encoding = data.decode("cp1252"), "cp1252"
        except UnicodeDecodeError:
            raise SourceError("the file is neither UTF-8 nor Windows-1252 text (binary data?)") from None
    sample = text[:_SAMPLE]
    controls = len(_CONTROL.findall(sample))
    if controls > max(8, len(sample) // 100):
        raise SourceError("the file is binary, not CSV text")
    return text, encoding


def sniff_delimiter(header_line: str) -> str:
    """The candidate delimiter found most often in the header line (outside quotes); ``,`` by default."""
    counts = dict.fromkeys(DELIMITERS, 0)
    quoted = False
    for char in header_line:
        if char == '"':
            quoted = not quoted
        elif not quoted and char in counts:
            counts[char] += 1
    best = max(DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] else ","


def parse(data: bytes) -> CsvTable:
    """Decode ``data`` and read its header; ``SourceError`` when there is no text or no header."""
    text, encoding = decode(data)
    if not text.strip():
        raise SourceError("the file is empty")
    first_line = text.lstrip("\ufeff\r\n\t ").splitlines()[0]
    delimiter = sniff_delimiter(first_line)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = next((r for r in reader if any(c.strip() for c in r)), [])
    except csv.Error as exc:
        raise SourceError(f"unreadable CSV header: {exc}", line=reader.line_num or 1) from None
    header = tuple(h.strip().lstrip("\ufeff").strip() for h in header)
    if not any(header):
        raise SourceError("the file has no header line", line=1)
    return CsvTable(text=text, header=header, encoding=encoding, delimiter=delimiter)


def header_of(data: bytes, limit: int = _SAMPLE) -> tuple[str, ...]:
    """The header of a CSV file from its first bytes only (for a reader's ``sniff``); empty when unreadable."""
    head = data[:limit]
    if len(data) > limit:
        cut = head.rfind(b"\n")
        head = head[:cut] if cut > 0 else head
    try:
        return parse(head).header
    except SourceError:
        return ()
