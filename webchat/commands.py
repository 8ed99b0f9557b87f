"""``orienteur serve``: run the web chat over the served index (built from the sample on first use)."""

from __future__ import annotations

import click
from aiohttp import web

from index.cli import ensure_index, settings_of
from index.conversation import Conversation
from webchat.accesslog import PathAccessLogger
from webchat.app import create_app


@click.command("serve")
@click.option("--host", default=None, help="Address to listen on. Default: ORIENTEUR_HOST (127.0.0.1).")
@click.option("--port", type=click.IntRange(0, 65535), default=None,
              help="Port to listen on. Default: ORIENTEUR_PORT (8080).")
@click.pass_context
def serve(ctx: click.Context, host: str | None, port: int | None) -> None:
    """Serve the web chat for front-desk staff."""
    settings = settings_of(ctx)
    engine = ensure_index(settings)
    conversation = Conversation.from_settings(engine, settings)
    app = create_app(settings, conversation)
    host = host or settings.host
    port = settings.port if port is None else port
    try:
        web.run_app(app, host=host, port=port, access_log_class=PathAccessLogger,
                    print=lambda message: click.echo(message, err=True))
    except OSError as exc:
        raise click.ClickException(f"cannot listen on {host}:{port}: {exc}") from None
