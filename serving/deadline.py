"""A deadline on reading a request's body, for every aiohttp server Orienteur runs."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable

from aiohttp import web
from aiohttp.typedefs import Handler, Middleware

log = logging.getLogger(__name__)


def request_timeout() -> web.Response:
    """aiohttp's own 408, for a server with no error format of its own (the bot's webhook)."""
    return web.Response(status=408, text="408: Request Timeout")


def body_deadline_middleware(seconds: float,
                             too_slow: Callable[[], web.Response] = request_timeout) -> Middleware:
    """Read each request's body within ``seconds`` in all, before any handler sees it.

    A client announcing a body and sending it slowly, or never, would otherwise hold its
    connection (and a file descriptor) for as long as it likes: it gets ``too_slow()`` (a 408,
    sent from here, so complete with the headers the server's outer middlewares would add) and
    the connection is closed. A client that leaves mid-body gets nothing, and no traceback is logged.
    """

    @web.middleware
    async def body_deadline(request: web.Request, handler: Handler) -> web.StreamResponse:
        if request.body_exists:
            try:
                async with asyncio.timeout(seconds):
                    await request.read()  # kept by aiohttp: the handler's read() or json() reuses it
            except TimeoutError:
                log.info("request body not received within %g s: %s %s", seconds, request.method, request.path)
                return await _answer_and_hang_up(request, too_slow())
            except (ConnectionError, asyncio.IncompleteReadError):
                return await _answer_and_hang_up(request, web.Response(status=400))  # nobody is left to read it
        return await handler(request)

    return body_deadline


async def _answer_and_hang_up(request: web.Request, response: web.Response) -> web.Response:
    """Send ``response`` and close the connection at once: aiohttp would otherwise linger, reading
    what is left of the body for up to 10 s, which is what a stalling client wants."""
    response.force_close()
    with contextlib.suppress(ConnectionError):
        await response.prepare(request)
        await response.write_eof()
    request.protocol.force_close()
    return response
