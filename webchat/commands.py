"""``orienteur serve``: run the web chat over the served index (built from the sample on first use)."""

from __future__ import annotations

import click
from aiohttp import web

from index.cli import ensure_built, settings_of
from index.conversation import Conversation
from index.engine import Engine
from index.settings import Settings
from index.workers import run_workers, worker_count
from webchat.accesslog import PathAccessLogger
from webchat.app import create_app


@click.command("serve")
@click.option("--host", default=None, help="Address to listen on. Default: ORIENTEUR_HOST (127.0.0.1).")
@click.option("--port", type=click.IntRange(0, 65535), default=None,
              help="Port to listen on. Default: ORIENTEUR_PORT (8080).")
@click.option("--workers", type=click.IntRange(0), default=None,
              help="Processes serving the port (SO_REUSEPORT). Default: ORIENTEUR_WORKERS (0: one per core).")
@click.pass_context
def serve(ctx: click.Context, host: str | None, port: int | None, workers: int | None) -> None:
    """Serve the web chat for front-desk staff."""
    settings = settings_of(ctx)
    ensure_built(settings)
    host = host or settings.host
    port = settings.port if port is None else port
    count = worker_count(settings.workers if workers is None else workers)
    if count == 1:
        serve_one(settings, host, port)
        return
    if port == 0:
        raise click.UsageError("--port 0 picks a port per process: several workers need a fixed port")
    if run_workers(lambda n: serve_one(settings, host, port, reuse_port=True, quiet=n > 0), count, "web worker"):
        raise click.ClickException(f"the web chat's workers could not serve {host}:{port} (see the log above)")


def serve_one(settings: Settings, host: str, port: int, reuse_port: bool = False, quiet: bool = False) -> None:
    """One process serving the web chat: its own engine, the shared conversation store."""
    conversation = Conversation.from_settings(Engine.from_settings(settings), settings)
    app = create_app(settings, conversation)
    try:
        web.run_app(app, host=host, port=port, reuse_port=reuse_port or None, access_log_class=PathAccessLogger,
                    print=None if quiet else lambda message: click.echo(message, err=True))
    except OSError as exc:
        raise click.ClickException(f"cannot listen on {host}:{port}: {exc}") from None
    finally:
        conversation.close()
