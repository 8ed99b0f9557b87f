"""The web chat application: ``create_app(settings, conversation)`` assembles it, nothing runs it.

``orienteur serve`` (commands.py) runs it; tests drive it with ``aiohttp_client``.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Callable

from aiohttp import web

from index.conversation import Conversation
from index.settings import Settings
from webchat.middlewares import (
    body_deadline_middleware,
    error_middleware,
    rate_limit_middleware,
    security_headers_middleware,
)
from webchat.ratelimit import RateLimiter, RedisRateLimiter
from webchat.routes import setup_routes
from webchat.typedefs import CONVERSATION, LIMITER, PAGE, SETTINGS, WATCHER
from webchat.views import render_page

MAX_BODY = 16 * 1024
"""Largest request body accepted, in bytes: a chat message is a few words, a rebuild request a few paths."""


def create_app(settings: Settings, conversation: Conversation, *, clock: Callable[[], float] = time.monotonic,
               watch: bool = True) -> web.Application:
    """The web chat over ``conversation``; ``clock`` drives the in-process rate limiter (tests pass a
    fake one); with ``settings.redis_url`` the limits are kept in Redis, on its clock.

    With ``watch``, a background task picks up a rebuilt index every ``settings.reload_interval`` s.
    """
    app = web.Application(
        client_max_size=MAX_BODY,
        # Outermost first: headers go on every answer, errors included; the limiter answers in JSON too,
        # before any body is read.
        middlewares=[security_headers_middleware, error_middleware, rate_limit_middleware,
                     body_deadline_middleware(settings.body_timeout)],
    )
    app[SETTINGS] = settings
    app[CONVERSATION] = conversation
    app[LIMITER] = RedisRateLimiter(settings.redis_url, settings.rate_limit, settings.rate_burst) \
        if settings.redis_url else RateLimiter(settings.rate_limit, settings.rate_burst, clock=clock)
    setup_routes(app)
    app[PAGE] = render_page(app)
    if watch:
        app.cleanup_ctx.append(index_watcher)
    return app


async def index_watcher(app: web.Application) -> AsyncIterator[None]:
    """Run ``Engine.watch`` for the app's lifetime, so a rebuilt index is served without a restart."""
    engine = app[CONVERSATION].engine
    app[WATCHER] = asyncio.create_task(engine.watch(app[SETTINGS].reload_interval), name="index-watcher")
    yield
    app[WATCHER].cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await app[WATCHER]
