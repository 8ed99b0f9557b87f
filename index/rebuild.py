"""The rebuild job: fetch -> validate -> build beside -> smoke-test -> change report -> atomic swap.

``run_rebuild(settings, sources, force)`` holds the home's rebuild lock (``index.lock``) and:

1. cleans what killed rebuilds left (half-built folders, never-installed versions, temp pointers);
2. fetches every source (``index.fetch``); when each one's fingerprint and the list of sources
   are those the served version was built from, stops there: ``unchanged`` (``force`` goes on);
3. reads them with the ingest readers; refuses (``RebuildRefused``, nothing touched) when
   too many rows are unusable (> ``max_bad_rows``), when a file ends inside a row, when the
   new data would lose more than ``max_loss`` of the served places, or when most of the places
   kept from the served index lost their coordinates (> ``MAX_POINT_LOSS``); ``force``
   overrides these, and the report says which it overrode. A file that cannot be read at all
   raises ``SourceError`` whatever ``force`` says;
4. builds a new version beside the served one (``index.build``), writes ``changes.json`` in it,
   opens it and runs a few searches (``smoke_test``): a version that fails is deleted;
5. swaps the ``current`` pointer (``Home.install``) and keeps the last ``keep_versions``.

Every run, refused ones included, writes its report to ``last-rebuild.json`` in the home, for
``orienteur status``. Running services notice the new pointer within ``reload_interval``
seconds (``Engine.watch``) and load it beside the old one: no restart, no failed request.
A rebuild killed at any moment leaves the pointer on a complete version (it only moves by
``os.replace``), a lock the kernel has released, and leftovers the next run removes.
"""

from __future__ import annotations

import json
import logging
import os
import secrets
import shutil
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from index.build import Loaded, build_version
from index.changes import ChangeReport, diff
from index.datasource import fetch_or_fallback, served_source, source_date
from index.engine import Engine
from index.errors import BuildError, IndexUnavailable, OrienteurError, RebuildRefused, SourceError
from index.fetch import Fetched, fetch
from index.home import Home
from index.lock import rebuild_lock
from index.places import Place
from index.settings import Settings
from index.sources import RawSource, ReadResult, read, source_name
from index.sources.report import problem_line
from index.store import META_FILE, open_store, read_places

log = logging.getLogger(__name__)

MAX_POINT_LOSS = 0.5
"""Share of the places kept from the served index that may lose their coordinates: above it,
the export most likely dropped its coordinate columns, and searches by place would go blind."""
CHANGES_FILE = "changes.json"
LAST_REPORT = "last-rebuild.json"
DOWNLOADS = "downloads"
"""Folder of the home keeping the last answer of each source URL (``index.fetch``)."""
SKIPPED_SHOWN = 5
"""Skipped rows named in a report (line, id, reason), so a loss is never silent."""
SMOKE_PROBES = 5
"""Places whose names are searched in a new version before it is served."""
SMOKE_SECONDS = 3.0
"""Probing stops once this is spent (after the first probe): a check, not a benchmark."""


@dataclass
class RebuildReport:
    """What one run did; ``to_dict()`` is what ``POST /admin/rebuild`` answers and status reads."""

    status: str
    """``rebuilt``, ``unchanged``, ``refused`` or ``failed``."""
    served: str | None = None
    """The version served after the run."""
    previous: str | None = None
    """The version served before it."""
    message: str = ""
    sources: list[dict] = field(default_factory=list)
    changes: ChangeReport | None = None
    forced: bool = False
    overridden: list[str] = field(default_factory=list)
    """Refusal reasons ``force`` overrode."""
    fallback: dict | None = None
    """The source URL that could not be reached and the snapshot read instead (``index.datasource``)."""
    places: int | None = None
    started_at: str = field(default_factory=lambda: datetime.now(UTC).isoformat(timespec="seconds"))
    seconds: float = 0.0

    def to_dict(self, full: bool = True) -> dict:
        """JSON-ready; ``full=False`` keeps the change summary without the lists of ids."""
        changes = None
        if self.changes is not None:
            changes = self.changes.to_dict() if full else {"summary": self.changes.summary()}
        return {"status": self.status, "served": self.served, "previous": self.previous,
                "message": self.message, "sources": self.sources, "changes": changes,
                "forced": self.forced, "overridden": self.overridden, "fallback": self.fallback,
                "places": self.places,
                "started_at": self.started_at, "seconds": self.seconds}

    def summary(self) -> str:
        """One line for logs and ``orienteur status``."""
        line = f"{self.status} at {self.started_at}"
        if self.status == "rebuilt":
            line += f": version {self.served} ({self.places} places), {self.changes.headline()}"
        elif self.message:
            line += f": {self.message}"
        if self.overridden:
            line += f" [forced past: {'; '.join(self.overridden)}]"
        return line


def run_rebuild(settings: Settings, sources: list[str] | None = None, force: bool = False,
                wait: float = 0.0) -> RebuildReport:
    """Rebuild the index of ``settings.home`` from ``sources`` (default: ``settings.sources``).

    Returns the report of a rebuilt or unchanged index; raises ``SourceError`` (a source
    cannot be fetched or read), ``RebuildRefused`` (the data was judged worse than the served
    one), ``BuildError`` (the new version failed to build or its smoke test) or
    ``RebuildLocked`` (another rebuild held the lock for ``wait`` seconds). Whatever it
    raises, the served index is untouched.
    """
    home = Home(Path(settings.home).expanduser())
    locations = list(sources) if sources else settings.sources
    if not locations:
        raise SourceError("no source given (--source or ORIENTEUR_SOURCE)")
    with rebuild_lock(home.path, wait):
        started = time.perf_counter()
        report = RebuildReport(status="failed", forced=force, previous=home.current_name())
        try:
            _rebuild(home, settings, locations, force, report)
        except OrienteurError as exc:
            report.status = "refused" if isinstance(exc, RebuildRefused) else "failed"
            report.message = str(exc)
            report.served = _served_name(home)
            raise
        except Exception as exc:  # a bug still leaves a report saying what broke, and the old version
            report.message = f"unexpected {type(exc).__name__}: {exc}"
            report.served = _served_name(home)
            raise
        finally:
            report.seconds = round(time.perf_counter() - started, 3)
            _write_json(home.path / LAST_REPORT, report.to_dict(full=False))
            log.info("rebuild %s", report.summary())
        return report


def _rebuild(home: Home, settings: Settings, locations: list[str], force: bool, report: RebuildReport) -> None:
    removed = home.prune(settings.keep_versions, stale_after=0)
    _remove_temporaries(home)
    if removed:
        log.info("removed %d old or unfinished versions: %s", len(removed), ", ".join(p.name for p in removed))
    current = home.current()
    meta = _meta(current) if current else {}
    report.previous = current.name if current else None

    # The snapshot stands in for the configured source only: a source named for this run is meant.
    snapshot = settings.snapshot if locations == settings.sources else ""
    fetched, fallback = fetch_or_fallback(locations, lambda loc: _fetch(loc, home, settings), snapshot)
    said = f"{fallback.message()}; " if fallback else ""
    report.fallback = fallback and {"url": fallback.url, "snapshot": fallback.snapshot, "reason": fallback.reason}
    if fallback and current and not force and list(meta.get("fingerprints", {})) == [fallback.url]:
        # What is served came from that URL, fresher than the snapshot: keep it.
        report.status, report.served, report.places = "unchanged", current.name, meta.get("places")
        report.message = f"{fallback.reason}; still serving version {current.name}, fetched from it before"
        return
    fingerprints = {f.location: f.fingerprint for f in fetched}
    report.sources = [{"location": f.location, "fingerprint": f.fingerprint, "bytes": len(f.data),
                       "not_modified": f.not_modified} for f in fetched]
    old, unreadable = _served_places(current)
    same = list(meta.get("fingerprints", {}).items()) == list(fingerprints.items())
    if current and same and not force and not unreadable:
        report.status, report.served, report.places = "unchanged", current.name, meta.get("places")
        report.message = f"{said}the sources are unchanged; still serving version {current.name}"
        return
    if unreadable:
        log.warning("the served version %s does not open with this code (%s): rebuilding; losses are "
                    "checked by count only", current.name, unreadable)

    results = [(f.location, _read(f)) for f in fetched]
    for source, (_, result) in zip(report.sources, results, strict=True):
        source.update(format=result.format, rows=result.rows, records=result.expected,
                      places=len(result.places), skipped=len(result.skipped), warnings=len(result.warnings),
                      skipped_rows=[problem_line(p) for p in result.skipped[:SKIPPED_SHOWN]])
    loaded = Loaded.of(results)
    places = loaded.places
    changes = diff(old, places)
    report.changes = changes

    reasons = [*_row_refusals(results, settings), *_loss_refusals(old, places, changes, settings)]
    served_count = meta.get("places")
    if unreadable and isinstance(served_count, int) and served_count and \
            (served_count - len(places)) / served_count > settings.max_loss:
        reasons.append(f"the new data holds {len(places)} places where {served_count} are served "
                       f"(more than ORIENTEUR_MAX_LOSS={settings.max_loss:g} fewer)")
    if reasons and not force:
        raise RebuildRefused("; ".join(reasons))
    report.overridden = reasons

    extra = {"fingerprints": fingerprints, "changes": changes.summary(), "previous": report.previous,
             "forced": force, "overridden": reasons, "fallback": report.fallback,
             "source_dates": {f.location: source_date(f.location) for f in fetched}}
    here = {p.name for p in home.versions()}
    version = build_version(home, loaded, extra, reuse=not unreadable)
    try:
        _write_json(version / CHANGES_FILE, changes.to_dict())
        smoke_test(version, places)
    except BaseException:
        if version.name not in here or unreadable:  # a version already here, not built by this run, is kept
            shutil.rmtree(version, ignore_errors=True)
        raise
    home.install(version)
    home.prune(settings.keep_versions, stale_after=0)
    report.status, report.served, report.places = "rebuilt", version.name, len(places)
    report.message = f"{said}now serving version {version.name}"


def _served_places(current: Path | None) -> tuple[list[Place], str]:
    """The served version's places, and why they could not be read ("" when they could).

    A version built by older code may not open with this one (its stored format changed):
    then the rebuild goes on even with unchanged sources, since the services cannot open it either.
    """
    if current is None:
        return [], ""
    try:
        return read_places(current), ""
    except Exception as exc:  # any failure to load means the same: the services cannot serve it
        return [], f"{type(exc).__name__}: {exc}"


def _fetch(location: str, home: Home, settings: Settings) -> Fetched:
    fetched = fetch(location, cache_dir=home.path / DOWNLOADS, max_bytes=settings.max_download,
                    timeout=settings.download_timeout)
    assert isinstance(fetched, Fetched)  # no ``known`` fingerprint given: never Unchanged
    return fetched


def _read(fetched: Fetched) -> ReadResult:
    """The reader's result; ``SourceError`` naming the source when it is unusable or holds no place."""
    loc = fetched.location
    try:
        result = read(RawSource(data=fetched.data, name=source_name(loc), location=loc))
    except SourceError as exc:
        raise SourceError(f"{loc}: {exc}", exc.line) from None
    except (RecursionError, MemoryError, ValueError, TypeError) as exc:
        # A reader that breaks on a file was beaten by the file: a source problem, named, not a crash.
        log.warning("reading %s failed", loc, exc_info=True)
        raise SourceError(f"{loc}: the file could not be read ({type(exc).__name__}: {exc})") from None
    if not result.places:
        first = f" (line {result.skipped[0].line}: {result.skipped[0].reason})" if result.skipped else ""
        raise SourceError(f"{loc}: no usable place in {result.rows} rows{first}")
    return result


def _row_refusals(results: list[tuple[str, ReadResult]], settings: Settings) -> list[str]:
    reasons = []
    for loc, result in results:
        bad = len(result.skipped)
        if result.rows and bad / result.rows > settings.max_bad_rows:
            example = result.skipped[0]
            reasons.append(f"{loc}: {bad} of {result.rows} rows are unusable ({bad / result.rows:.0%}, more than "
                           f"ORIENTEUR_MAX_BAD_ROWS={settings.max_bad_rows:g}); first, line {example.line}: "
                           f"{example.reason}")
        if result.missing:
            reasons.append(f"{loc}: the reader read {result.rows} rows of the {result.expected} records the file "
                           f"holds; {result.missing} were lost (see the skipped rows for where reading stopped)")
        cut = [p for p in result.skipped if p.reason.startswith("truncated")]
        if cut:
            reasons.append(f"{loc}: the file ends in the middle of a row (line {cut[-1].line}: {cut[-1].reason}); "
                           "an interrupted download or copy?")
    return reasons


def _loss_refusals(old: list[Place], new: list[Place], changes: ChangeReport, settings: Settings) -> list[str]:
    reasons = []
    if old and len(changes.removed) / len(old) > settings.max_loss:
        reasons.append(f"the new data would remove {len(changes.removed)} of the {len(old)} places served "
                       f"({len(changes.removed) / len(old):.0%}, more than ORIENTEUR_MAX_LOSS={settings.max_loss:g})")
    lost, had = points_lost(old, new)
    if had and lost / had > MAX_POINT_LOSS:
        reasons.append(f"{lost} of the {had} places with coordinates would lose them ({lost / had:.0%}, more than "
                       f"{MAX_POINT_LOSS:.0%}): were the coordinate columns dropped?")
    return reasons


def points_lost(old: list[Place], new: list[Place]) -> tuple[int, int]:
    """(places of ``old`` with a point that are in ``new`` without one, places of ``old`` with a
    point that are still in ``new``): new places without a point are not a loss."""
    after = {p.id: p for p in new}
    kept = [p for p in old if p.has_point and p.id in after]
    return sum(1 for p in kept if not after[p.id].has_point), len(kept)


def smoke_test(version: Path, places: list[Place]) -> None:
    """Open a built version and search it as a user would; ``BuildError`` if it does not answer.

    Each probe searches a place's name (spread over the list) and must get answers; at least
    one must find its own place (a name search misses its place now and then: a word read as
    a commune, say) — an index that answers but never finds what was searched is broken.
    """
    try:
        store = open_store(version)
    except Exception as exc:  # whatever stops it opening here would stop every service opening it
        raise BuildError(f"smoke test: the new version does not open: {exc!r}") from None
    try:
        if len(store.entries) != len(places):
            raise BuildError(f"smoke test: the new version holds {len(store.entries)} places, not {len(places)}")
        engine = Engine(store=store)
        named = [p for p in places if p.name.strip()]
        step = max(1, len(named) // SMOKE_PROBES)
        probes = named[::step][:SMOKE_PROBES]
        found = 0
        deadline = time.monotonic() + SMOKE_SECONDS
        for n, place in enumerate(probes):
            if n and time.monotonic() > deadline:
                probes = probes[:n]
                break
            hits = engine.ask(place.name).hits
            if not hits:
                raise BuildError(f"smoke test: searching {place.name!r} (place {place.id}) found nothing")
            found += any(h.entry.place.id == place.id for h in hits)
        if probes and not found:
            raise BuildError(f"smoke test: none of {len(probes)} name searches found its own place")
    finally:
        store.close()


def last_report(home: Home) -> dict | None:
    """The last run's report as written in the home (refused and unchanged runs too), or None."""
    try:
        return json.loads((home.path / LAST_REPORT).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def version_changes(version: Path) -> ChangeReport | None:
    """The change report kept with a version, or None (a version built by ``orienteur build``)."""
    try:
        return ChangeReport.from_dict(json.loads((version / CHANGES_FILE).read_text(encoding="utf-8")))
    except (OSError, ValueError):
        return None


def rollback(settings: Settings, wait: float = 0.0) -> tuple[str | None, str]:
    """Serve the previous version again, under the rebuild lock; returns (left, now served)."""
    home = Home(Path(settings.home).expanduser())
    with rebuild_lock(home.path, wait):
        target = home.previous()
        if target is None:
            raise IndexUnavailable("no earlier complete version to go back to")
        try:
            open_store(target).close()
        except Exception as exc:  # a version the services cannot open must not be pointed at
            raise IndexUnavailable(f"the previous version {target.name} does not open ({exc}); "
                                   "still serving the current one") from None
        left, served = home.rollback()
    return (left.name if left else None), served.name


def _remove_temporaries(home: Home) -> None:
    """Files a killed run left under their temporary names (see ``_write_json``, ``index.fetch``)."""
    for pattern in (f".{LAST_REPORT}.*", f"{DOWNLOADS}/.*"):
        for path in home.path.glob(pattern):
            path.unlink(missing_ok=True)


def _meta(version: Path) -> dict:
    try:
        return json.loads((version / META_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def _served_name(home: Home) -> str | None:
    current = home.current()
    return current.name if current else None


def _write_json(path: Path, data: dict) -> None:
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}")
    tmp.write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")
    os.replace(tmp, path)


def status(settings: Settings) -> dict:
    """What ``orienteur status`` shows: the served version, its sources, size and changes, the
    versions kept and the last run's report."""
    home = Home(Path(settings.home).expanduser())
    current = home.current()
    meta = _meta(current) if current else {}
    changes = version_changes(current) if current else None
    return {
        "home": str(home.path),
        "version": current.name if current else None,
        "built_at": meta.get("built_at"),
        "places": meta.get("places"),
        "sources": meta.get("sources", []),
        "data": served_source(meta).to_dict() if current else None,
        "changes": changes.summary() if changes else meta.get("changes"),
        "versions": [p.name for p in home.versions()],
        "previous": (home.previous().name if current and home.previous() else None),
        "last_rebuild": last_report(home),
    }
