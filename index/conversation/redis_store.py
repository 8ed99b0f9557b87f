"""Conversations in Redis or Valkey (``ORIENTEUR_REDIS_URL``): shared by workers and machines.

Each conversation is a key expiring ``ttl`` seconds after its last message, its position
a key of its own expiring when the position must be forgotten; a sorted set of last uses
keeps the count under ``max_sessions``. Redis's own expiry does the forgetting, so nothing
outlives its time even when no worker runs.
"""

from __future__ import annotations

import redis

from index.conversation.session import NEW_WINDOW, Record, SessionStore

PREFIX = "orienteur:"
TIMEOUT = 1.0
"""Seconds to connect or get an answer: a store that hangs costs a message this much, once."""


class RedisSessions(SessionStore):
    errors = (redis.RedisError, OSError)

    def __init__(self, url: str, **bounds) -> None:
        super().__init__(**bounds)
        # redis-py's pool notices a fork and opens new connections in each worker.
        self.client = redis.Redis.from_url(url, socket_timeout=TIMEOUT, socket_connect_timeout=TIMEOUT)
        self._used = PREFIX + "used"

    @staticmethod
    def _keys(key: str) -> tuple[str, str]:
        return PREFIX + "s:" + key, PREFIX + "p:" + key

    def _read(self, key: str, now: float) -> Record | None:
        body, position = self.client.mget(self._keys(key))
        if body is None:
            return None
        if position is None:
            return Record(body.decode())
        text, _, until = position.decode().rpartition("\n")  # as _write joins them
        try:
            return Record(body.decode(), text, float(until))
        except ValueError:
            return Record(body.decode())

    def _write(self, key: str, record: Record, now: float, new: bool) -> None:
        body_key, position_key = self._keys(key)
        with self.client.pipeline(transaction=True) as pipe:
            pipe.set(body_key, record.body, px=max(1, int(self.ttl * 1000)))
            if record.position is not None and record.position_until > now:
                pipe.set(position_key, f"{record.position}\n{record.position_until!r}",
                         pxat=int(record.position_until * 1000))
            else:
                pipe.delete(position_key)
            pipe.zadd(self._used, {key: now})
            if new:
                pipe.zremrangebyscore(self._used, "-inf", now - self.ttl)  # expired first
                pipe.zcard(self._used)
            results = pipe.execute()
        if new and (over := results[-1] - self.max_sessions) > 0:
            oldest = [member.decode() for member, _ in self.client.zpopmin(self._used, over)]
            self.client.delete(*(k for old in oldest for k in self._keys(old)))

    def _delete(self, key: str) -> None:
        with self.client.pipeline(transaction=True) as pipe:
            pipe.delete(*self._keys(key))
            pipe.zrem(self._used, key)
            pipe.execute()

    def _count_new(self, origin: str, now: float) -> int:
        counter = PREFIX + "o:" + origin
        with self.client.pipeline(transaction=True) as pipe:
            pipe.incr(counter)
            pipe.expire(counter, NEW_WINDOW, nx=True)
            count, _ = pipe.execute()
        return int(count)

    def _shared_salt(self, candidate: str) -> str:
        self.client.set(PREFIX + "salt", candidate, nx=True)
        return self.client.get(PREFIX + "salt").decode()

    def __len__(self) -> int:
        return int(self.client.zcount(self._used, self.clock() - self.ttl, "+inf"))

    def close(self) -> None:
        self.client.close()
