"""Per-conversation memory: the last search, its page, the last shared location.

Kept in memory, bounded in count (least recently used dropped) and in time (a
session unused for ``ttl`` seconds is forgotten), so a busy bot cannot grow without end.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field

from index.understand import Query

LOCATION_TTL = 30 * 60
"""Seconds a shared location is used for later messages ("atelier" after a location)."""


@dataclass
class Session:
    key: str
    query: Query | None = None
    offset: int = 0
    """Places already shown for ``query``."""
    location: tuple[float, float] | None = None
    location_at: float = 0.0
    pending: Query | None = None
    """A search waiting for « oui » after « Vouliez-vous dire … ? »."""
    touched: float = field(default_factory=time.monotonic)

    def recent_location(self, now: float) -> tuple[float, float] | None:
        if self.location and now - self.location_at <= LOCATION_TTL:
            return self.location
        return None


class SessionStore:
    """At most ``max_sessions`` sessions, each forgotten ``ttl`` seconds after its last use."""

    def __init__(self, max_sessions: int = 10000, ttl: float = 3600,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.max_sessions, self.ttl, self.clock = max_sessions, ttl, clock
        self._sessions: OrderedDict[str, Session] = OrderedDict()

    def get(self, key: str) -> Session:
        now = self.clock()
        session = self._sessions.get(key)
        if session is None or now - session.touched > self.ttl:
            session = Session(key=key, touched=now)
        session.touched = now
        self._sessions[key] = session
        self._sessions.move_to_end(key)
        while len(self._sessions) > self.max_sessions:
            self._sessions.popitem(last=False)
        return session

    def __len__(self) -> int:
        return len(self._sessions)
