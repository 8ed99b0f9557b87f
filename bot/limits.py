"""Stay under Telegram's send limits, and wait out a 429 instead of losing the reply.

Telegram asks bots to send at most about 30 messages a second overall, about one a second
in one chat (short bursts are tolerated), and 20 a minute in a group. ``ChatRateLimiter``
throttles every request that names a chat with two token buckets (the chat's, then the
global one), so a reply of a header and three cards leaves at once while a chat that
floods is slowed down, and 50 busy chats share the global rate fairly. Requests without a
chat (answering an inline or callback query, the command menu) are not throttled: they
must be fast and are not counted as messages.

When Telegram answers 429 anyway, every request waits ``retry_after`` (flood control may
be global) and the same request is made again, up to ``max_retries`` times. This is
python-telegram-bot's ``AIORateLimiter`` idea in a few lines, without the aiolimiter
dependency. Network errors are not retried here (``BaseRateLimiter`` asks implementations
to leave them alone): ``bot.handlers.deliver`` does it.
"""

from __future__ import annotations

import asyncio
import datetime as dtm
import logging
import time
import warnings
from collections.abc import Callable, Coroutine
from typing import Any

from cachetools import LRUCache
from telegram.error import RetryAfter
from telegram.ext import BaseRateLimiter
from telegram.warnings import PTBDeprecationWarning

log = logging.getLogger(__name__)

GLOBAL_RATE = 30.0
"""Messages per second for the whole bot."""
CHAT_RATE, CHAT_BURST = 1.0, 12
"""Messages per second in one private chat, and how many may leave at once (three replies)."""
GROUP_RATE, GROUP_BURST = 20 / 60, 10
"""Messages per second in a group (20 a minute), and the burst allowed."""
MAX_CHATS = 10_000
"""Chat buckets kept; the least recently used are dropped (a dropped bucket was idle, so full)."""


def retry_seconds(exc: RetryAfter) -> float:
    """Seconds Telegram asked to wait, whichever type ``retry_after`` has (int now, timedelta later)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PTBDeprecationWarning)  # reading it as int is deprecated in v22.2
        value = exc.retry_after
    return value.total_seconds() if isinstance(value, dtm.timedelta) else float(value)


class Bucket:
    """A token bucket that hands out reservations: ``reserve()`` says how long to wait."""

    def __init__(self, rate: float, burst: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.rate, self.burst, self.clock = rate, burst, clock
        self.tokens, self.stamp = float(burst), clock()

    def reserve(self) -> float:
        """Take one token now (the balance may go negative: later callers queue behind); seconds to wait."""
        now = self.clock()
        self.tokens = min(self.burst, self.tokens + (now - self.stamp) * self.rate) - 1
        self.stamp = now
        return 0.0 if self.tokens >= 0 else -self.tokens / self.rate


class ChatRateLimiter(BaseRateLimiter[int]):
    """Per-chat and global throttling of sends, and retries after a 429 (``rate_limit_args``: max retries)."""

    def __init__(self, overall_rate: float = GLOBAL_RATE, chat_rate: float = CHAT_RATE,
                 chat_burst: int = CHAT_BURST, group_rate: float = GROUP_RATE, group_burst: int = GROUP_BURST,
                 max_retries: int = 3, clock: Callable[[], float] = time.monotonic) -> None:
        self.overall_rate, self.chat_rate, self.chat_burst = overall_rate, chat_rate, chat_burst
        self.group_rate, self.group_burst, self.max_retries, self.clock = group_rate, group_burst, max_retries, clock
        self._overall = Bucket(overall_rate, overall_rate, clock)
        self._chats: LRUCache[int | str, Bucket] = LRUCache(MAX_CHATS)
        self._paused_until = 0.0

    async def initialize(self) -> None:
        pass

    async def shutdown(self) -> None:
        self._chats.clear()

    def _chat_bucket(self, chat_id: int | str) -> Bucket:
        bucket = self._chats.get(chat_id)
        if bucket is None:
            # Negative ids and @names are groups and channels; positive ids are people.
            group = isinstance(chat_id, str) or chat_id < 0
            bucket = Bucket(*((self.group_rate, self.group_burst) if group else (self.chat_rate, self.chat_burst)),
                            clock=self.clock)
            self._chats[chat_id] = bucket
        return bucket

    async def _throttle(self, chat_id: int | str | None) -> None:
        while (pause := self._paused_until - self.clock()) > 0:
            await asyncio.sleep(pause)
        if chat_id is None:
            return
        if wait := self._chat_bucket(chat_id).reserve():
            await asyncio.sleep(wait)
        if wait := self._overall.reserve():
            await asyncio.sleep(wait)

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | dict[str, Any] | list[dict[str, Any]]]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> bool | dict[str, Any] | list[dict[str, Any]]:
        chat_id = data.get("chat_id")
        if isinstance(chat_id, str) and chat_id.lstrip("-").isdigit():
            chat_id = int(chat_id)
        max_retries = self.max_retries if rate_limit_args is None else rate_limit_args
        for attempt in range(max_retries + 1):
            await self._throttle(chat_id)
            try:
                return await callback(*args, **kwargs)
            except RetryAfter as exc:
                if attempt == max_retries:
                    log.error("%s still refused after %d retries (429)", endpoint, max_retries)
                    raise
                wait = retry_seconds(exc)
                log.warning("Telegram asked to wait %.1f s (429 on %s); the request will be made again",
                            wait, endpoint)
                self._paused_until = max(self._paused_until, self.clock() + wait + 0.1)
        raise AssertionError("unreachable")  # pragma: no cover
