"""Per-conversation memory: the last search, its page, the last shared position.

One interface, ``SessionStore``, over two backends: SQLite in ``ORIENTEUR_HOME`` (the
default: nothing to install, survives restarts, shared by the workers of one machine) and
Redis or Valkey when ``ORIENTEUR_REDIS_URL`` is set (shared by machines). Both forget a
conversation ``ttl`` seconds after its last message, keep at most ``max_sessions`` (expired
ones go first, then the least recently used), and let one client address start at most
``max_new`` conversations an hour, so that a few clients cannot push everyone else's out.

What is stored is what was understood, never what was typed: the ``Query`` without its
``notes``, and the answer its next pages come from (``Ranked``: place ids, not text). A shared
position (the ``location`` and a search around it) is stored apart and forgotten
``LOCATION_TTL`` seconds after it was shared, however long the conversation goes on. A store
that fails is logged once and the conversation goes on without memory: the user gets an
answer, never an error.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from index.breaker import Breaker
from index.conversation.codec import from_data, to_data
from index.conversation.ranked import Ranked
from index.settings import Settings
from index.understand import Area, Query

log = logging.getLogger(__name__)

LOCATION_TTL = 30 * 60
"""Seconds a shared position is kept and used for later messages ("atelier" after a position)."""
NEW_WINDOW = 3600
"""Seconds over which ``max_new`` counts the conversations one address starts."""
NOT_STORED = frozenset({"notes"})
"""Query fields never stored: the corrections quoting what was typed (``Query`` keeps no typed text)."""


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
    ranked: Ranked | None = None
    """The answer to ``query`` its next pages come from (``index.conversation.ranked``)."""
    touched: float = field(default_factory=time.time)
    new: bool = True
    """Not in the store before this message."""
    remembered: bool = True
    """False when the store could not be used: the conversation answers without memory."""

    def ask(self, query: Query) -> None:
        """Make ``query`` the conversation's search, from its first page: an answer kept for the
        previous one is no answer to it."""
        self.query, self.offset, self.ranked = query, 0, None

    def recent_location(self, now: float) -> tuple[float, float] | None:
        if self.location and now - self.location_at <= LOCATION_TTL:
            return self.location
        return None


@dataclass(frozen=True)
class Record:
    """A session as stored: what was understood, and apart from it the position and its expiry."""

    body: str
    position: str | None = None
    position_until: float = 0.0


def to_record(session: Session) -> Record:
    """Split ``session`` into its stored parts; a search around the user's position goes with the position."""
    query, area = session.query, None
    if query is not None and query.area is not None and query.area.user_location:
        query, area = replace(query, area=None), query.area
    # The answer to a search around the position is not kept: its places would tell where the person is.
    ranked = session.ranked if query is not None and area is None else None
    body = {"query": None if query is None else to_data(query, NOT_STORED), "offset": session.offset,
            "around_position": area is not None,
            "pending": None if session.pending is None else to_data(session.pending, NOT_STORED),
            "ranked": None if ranked is None else to_data(ranked)}
    location = session.location if session.location_at + LOCATION_TTL > session.touched else None
    if location is None and area is None:
        return Record(json.dumps(body))
    position = {"location": location, "at": session.location_at, "area": None if area is None else to_data(area)}
    return Record(json.dumps(body), json.dumps(position), session.location_at + LOCATION_TTL)


def from_record(key: str, record: Record, now: float) -> Session:
    """The session of ``record``, as much of it as this code can read: an unreadable record or an
    expired position is forgotten (with the search that needed it), never an error."""
    session = Session(key=key, touched=now, new=False)
    try:
        body = json.loads(record.body)
        query = from_data(Query, body["query"]) if body.get("query") is not None else None
        offset = int(body.get("offset", 0))
        pending = from_data(Query, body["pending"]) if body.get("pending") is not None else None
        ranked = _ranked(body.get("ranked"))
        position = json.loads(record.position) if record.position and record.position_until > now else None
        if position is not None:
            if position.get("location"):
                lat, lon = position["location"]
                session.location, session.location_at = (float(lat), float(lon)), float(position["at"])
            if position.get("area") and query is not None:
                query = replace(query, area=from_data(Area, position["area"]))
        elif body.get("around_position"):
            query = None  # its position is forgotten, so is the search around it
    except (ValueError, TypeError, KeyError, AttributeError) as exc:
        log.warning("a stored conversation could not be read (%s): it starts afresh", exc)
        return Session(key=key, touched=now, new=False)
    if query is not None:
        session.query, session.offset, session.ranked = query, offset, ranked
    session.pending = pending
    return session


def _ranked(data: object) -> Ranked | None:
    """The kept answer of a stored conversation, or None when there is none or this code cannot read
    it (written by another version of the code): the next page then searches again."""
    if data is None:
        return None
    try:
        return from_data(Ranked, data)
    except ValueError as exc:
        log.info("a kept answer could not be read (%s): the next page searches again", exc)
        return None


class SessionStore:
    """Load and save conversations; the backends read and write ``Record``s.

    ``load`` and ``save`` never raise for the store's sake: a backend error (``errors``) is
    logged once, and until the store answers again conversations have no memory.
    """

    errors: tuple[type[BaseException], ...] = ()

    def __init__(self, max_sessions: int = 10000, ttl: float = 3600, max_new: int = 100,
                 clock: Callable[[], float] = time.time) -> None:
        self.max_sessions, self.ttl, self.max_new, self.clock = max_sessions, ttl, max_new, clock
        self._breaker = Breaker(
            log, "conversation store unavailable (%s: %s): answering without memory until it is back",
            "conversation store available again: conversations are remembered")
        self._salt: bytes | None = None
        self._unstorable = False

    def load(self, key: str, origin: str | None = None) -> Session:
        """Conversation ``key``, or a new one; ``origin`` (a client address) counts towards ``max_new``."""
        now = self.clock()
        if not self._breaker.available(now):
            return Session(key=key, touched=now, remembered=False)
        try:
            record = self._read(key, now)
            if record is not None:
                self._breaker.recovered()
                return from_record(key, record, now)
            started = self._count_new(self._origin_id(origin), now) if origin is not None else 0
            if started > self.max_new:
                if started == self.max_new + 1:  # once per address and hour: a flood floods no log
                    log.warning("a client address started more than %d conversations this hour: "
                                "its new ones have no memory", self.max_new)
                return Session(key=key, touched=now, remembered=False)
        except self.errors as exc:
            self._failed(exc, now)
            return Session(key=key, touched=now, remembered=False)
        self._breaker.recovered()
        return Session(key=key, touched=now)

    def save(self, session: Session) -> None:
        """Store ``session`` as used now (it expires ``ttl`` seconds later)."""
        if not session.remembered or (session.new and session.query is None and session.location is None
                                      and session.pending is None):
            return  # nothing to remember: "plus" with a made-up token stores nothing
        now = self.clock()
        session.touched = now
        try:
            record = to_record(session)
        except TypeError as exc:  # a Query field of a type with no stored form: a bug, said once
            if not self._unstorable:
                log.error("a conversation could not be stored (%s): answering without memory", exc)
            self._unstorable = True
            return
        try:
            self._write(session.key, record, now, session.new)
        except self.errors as exc:
            self._failed(exc, now)
            return
        session.new = False

    def forget(self, key: str) -> None:
        """Drop conversation ``key`` at once, as its expiry would."""
        try:
            self._delete(key)
        except self.errors as exc:
            self._failed(exc, self.clock())

    def _origin_id(self, origin: str) -> str:
        """A client address as counted: keyed with the store's own random salt, so that the
        store holds nothing from which the address could be found again by trying them all."""
        if self._salt is None:
            self._salt = self._shared_salt(secrets.token_hex(16)).encode()
        return hmac.new(self._salt, origin.encode(), hashlib.sha256).hexdigest()[:32]

    def _failed(self, exc: BaseException, now: float) -> None:
        """A backend error (the backends report theirs here too): no memory until the store answers again."""
        self._breaker.failed(exc, now)

    # -- backends ----------------------------------------------------------------------------

    def _read(self, key: str, now: float) -> Record | None:
        """The record of ``key`` used less than ``ttl`` seconds ago, or None."""
        raise NotImplementedError

    def _write(self, key: str, record: Record, now: float, new: bool) -> None:
        """Store ``record`` as used at ``now``; a ``new`` key may push the oldest out."""
        raise NotImplementedError

    def _delete(self, key: str) -> None:
        raise NotImplementedError

    def _count_new(self, origin: str, now: float) -> int:
        """Count one more conversation started by ``origin`` in the current window; the count so far."""
        raise NotImplementedError

    def _shared_salt(self, candidate: str) -> str:
        """The salt every worker of this store uses: the first ``candidate`` stored, kept."""
        raise NotImplementedError

    def __len__(self) -> int:
        raise NotImplementedError

    def close(self) -> None:
        """Release the connection (a worker closing down)."""


def open_sessions(settings: Settings, clock: Callable[[], float] = time.time) -> SessionStore:
    """The store ``settings`` name: Redis or Valkey at ``redis_url``, else SQLite in the home folder."""
    bounds = {"max_sessions": settings.max_sessions, "ttl": settings.session_ttl,
              "max_new": settings.max_new_sessions, "clock": clock}
    if settings.redis_url:
        from index.conversation.redis_store import RedisSessions  # the client is needed only then

        return RedisSessions(settings.redis_url, **bounds)
    from index.conversation.sqlite_store import SqliteSessions

    return SqliteSessions(settings.sessions_path, **bounds)
