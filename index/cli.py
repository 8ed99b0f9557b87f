"""The ``orienteur`` command: thin click commands over the core; errors become messages.

Front ends add their own subcommands (``orienteur bot``, ``orienteur serve``) through the
``orienteur.commands`` entry-point group, as datasette plugins add theirs.
"""

from __future__ import annotations

import contextlib
import json
import logging
import signal
import sys
import threading
import time
from importlib.metadata import entry_points
from pathlib import Path

import click

from index.asked import AskedLog
from index.conversation import Conversation, replies
from index.engine import Engine
from index.errors import (
    BuildError,
    IndexUnavailable,
    OrienteurError,
    RebuildLocked,
    RebuildRefused,
    SourceError,
    StaleFormat,
)
from index.home import Home
from index.logs import EscapingFormatter
from index.rebuild import RebuildReport, rollback, run_rebuild, status
from index.report import build_report, csvfiles, html
from index.settings import Settings
from index.sources import read_source
from index.sources.report import format_report
from index.store import check_format, read_meta
from index.understand import explain as explain_places
from index.watch import watch

log = logging.getLogger("orienteur")

REBUILD_WAIT = 600.0
"""Seconds a build or rebuild waits for another one to finish before giving up."""


def configure_logging(level: str) -> None:
    """One stderr handler whose lines cannot be forged by what they print (``index.logs``)."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(EscapingFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    logging.basicConfig(level=level.upper(), handlers=[handler])
    # httpx logs every request URL at INFO, and the Bot API's URLs carry the token.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    # python-telegram-bot logs whole updates and API answers at DEBUG: what people typed, their
    # names and positions. Never below INFO, whatever ORIENTEUR_LOG_LEVEL says.
    logging.getLogger("telegram").setLevel(max(logging.INFO, logging.getLevelName(level.upper())))


class OrienteurGroup(click.Group):
    """Adds the subcommands that installed front ends declare."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(set(super().list_commands(ctx)) | {ep.name for ep in _plugins()})

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        command = super().get_command(ctx, name)
        if command is not None:
            return command
        for ep in _plugins():
            if ep.name == name:
                return ep.load()
        return None


def _plugins():
    return entry_points(group="orienteur.commands")


@click.group(cls=OrienteurGroup)
@click.pass_context
def main(ctx: click.Context) -> None:
    """Orienteur: find digital-inclusion places from a French message."""
    try:
        settings = Settings.from_env()
    except ValueError as exc:
        raise click.ClickException(str(exc)) from None
    configure_logging(settings.log_level)
    ctx.obj = settings


def settings_of(ctx: click.Context) -> Settings:
    return ctx.find_root().obj


def ensure_index(settings: Settings) -> Engine:
    """The engine over the served index, built first when needed (see ``ensure_built``)."""
    ensure_built(settings)
    return Engine.from_settings(settings)


def ensure_built(settings: Settings) -> None:
    """Build the index from the default source when none is served yet, and from its own sources
    again when older code wrote it in a stored format this code does not read (before workers start)."""
    home = Home(Path(settings.home).expanduser())
    current = home.current()
    if current is None:
        click.echo(f"No index yet in {settings.home}: building it from {', '.join(settings.sources)}…", err=True)
        _build(settings, settings.sources)
    else:
        try:
            meta = read_meta(current)
            check_format(current, meta)
        except StaleFormat as exc:
            own = [s["location"] for s in meta.get("sources", [])
                   if isinstance(s, dict) and isinstance(s.get("location"), str)]
            # Its own sources, unless a file of them is gone: then the configured ones.
            sources = own if own and all("://" in loc or Path(loc).exists() for loc in own) else settings.sources
            click.echo(f"{exc}. Rebuilding it from {', '.join(sources)}…", err=True)
            _build(settings, sources)
        except IndexUnavailable:
            pass  # damaged: the engine says so in the log, and the next rebuild replaces it


def _build(settings: Settings, sources: list[str]) -> RebuildReport:
    """Build and serve ``sources`` whatever is served now: the rebuild job, forced (same lock,
    smoke test, change report and history), so that ``rollback`` can undo it too."""
    try:
        return run_rebuild(settings, sources, force=True, wait=REBUILD_WAIT)
    except OrienteurError as exc:
        raise _failure(settings, exc) from None


@main.command("build")
@click.option("--source", "sources", multiple=True, metavar="PATH",
              help="Directory file; repeat to merge several. Default: ORIENTEUR_SOURCE.")
@click.pass_context
def build_command(ctx: click.Context, sources: tuple[str, ...]) -> None:
    """Build the index from directory files and serve it."""
    settings = settings_of(ctx)
    report = _build(settings, list(sources) or settings.sources)
    click.echo(f"Built version {report.served}: {report.places} places in {report.seconds:.1f} s "
               f"({Path(settings.home).expanduser()}).")


@main.command("check")
@click.argument("path")
@click.option("--limit", default=50, show_default=True, help="Problems listed at most.")
def check_command(path: str, limit: int) -> None:
    """Read a directory file and report its problems, without building anything.

    Exits non-zero only when the file as a whole is unusable.
    """
    try:
        result = read_source(path)
    except SourceError as exc:
        click.echo(f"{path}: unusable: {exc}", err=True)
        sys.exit(1)
    click.echo(format_report(result, path, limit=limit))


def _location(lat: float | None, lon: float | None) -> tuple[float, float] | None:
    if (lat is None) != (lon is None):
        raise click.UsageError("--lat and --lon go together")
    return (lat, lon) if lat is not None else None


def _result_line(hit) -> dict:
    place = hit.entry.place
    return {"id": place.id, "name": place.name, "commune": place.address.commune,
            "score": round(hit.score, 4), "tier": hit.tier,
            "distance_km": None if hit.distance_km is None else round(hit.distance_km, 2),
            "merged_ids": list(place.merged_ids)}


@main.command("search")
@click.argument("text", required=False, default="")
@click.option("--lat", type=float)
@click.option("--lon", type=float)
@click.option("--limit", default=10, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print the results as JSON.")
@click.option("--jsonl", is_flag=True, help='Read {"id","q","lat","lon"} lines on stdin, write one result line each.')
@click.option("--explain", is_flag=True, help="Print what was understood and how the search went.")
@click.pass_context
def search_command(ctx, text, lat, lon, limit, as_json, jsonl, explain) -> None:
    """Search the directory: ranked places for a message.

    One result per place, as one card shows it: a place that stands for several rows of the
    directory (duplicates merged) is listed once, by its own id, the other rows in "merged_ids".
    """
    engine = ensure_index(settings_of(ctx))
    if jsonl:
        _search_jsonl(engine, limit)
        return
    location = _location(lat, lon)
    query = engine.parse(text, *(location or (None, None)))
    results = engine.search(query, explain=explain)
    hits = results.hits[:limit]
    if as_json:
        click.echo(json.dumps({"understood": query.describe(), "widened": results.widened,
                               "results": [_result_line(h) for h in hits], "took_ms": round(results.took_ms, 2)},
                              ensure_ascii=False, indent=2))
        return
    click.echo(f"Compris : {query.describe() or '(rien)'}" + (" — élargi" if results.widened else ""))
    for note in query.notes:
        click.echo(f"  ({note})")
    for n, hit in enumerate(hits, 1):
        line = _result_line(hit)
        dist = f" {line['distance_km']} km" if line["distance_km"] is not None else ""
        ids = " + ".join([line["id"], *line["merged_ids"]])
        click.echo(f"{n:2}. {line['name']} — {line['commune']} [{ids}] "
                   f"score {line['score']:.3f} tier {line['tier']}{dist}")
        if explain:
            parts = ", ".join(f"{k} {s:.2f}/{c:g}" for k, (s, c) in hit.scores.items())
            click.echo(f"      {parts}; pourquoi: {', '.join(hit.reasons)}")
    if explain:
        for line in explain_places(text, engine.store.lexicon, *(location or (None, None))):
            click.echo(f"  · {line}")
        for line in results.trace:
            click.echo(f"  · {line}")
        click.echo(f"  · {results.took_ms:.1f} ms on version {results.version}")


def _search_jsonl(engine: Engine, limit: int) -> None:
    """The run format of ../shared/bench/score.py: one line per query on stdout, nothing else."""
    for lineno, line in enumerate(sys.stdin, 1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
            qid, text = item.get("id", lineno), str(item.get("q") or "")
            location = _location(item.get("lat"), item.get("lon"))
        except (ValueError, AttributeError, click.UsageError) as exc:
            log.warning("stdin line %d skipped: %s", lineno, exc)
            continue
        started = time.perf_counter()
        results = engine.search(engine.parse(text, *(location or (None, None))))
        took = (time.perf_counter() - started) * 1000
        out = {"id": qid, "results": [_result_line(h) for h in results.hits[:limit]], "took_ms": round(took, 3)}
        sys.stdout.write(json.dumps(out, ensure_ascii=False) + "\n")
    sys.stdout.flush()


@main.command("ask")
@click.argument("text", required=False, default="")
@click.option("--lat", type=float)
@click.option("--lon", type=float)
@click.option("--explain", is_flag=True, help="Also print the search trace.")
@click.pass_context
def ask_command(ctx, text, lat, lon, explain) -> None:
    """Print the reply the bot and the web chat would give to one message."""
    settings = settings_of(ctx)
    engine = ensure_index(settings)
    # Not counted among what people asked: a maintainer trying a question is not someone helped.
    conversation = Conversation(engine, page_size=settings.page_size)
    reply = conversation.handle("cli", text, _location(lat, lon))
    click.echo(reply.text)
    for card in reply.cards:
        click.echo("")
        click.echo(card.text)
        if card.distance_text:
            click.echo(card.distance_text)
        if card.why:
            click.echo("Pourquoi : " + ", ".join(card.why))
    if explain:
        results = engine.search(engine.parse(text, *(_location(lat, lon) or (None, None))), explain=True)
        for line in results.trace:
            click.echo(f"  · {line}", err=True)


@main.command("export")
@click.option("--format", "fmt", type=click.Choice(["standard-csv", "geojson"]), default="standard-csv",
              show_default=True, help="The national standard v1.0.2 as CSV, or GeoJSON points.")
@click.option("--out", type=click.Path(dir_okay=False, writable=True), help="File to write (default: stdout).")
@click.pass_context
def export_command(ctx: click.Context, fmt: str, out: str | None) -> None:
    """Write the served directory in the national data standard (v1.0.2) or as GeoJSON."""
    from index.export import write_geojson, write_standard_csv

    engine = ensure_index(settings_of(ctx))
    places = [e.place for e in engine.store.entries]
    write = write_standard_csv if fmt == "standard-csv" else write_geojson
    if out:
        with open(out, "w", encoding="utf-8", newline="") as stream:
            report = write(places, stream)
    else:
        report = write(places, click.get_text_stream("stdout"))
    click.echo(f"{report.rows} places written as {fmt}" + (f" to {out}" if out else ""), err=True)
    for note in report.notes[:20]:
        click.echo(f"  {note}", err=True)
    if len(report.notes) > 20:
        click.echo(f"  … and {len(report.notes) - 20} more notes", err=True)


@main.command("report")
@click.option("--out", type=click.Path(dir_okay=False, writable=True),
              help="HTML file to write (default: stdout).")
@click.option("--csv", "csv_dir", type=click.Path(file_okay=False), help="Also write the parts as CSV files here.")
@click.option("--days", default=30, show_default=True, type=click.IntRange(1, 3660),
              help="Days of questions counted in part 3.")
@click.pass_context
def report_command(ctx: click.Context, out: str | None, csv_dir: str | None, days: int) -> None:
    """Where the served directory fails people: rows to fix, communes far from help, questions unanswered."""

    settings = settings_of(ctx)
    engine = ensure_index(settings)
    report = build_report(engine.store, AskedLog.from_settings(settings), days)
    page = html.render(report)
    if out:
        Path(out).write_text(page, encoding="utf-8")
        click.echo(f"Report on version {report.version} written to {out}", err=True)
    else:
        click.echo(page)
    if csv_dir:
        for path in csvfiles.write(report, Path(csv_dir)):
            click.echo(f"  {path}", err=True)


@main.command("settings")
def settings_command() -> None:
    """List the ORIENTEUR_* environment variables, their defaults and meaning."""
    for var, default, help_text in Settings.documented():
        click.echo(f"{var} (default: {default!r})\n    {help_text}")


# --- rebuild, rollback, status: the rebuild job (index.rebuild) -------------------------------

EXIT_LOCKED = 3
"""Exit status of a rebuild or rollback that found another rebuild running (1: refused or failed)."""


class Locked(click.ClickException):
    exit_code = EXIT_LOCKED


def _served(settings: Settings) -> str:
    name = Home(Path(settings.home).expanduser()).current_name()
    return f"still serving {Path(name).name}" if name else "no index is served yet"


def _failure(settings: Settings, error: OrienteurError) -> click.ClickException:
    """A rebuild's error as the command's failure: what went wrong, and what is still served."""
    if isinstance(error, RebuildLocked):
        return Locked(str(error))
    what = {RebuildRefused: "Refused", SourceError: "Source unusable", BuildError: "Build failed"}
    label = next((v for k, v in what.items() if isinstance(error, k)), "Failed")
    return click.ClickException(f"{label}: {error}. Nothing changed: {_served(settings)}.")


def _status_of(error: OrienteurError) -> str:
    """``locked``, ``refused`` (the data, or a source) or ``failed``: what a rebuild's error means."""
    if isinstance(error, RebuildLocked):
        return "locked"
    return "refused" if isinstance(error, RebuildRefused | SourceError) else "failed"


def _echo_outcome(settings: Settings, outcome, as_json: bool = False) -> None:
    """Print a rebuild's report, or turn its error into the command's failure."""
    if isinstance(outcome, OrienteurError):
        if as_json:  # the caller (POST /admin/rebuild) reads what happened from stdout
            click.echo(json.dumps({"status": _status_of(outcome), "error": str(outcome)}, ensure_ascii=False))
        raise _failure(settings, outcome)
    if as_json:
        click.echo(json.dumps(outcome.to_dict(), ensure_ascii=False, indent=2))
        return
    if outcome.status == "unchanged":
        click.echo(f"Unchanged: {outcome.message}.")
        return
    sources = ", ".join(s["location"] for s in outcome.sources)
    click.echo(f"Rebuilt: now serving version {outcome.served} ({outcome.places} places from {sources}) "
               f"in {outcome.seconds:.1f} s.")
    for reason in outcome.overridden:
        click.echo(f"  forced past: {reason}")
    for source in outcome.sources:
        for line in source.get("skipped_rows", []):
            click.echo(f"  {source['location']}: {line}")
    for line in outcome.changes.lines():
        click.echo(f"  {line}")
    home = Path(settings.home).expanduser()
    click.echo(f"  full change report: {home / 'versions' / outcome.served / 'changes.json'}")


@main.command("rebuild")
@click.option("--source", "sources", multiple=True, metavar="PATH|URL",
              help="Directory file or http(s) URL; repeat to merge several. Default: ORIENTEUR_SOURCE.")
@click.option("--force", is_flag=True,
              help="Rebuild even if unchanged, past the bad-rows, truncation, loss and coordinates checks "
                   "(never past an unreadable file).")
@click.option("--wait", default=REBUILD_WAIT, show_default=True, metavar="SECONDS",
              help="How long to wait for another rebuild to finish before giving up (exit 3).")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@click.option("--watch", is_flag=True, help="Rebuild now, then whenever a source changes, until interrupted.")
@click.option("--interval", default=2.0, show_default=True, help="--watch: seconds between looks at the files.")
@click.option("--debounce", default=2.0, show_default=True,
              help="--watch: seconds a changed file must stay still before the rebuild.")
@click.option("--url-interval", default=300.0, show_default=True, help="--watch: seconds between fetches of URLs.")
@click.pass_context
def rebuild_command(ctx, sources, force, wait, as_json, watch, interval, debounce, url_interval) -> None:
    """Fetch the sources; if they changed and pass the checks, build, test and serve a new version.

    Exits 0 when rebuilt or unchanged, 1 when refused or failed (the served index is kept),
    3 when another rebuild kept the lock for --wait seconds.
    """
    settings = settings_of(ctx)
    if not watch:
        try:
            outcome = run_rebuild(settings, list(sources), force=force, wait=wait)
        except OrienteurError as exc:
            outcome = exc
        _echo_outcome(settings, outcome, as_json)
        return
    if force:
        raise click.UsageError("--force does not go with --watch: force one rebuild, then watch")
    _watch(settings, list(sources), as_json, wait=wait, interval=interval, debounce=debounce,
           url_interval=url_interval)


def _watch(settings: Settings, sources: list[str], as_json: bool, **timing) -> None:
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())

    def show(outcome) -> None:
        try:
            _echo_outcome(settings, outcome, as_json)
        except click.ClickException as exc:
            click.echo(f"Error: {exc.format_message()}", err=True)

    click.echo(f"Watching {', '.join(sources or settings.sources)} (Ctrl-C to stop).", err=True)
    with contextlib.suppress(KeyboardInterrupt):
        watch(settings, sources, show, stop, **timing)
    click.echo("Stopped watching.", err=True)


@main.command("rollback")
@click.option("--wait", default=REBUILD_WAIT, show_default=True, metavar="SECONDS",
              help="How long to wait for a running rebuild to finish.")
@click.pass_context
def rollback_command(ctx, wait) -> None:
    """Serve the previous version again (once more: the one before it)."""
    settings = settings_of(ctx)
    try:
        left, served = rollback(settings, wait=wait)
    except RebuildLocked as exc:
        raise Locked(str(exc)) from None
    except OrienteurError as exc:
        raise click.ClickException(f"Cannot roll back: {exc}.") from None
    click.echo(f"Rolled back: now serving version {served} (was {left}).")


def _days(n: int) -> str:
    return f"{n} day" if n == 1 else f"{n} days"


@main.command("status")
@click.option("--json", "as_json", is_flag=True, help="Print the status as JSON.")
@click.pass_context
def status_command(ctx, as_json) -> None:
    """The served version, its sources, when it was built, its places and the last rebuild."""
    info = status(settings_of(ctx))
    if as_json:
        click.echo(json.dumps(info, ensure_ascii=False, indent=2))
        return
    if info["version"] is None:
        click.echo(f"No index served in {info['home']}.")
    else:
        click.echo(f"Version:  {info['version']} (built {info['built_at']}), {info['places']} places")
        for s in info["sources"]:
            click.echo(f"Source:   {s['location']} ({s.get('format', '?')}, {s.get('rows', '?')} rows, "
                       f"{s.get('places', '?')} places, {s.get('skipped', '?')} skipped)")
        data = info["data"]
        click.echo(f"Data:     {replies.attribution(data['publisher'], data['date'], data['sample'])} "
                   f"(dated {data['date']}, {_days(data['age_days'])} old)")
        if data["fallback"]:
            click.echo(f"          the snapshot stood in for an unreachable source: {data['fallback']['reason']}")
        c = info["changes"]
        if c:
            click.echo(f"Changes:  +{c['added']} added, -{c['removed']} removed, ~{c['changed']} changed "
                       f"({c['before']} -> {c['after']} places)")
        click.echo(f"Kept:     {', '.join(info['versions'])}; rollback goes to {info['previous'] or 'nothing'}")
    last = info["last_rebuild"]
    if last:
        line = f"{last['status']} at {last['started_at']}"
        if last.get("message"):
            line += f": {last['message']}"
        click.echo(f"Last run: {line}")


if __name__ == "__main__":
    main()
