"""Rate limiting per client address: one token bucket each, bounded in number.

A bucket holds at most ``burst`` tokens and refills at ``rate`` per second; each request
takes one. A front desk typing (a few requests a second, even ten for a minute under
the default 20/s) never runs dry; a script flooding the server does, and is told how
long to wait.

Each worker process keeps its own buckets (``RateLimiter``) unless Redis or Valkey is
configured (``RedisRateLimiter``): then one bucket per address holds across all workers.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import math
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass

from cachetools import LRUCache

from index.breaker import Breaker

log = logging.getLogger(__name__)

MAX_CLIENTS = 10_000
"""Buckets remembered at most; the least recently seen are dropped first (a dropped bucket is full)."""


@dataclass
class _Bucket:
    tokens: float
    at: float


class RateLimiter:
    def __init__(self, rate: float, burst: int, clock: Callable[[], float] = time.monotonic,
                 max_clients: int = MAX_CLIENTS) -> None:
        if rate <= 0 or burst < 1:
            raise ValueError("rate must be positive and burst at least 1")
        self.rate, self.burst, self.clock, self.max_clients = rate, float(burst), clock, max_clients
        self._buckets: LRUCache[str, _Bucket] = LRUCache(max_clients)

    def take(self, client: str) -> float:
        """Take one token for ``client``: 0.0 when allowed, else the seconds to wait before retrying."""
        now = self.clock()
        bucket = self._buckets.get(client)
        if bucket is None:
            bucket = self._buckets[client] = _Bucket(self.burst, now)
        else:
            bucket.tokens = min(self.burst, bucket.tokens + (now - bucket.at) * self.rate)
            bucket.at = now
        if bucket.tokens >= 1.0:
            bucket.tokens -= 1.0
            return 0.0
        return (1.0 - bucket.tokens) / self.rate

    @staticmethod
    def retry_after(wait: float) -> str:
        """The ``Retry-After`` header value: whole seconds, at least one."""
        return str(max(1, math.ceil(wait)))

    def __len__(self) -> int:
        return len(self._buckets)


BUCKET_SCRIPT = """
local now = redis.call('TIME')
now = tonumber(now[1]) + tonumber(now[2]) / 1000000
local rate, burst = tonumber(ARGV[1]), tonumber(ARGV[2])
local bucket = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens, at = tonumber(bucket[1]), tonumber(bucket[2])
if tokens == nil then tokens, at = burst, now end
tokens = math.min(burst, tokens + (now - at) * rate)
local wait = 0
if tokens >= 1 then tokens = tokens - 1 else wait = (1 - tokens) / rate end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', tostring(now))
redis.call('PEXPIRE', KEYS[1], math.ceil(burst / rate * 1000) + 1000)
return tostring(wait)
"""
"""The token bucket above, run atomically in Redis on Redis's clock: every worker of every machine
takes from the same bucket. A bucket expires once it would be full again."""


SALT_KEY = "orienteur:rate:salt"


class RedisRateLimiter(RateLimiter):
    """The same buckets, kept in Redis or Valkey so that the limit holds across workers and machines.

    When Redis does not answer, requests are let through (logged once): the limiter must not
    take the web chat down with it.
    """

    def __init__(self, url: str, rate: float, burst: int) -> None:
        super().__init__(rate, burst)
        import redis  # needed only with ORIENTEUR_REDIS_URL

        self._errors = (redis.RedisError, OSError)
        client = redis.Redis.from_url(url, socket_timeout=0.5, socket_connect_timeout=0.5)
        self._client, self._take = client, client.register_script(BUCKET_SCRIPT)
        self._salt: bytes | None = None
        self._breaker = Breaker(
            log, "rate limits unavailable in Redis (%s: %s): requests are not limited until it is back",
            "rate limits available in Redis again")

    def _key(self, client: str) -> str:
        """A client address as Redis holds it: keyed with a random salt all workers share, so that
        nothing in Redis gives the address back by trying them all (as the conversation store does)."""
        if self._salt is None:
            self._client.set(SALT_KEY, secrets.token_hex(16), nx=True)
            self._salt = self._client.get(SALT_KEY)
        return "orienteur:rate:" + hmac.new(self._salt, client.encode(), hashlib.sha256).hexdigest()[:32]

    def take(self, client: str) -> float:
        now = time.monotonic()
        if not self._breaker.available(now):
            return 0.0  # not asked again yet: a Redis that hangs must not hold every request
        try:
            wait = float(self._take(keys=[self._key(client)], args=[self.rate, self.burst]))
        except self._errors as exc:
            self._breaker.failed(exc, now)
            return 0.0
        self._breaker.recovered()
        return wait
