"""``orienteur bot``: run the Telegram bot by long polling, or as a webhook server.

Added to the ``orienteur`` group through the ``orienteur.commands`` entry point. The token
is checked before anything touches the network: missing or malformed, the command says so
on stderr and exits with status 2 (as for any usage error).
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import os
import re
import secrets
import signal
from urllib.parse import urlsplit

import click
from telegram import Update
from telegram.error import InvalidToken, TelegramError

from bot.app import build_application, serve_webhook
from index.cli import ensure_built, ensure_index, settings_of
from index.conversation import Conversation
from index.engine import Engine
from index.settings import Settings
from index.workers import run_workers, worker_count

log = logging.getLogger(__name__)

TOKEN = re.compile(r"\d{5,}:[A-Za-z0-9_-]{30,}")
"""A bot token as @BotFather gives it: the bot's id, a colon, a long secret."""
SECRET_TOKEN = re.compile(r"[A-Za-z0-9_-]{1,256}")
"""What Telegram accepts as a webhook secret token."""

MISSING_TOKEN = (
    "ORIENTEUR_TELEGRAM_TOKEN n'est pas défini : mettez-y le jeton du bot donné par @BotFather.\n"
    "ORIENTEUR_TELEGRAM_TOKEN is not set: put the bot token from @BotFather in it."
)
MALFORMED_TOKEN = (
    "ORIENTEUR_TELEGRAM_TOKEN n'a pas la forme d'un jeton de bot (123456789:ABC… : des chiffres, « : », "
    "puis au moins 30 lettres, chiffres, _ ou -).\n"
    "ORIENTEUR_TELEGRAM_TOKEN does not look like a bot token (123456789:ABC…: digits, ':', "
    "then at least 30 letters, digits, _ or -)."
)


def token_problem(token: str) -> str | None:
    """Why ``token`` cannot be a bot token, or None. The token itself is never echoed: it is a secret."""
    if not token:
        return MISSING_TOKEN
    if not TOKEN.fullmatch(token):
        return MALFORMED_TOKEN
    return None


def settings_problem(settings: Settings, webhook: str | None) -> str | None:
    """The first setting that stops the bot from starting, said in French and English, or None."""
    if problem := token_problem(settings.telegram_token):
        return problem
    if not settings.telegram_api_url.startswith(("https://", "http://")):
        return ("ORIENTEUR_TELEGRAM_API_URL doit commencer par https:// (ou http:// pour un serveur local).\n"
                "ORIENTEUR_TELEGRAM_API_URL must start with https:// (or http:// for a local server).")
    if webhook is not None:
        parts = urlsplit(webhook)
        if parts.scheme != "https" or not parts.hostname:
            return ("--webhook doit être une adresse https:// publique (Telegram n'appelle que HTTPS).\n"
                    "--webhook must be a public https:// URL (Telegram only calls HTTPS).")
        if settings.webhook_secret and not SECRET_TOKEN.fullmatch(settings.webhook_secret):
            return ("ORIENTEUR_WEBHOOK_SECRET : 1 à 256 lettres, chiffres, _ ou - seulement.\n"
                    "ORIENTEUR_WEBHOOK_SECRET: 1 to 256 letters, digits, _ or - only.")
    return None


class Redact(logging.Filter):
    """Masks the bot token in every log line: the Bot API's URLs carry it (PTB logs them at DEBUG)."""

    def __init__(self, secret: str) -> None:
        super().__init__()
        self.secret = secret

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if self.secret and self.secret in message:
            record.msg, record.args = message.replace(self.secret, "***"), ()
        return True


@click.command("bot")
@click.option("--webhook", metavar="URL",
              help="Public HTTPS URL that Telegram posts updates to (through the reverse proxy). "
                   "Without it, the bot polls Telegram.")
@click.option("--listen", default="127.0.0.1", show_default=True, help="Address the webhook server listens on.")
@click.option("--port", default=8443, show_default=True, type=click.IntRange(1, 65535),
              help="Port the webhook server listens on.")
@click.option("--workers", default=1, show_default=True, type=click.IntRange(0),
              help="With --webhook: processes sharing the port (0: one per core). Polling runs one.")
@click.pass_context
def bot(ctx: click.Context, webhook: str | None, listen: str, port: int, workers: int) -> None:
    """Run the Telegram bot (ORIENTEUR_TELEGRAM_TOKEN), by long polling or with --webhook."""
    # Time periods as timedelta (PTB 22 otherwise warns on every 429, from RetryAfter's own __init__).
    os.environ.setdefault("PTB_TIMEDELTA", "true")
    settings = settings_of(ctx)
    settings = dataclasses.replace(settings, telegram_token=settings.telegram_token.strip())
    if problem := settings_problem(settings, webhook):
        click.echo(problem, err=True)
        ctx.exit(2)
    count = worker_count(workers)
    if webhook is None and count > 1:
        click.echo("--workers needs --webhook: Telegram gives updates to one poller only.", err=True)
        ctx.exit(2)
    redact = Redact(settings.telegram_token)
    for handler in logging.getLogger().handlers:
        handler.addFilter(redact)
    try:
        if webhook is None:
            conversation = Conversation.from_settings(ensure_index(settings), settings)
            try:
                build_application(settings, conversation).run_polling(allowed_updates=Update.ALL_TYPES,
                                                                      bootstrap_retries=5)
            finally:
                conversation.close()
            return
        if not settings.webhook_secret:  # made up once, so that every worker checks the same one
            settings = dataclasses.replace(settings, webhook_secret=secrets.token_urlsafe(32))
            log.info("ORIENTEUR_WEBHOOK_SECRET is empty: using a secret made up for this run")
        ensure_built(settings)
        if count == 1:
            asyncio.run(_webhook(settings, webhook, listen, port))
        elif run_workers(lambda n: asyncio.run(_webhook(settings, webhook, listen, port, worker=n)), count,
                         "bot worker"):
            raise click.ClickException(f"the bot's workers could not serve {listen}:{port} (see the log above)")
    except InvalidToken:
        click.echo("Telegram refuse ce jeton (ORIENTEUR_TELEGRAM_TOKEN).\n"
                   "Telegram refused the token (ORIENTEUR_TELEGRAM_TOKEN).", err=True)
        ctx.exit(2)
    except TelegramError as exc:
        raise click.ClickException(f"Telegram unreachable: {exc}") from None


async def _webhook(settings: Settings, url: str, listen: str, port: int, worker: int | None = None) -> None:
    """One webhook server: its own engine; with ``worker`` one of several on the port (worker 0
    registers the URL). Conversations are shared through the store."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    conversation = Conversation.from_settings(Engine.from_settings(settings), settings)
    application = build_application(settings, conversation, polling=False)
    try:
        await serve_webhook(application, url, urlsplit(url).path or "/", settings.webhook_secret, listen, port,
                            stop, settings.body_timeout, reuse_port=worker is not None, register=not worker)
    finally:
        conversation.close()
