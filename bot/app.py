"""The Telegram ``Application``, assembled in one function, and the webhook server beside it.

``build_application(settings, conversation)`` wires the builder (token and ``base_url``
from the settings, so tests and a local Bot API server can stand in for Telegram), the
rate limiter, a per-chat ordered update processor, the handlers and the error handler.
``post_init`` registers the command menu and starts the index reload watcher (a rebuilt
index is served without a restart); ``post_stop`` stops it. ``orienteur bot`` runs it with
``run_polling``; ``serve_webhook`` runs it behind an aiohttp server, as python-telegram-bot's
``customwebhookbot`` examples do (``updater(None)``, ``async with application``).
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import logging
from collections.abc import Awaitable
from typing import Any

from aiohttp import web
from telegram import Update
from telegram.error import TelegramError
from telegram.ext import Application, ApplicationBuilder, BaseRateLimiter, BaseUpdateProcessor

from bot import handlers
from bot.limits import ChatRateLimiter
from index.conversation import Conversation
from index.settings import Settings
from serving.deadline import body_deadline_middleware  # the same deadline as the web chat's

log = logging.getLogger(__name__)

MAX_CONCURRENT_UPDATES = 256
"""Updates handled at once; those of one chat still wait for each other."""
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
APPLICATION = web.AppKey("application", Application)
SECRET = web.AppKey("secret", str)


class ChatOrderedProcessor(BaseUpdateProcessor):
    """Handle updates concurrently, except that one chat's updates run one after the other.

    A slow reply in one chat (throttled by the rate limiter) then never delays the others,
    while a chat's answers keep the order of its questions and its conversation state is
    never updated by two messages at once. An update waits for its chat's turn *before* it
    takes one of the ``max_concurrent_updates`` slots, so a chat flooding the bot queues
    behind itself without filling the slots the other chats need.
    """

    def __init__(self, max_concurrent_updates: int = MAX_CONCURRENT_UPDATES) -> None:
        super().__init__(max_concurrent_updates)
        self._locks: dict[int, asyncio.Lock] = {}
        self._waiting: dict[int, int] = {}

    async def process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        chat = update.effective_chat if isinstance(update, Update) else None
        if chat is None:
            await super().process_update(update, coroutine)
            return
        lock = self._locks.setdefault(chat.id, asyncio.Lock())
        self._waiting[chat.id] = self._waiting.get(chat.id, 0) + 1
        try:
            async with lock:
                await super().process_update(update, coroutine)
        finally:
            self._waiting[chat.id] -= 1
            if not self._waiting[chat.id]:  # nobody else queued: forget the chat (bounded memory)
                del self._waiting[chat.id], self._locks[chat.id]

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        await coroutine

    async def initialize(self) -> None:
        pass

    async def shutdown(self) -> None:
        pass


async def on_start(application: Application) -> None:
    """post_init: the command menu, and the watcher that picks up a rebuilt index."""
    data: handlers.BotData = application.bot_data
    try:
        await application.bot.set_my_commands(handlers.COMMANDS)
    except TelegramError as exc:  # a missing menu is no reason not to answer
        log.warning("command menu not registered: %s", exc)
    if data.conversation is not None and data.watcher is None:
        data.watcher = asyncio.create_task(data.conversation.engine.watch(data.reload_interval),
                                           name="orienteur:index-watch")


async def on_stop(application: Application) -> None:
    """post_stop: stop the index watcher."""
    data: handlers.BotData = application.bot_data
    if data.watcher is not None:
        data.watcher.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await data.watcher
        data.watcher = None


def build_application(settings: Settings, conversation: Conversation, *, polling: bool = True,
                      rate_limiter: BaseRateLimiter | None = None) -> Application:
    """The bot, ready to run: ``polling=False`` builds it without an updater, for a webhook."""
    builder = (
        ApplicationBuilder()
        .token(settings.telegram_token)
        .base_url(settings.telegram_api_url)
        .context_types(handlers.CONTEXT_TYPES)
        .concurrent_updates(ChatOrderedProcessor())
        .rate_limiter(rate_limiter or ChatRateLimiter())
        .post_init(on_start)
        .post_stop(on_stop)
    )
    if not polling:
        builder = builder.updater(None)
    application = builder.build()
    data: handlers.BotData = application.bot_data
    data.conversation = conversation
    data.reload_interval = settings.reload_interval
    handlers.register(application)
    return application


# -- webhook ----------------------------------------------------------------------------------

async def receive(request: web.Request) -> web.Response:
    """POST from Telegram: check the secret token, queue the update, answer at once."""
    secret = request.app[SECRET]
    # Anyone can find the URL; only Telegram knows the secret it was given with setWebhook.
    if not hmac.compare_digest(request.headers.get(SECRET_HEADER, "").encode(), secret.encode()):
        log.warning("webhook call without the right secret token from %s", request.remote)
        raise web.HTTPForbidden()
    application = request.app[APPLICATION]
    try:
        body = await request.json()
        if not isinstance(body, dict):
            raise TypeError(f"a JSON {type(body).__name__}, not an object")
        update = Update.de_json(body, application.bot)
    # RecursionError: JSON nested thousands deep; OverflowError, OSError: a date no clock can hold (1e20).
    except (ValueError, TypeError, KeyError, AttributeError, RecursionError, OverflowError, OSError) as exc:
        log.warning("webhook body is not an update (%s)", type(exc).__name__)
        raise web.HTTPBadRequest() from None
    await application.update_queue.put(update)
    return web.Response()


async def health(request: web.Request) -> web.Response:
    """GET: for the reverse proxy's checks."""
    return web.Response(text="ok")


def webhook_app(application: Application, path: str, secret: str,
                body_timeout: float = Settings.body_timeout) -> web.Application:
    """The aiohttp app receiving Telegram's POSTs at ``path``; a body must arrive within ``body_timeout`` s."""
    app = web.Application(client_max_size=1024 * 1024, middlewares=[body_deadline_middleware(body_timeout)])
    app[APPLICATION] = application
    app[SECRET] = secret
    app.router.add_post(path, receive)
    app.router.add_get(path, health)
    return app


async def serve_webhook(application: Application, url: str, path: str, secret: str, listen: str, port: int,
                        stop: asyncio.Event, body_timeout: float = Settings.body_timeout, *,
                        reuse_port: bool = False, register: bool = True) -> None:
    """Serve updates on ``listen:port`` until ``stop`` is set, and (``register``) give Telegram ``url``.

    Several workers share the port with ``reuse_port``; one of them registers the URL."""
    runner = web.AppRunner(webhook_app(application, path, secret, body_timeout))
    async with application:
        await on_start(application)
        await application.start()
        await runner.setup()
        try:
            await web.TCPSite(runner, listen, port, reuse_port=reuse_port or None).start()
            # Listening first: Telegram may post as soon as it knows the URL.
            if register:
                await handlers.deliver(lambda: application.bot.set_webhook(
                    url, secret_token=secret, allowed_updates=Update.ALL_TYPES), "setWebhook")
            log.info("webhook %s served on %s:%d%s", url, listen, port, path)
            await stop.wait()
        finally:
            await runner.cleanup()
            await application.stop()
            await on_stop(application)

