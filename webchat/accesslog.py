"""The web chat's access log: the path only, and a flooding address counted rather than written.

One line per request would let a single client fill the disk (a 30 s flood of 429s wrote
8.4 MB): each address gets ``LINES_PER_ADDRESS`` lines per ``WINDOW`` seconds, then one line
saying how many requests went unlogged. The address is the client's, behind trusted proxies too.
The share is well above a desk's own traffic (a page load is about ten requests), so only a
flood loses lines.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import ClassVar

from aiohttp import web
from aiohttp.abc import AbstractAccessLogger

from webchat.middlewares import client_address
from webchat.typedefs import SETTINGS

LINES_PER_ADDRESS = 100
"""Access lines written per client address in each window."""
WINDOW = 10.0
"""Seconds of a counting window."""
MAX_ADDRESSES = 10_000
"""Addresses counted at once; more share one count (a spread flood is still bounded)."""
OTHERS = "(other addresses)"


class FloodSampler:
    """Counts requests per address in fixed windows; says which lines to write."""

    def __init__(self, per_window: int = LINES_PER_ADDRESS, window: float = WINDOW,
                 clock: Callable[[], float] = time.monotonic, max_addresses: int = MAX_ADDRESSES) -> None:
        self.per_window, self.window, self.clock, self.max_addresses = per_window, window, clock, max_addresses
        self.counts: dict[str, int] = {}
        self.started = clock()

    def admit(self, address: str) -> tuple[bool, dict[str, int]]:
        """(write this request's line?, {address: requests left unlogged} for the window just ended)."""
        now = self.clock()
        held: dict[str, int] = {}
        if now - self.started >= self.window:
            held = {a: n - self.per_window for a, n in self.counts.items() if n > self.per_window}
            self.counts.clear()
            self.started = now
        if address not in self.counts and len(self.counts) >= self.max_addresses:
            address = OTHERS
        self.counts[address] = self.counts.get(address, 0) + 1
        return self.counts[address] <= self.per_window, held


class PathAccessLogger(AbstractAccessLogger):
    """One line per request with the path only: a query string (``/api/search?q=…``) may say who is
    helped. aiohttp makes one logger per connection, so the sampler is shared by the class."""

    sampler: ClassVar[FloodSampler] = FloodSampler()

    def log(self, request: web.BaseRequest, response: web.StreamResponse, time: float) -> None:
        address = _address(request)
        keep, held = self.sampler.admit(address)
        for other, count in held.items():
            self.logger.warning("%s: %d more requests in %g s were not logged (flood)", other, count,
                                self.sampler.window)
        if keep:
            self.logger.info('%s "%s %s" %s %.3fs', address, request.method, request.path, response.status, time)


def _address(request: web.BaseRequest) -> str:
    app = getattr(request, "app", None)  # a request that never reached the app has none
    proxies = app[SETTINGS].proxies if app is not None and SETTINGS in app else frozenset()
    return client_address(request, proxies)
