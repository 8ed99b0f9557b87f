"""A reader's result as lines a maintainer reads: what was kept, what was skipped and why.

``format_report(result, "lieux-geocodes.csv")`` gives a header line
("lieux-geocodes.csv: RhinOcc CSV, 845 rows, 845 places kept, 0 skipped, 19 warnings"), then
the skipped rows, then the warnings, each in file order as
"line 12 (Ref_0011): skipped: no name". ``orienteur check FILE`` prints it.
"""

from __future__ import annotations

from index.sources import ReadResult, RowProblem

FORMAT_NAMES = {"rhinocc": "RhinOcc CSV", "national": "national data standard"}


def format_report(result: ReadResult, location: str, limit: int | None = 50) -> str:
    """The report as one string; at most ``limit`` problem lines (None: all), then "… and N more"."""
    lines = [summary(result, location)]
    problems = sorted(result.skipped, key=_order) + sorted(result.warnings, key=_order)
    shown = problems if limit is None else problems[:limit]
    lines.extend(problem_line(p) for p in shown)
    if len(problems) > len(shown):
        lines.append(f"… and {len(problems) - len(shown)} more")
    return "\n".join(lines)


def summary(result: ReadResult, location: str) -> str:
    """The header line: format, rows, places kept, rows skipped, warnings."""
    kind = FORMAT_NAMES.get(result.format, result.format or "unknown format")
    line = (
        f"{location}: {kind}, {_count(result.rows, 'row')}, {_count(len(result.places), 'place')} kept, "
        f"{len(result.skipped)} skipped, {_count(len(result.warnings), 'warning')}"
    )
    if result.missing:
        line += f"; the file holds {result.expected} records: {result.missing} were not read"
    return line


def problem_line(problem: RowProblem) -> str:
    """``"line 12 (Ref_0011): skipped: no name"``; ``"line 40: warning: …"`` when the row has no id."""
    where = f"line {problem.line}" + (f" ({problem.id})" if problem.id else "")
    return f"{where}: {'skipped' if problem.fatal else 'warning'}: {problem.reason}"


def _order(problem: RowProblem) -> tuple[int, str]:
    return problem.line, problem.reason


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"
