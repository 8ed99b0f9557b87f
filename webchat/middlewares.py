"""Cross-cutting answers: security headers on everything, errors as JSON, a rate limit per address,
and a deadline on reading a request's body (``serving.deadline``, which the bot's webhook server uses too)."""

from __future__ import annotations

import logging

from aiohttp import web
from aiohttp.typedefs import Handler, Middleware

from index.conversation import replies
from index.errors import IndexUnavailable
from serving import deadline
from webchat import words
from webchat.typedefs import LIMITER, SETTINGS

log = logging.getLogger(__name__)

CSP = "; ".join((
    "default-src 'self'",
    # No inline script or style anywhere: the page's data travels in a JSON block read as text.
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    # The chat is never framed by another site (clickjacking the "Autour de moi" permission).
    "frame-ancestors 'none'",
))
SECURITY_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    # Links out to OpenStreetMap must not tell it what the desk was looking at.
    "Referrer-Policy": "no-referrer",
    "Permissions-Policy": "geolocation=(self), camera=(), microphone=(), payment=()",
    "Cross-Origin-Opener-Policy": "same-origin",
}

MESSAGES = {
    400: words.WEB_BAD_REQUEST,
    401: words.WEB_UNAUTHORIZED,
    404: words.WEB_NOT_FOUND,
    405: words.WEB_METHOD_NOT_ALLOWED,
    408: words.WEB_TOO_SLOW,
    413: words.WEB_TOO_LARGE,
    429: words.TOO_MANY_REQUESTS,
}
LIMITED = ("/api/", "/admin/")
"""Path prefixes under the rate limit; the page's files and /healthz are not."""


@web.middleware
async def security_headers_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    response = await handler(request)
    _secure(response)
    if request.path.startswith(LIMITED) or request.path == "/healthz":
        response.headers.setdefault("Cache-Control", "no-store")
    return response


def _secure(response: web.StreamResponse) -> None:
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)


def error_response(status: int, message: str, code: str, headers=None) -> web.Response:
    return web.json_response({"error": message, "code": code, "status": status}, status=status, headers=headers)


@web.middleware
async def error_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """HTTP errors as ``{"error": French message, "code", "status"}``; the unexpected logged, then a 500."""
    try:
        return await handler(request)
    except web.HTTPException as exc:
        if exc.status < 400:
            raise
        message = getattr(exc, "message", None) or MESSAGES.get(exc.status, words.WEB_BAD_REQUEST)
        code = getattr(exc, "code", None) or exc.reason.lower().replace(" ", "_")
        headers = {k: v for k, v in exc.headers.items() if k in ("Retry-After", "WWW-Authenticate", "Allow")}
        return error_response(exc.status, message, code, headers)
    except IndexUnavailable:
        return error_response(503, replies.UNAVAILABLE, "unavailable", {"Retry-After": "60"})
    except Exception:
        log.exception("unexpected error on %s %s", request.method, request.path)
        return error_response(500, replies.ERROR, "internal_error")


def client_address(request: web.Request, proxies: frozenset[str]) -> str:
    """The client's address: the peer, or behind trusted proxies the last X-Forwarded-For hop they
    did not add themselves. A client's own X-Forwarded-For is believed only from a trusted peer,
    so nobody can spoof an address to dodge the limit."""
    address = request.remote or "unknown"
    if address not in proxies:
        return address
    hops = [h.strip() for h in request.headers.get("X-Forwarded-For", "").split(",") if h.strip()]
    while hops and hops[-1] in proxies:
        hops.pop()
    return hops[-1] if hops else address


def body_deadline_middleware(seconds: float) -> Middleware:
    """``serving.deadline``'s, answering the web chat's own 408: JSON, in French, with the security
    headers (sent before the outer middleware could add them)."""

    def too_slow() -> web.Response:
        response = error_response(408, words.WEB_TOO_SLOW, "body_timeout")
        _secure(response)
        return response

    return deadline.body_deadline_middleware(seconds, too_slow)


@web.middleware
async def rate_limit_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """A token bucket per client address on the API: a flood gets 429 and how long to wait."""
    if request.path.startswith(LIMITED):
        limiter = request.app[LIMITER]
        wait = limiter.take(client_address(request, request.app[SETTINGS].proxies))
        if wait:
            raise web.HTTPTooManyRequests(reason="Too Many Requests",
                                          headers={"Retry-After": limiter.retry_after(wait)})
    return await handler(request)
