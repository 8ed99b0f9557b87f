"""Conversations in one SQLite file of ``ORIENTEUR_HOME``: the default store.

WAL mode lets the web chat's workers and the bot read and write the same file at once; a
committed conversation survives the process being killed; a file another worker is writing
is waited for in short pauses (``index.sqlite_wait``). Expired rows are deleted with the first message of a
second (``EXPIRE_EVERY``), so the file holds no more than the traffic of the last ``ttl`` seconds.
"""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from index.conversation.session import NEW_WINDOW, Record, SessionStore
from index.sqlite_wait import immediate, patiently, shared

EXPIRE_EVERY = 1.0
"""Seconds between two deletions of what expired: at most once a second rather than at every
message (three statements of a write's seven, at hundreds of messages a second)."""
SCHEMA = """
CREATE TABLE IF NOT EXISTS sessions (key TEXT PRIMARY KEY, body TEXT NOT NULL, used REAL NOT NULL);
CREATE INDEX IF NOT EXISTS sessions_used ON sessions (used);
CREATE TABLE IF NOT EXISTS positions (key TEXT PRIMARY KEY, body TEXT NOT NULL, until REAL NOT NULL);
CREATE INDEX IF NOT EXISTS positions_until ON positions (until);
CREATE TABLE IF NOT EXISTS origins (origin TEXT PRIMARY KEY, since REAL NOT NULL, count INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS origins_since ON origins (since);
CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);
"""


class SqliteSessions(SessionStore):
    errors = (sqlite3.Error, OSError)

    def __init__(self, path: str | Path, **bounds) -> None:
        """``path`` is the database file (":memory:" for a store private to this process)."""
        super().__init__(**bounds)
        self.path = str(path)
        self._lock = threading.Lock()  # one connection per process, used by the loop and by threads
        self._db: sqlite3.Connection | None = None
        self._pid = os.getpid()
        self._expired_at = float("-inf")
        try:
            self._connect()
        except self.errors as exc:
            self._failed(exc, self.clock())

    def _connect(self) -> sqlite3.Connection:
        # A connection inherited through fork is not usable: each worker opens its own.
        if self._db is None or self._pid != os.getpid():
            if self.path != ":memory:":
                Path(self.path).parent.mkdir(parents=True, exist_ok=True)
            self._db, self._pid = shared(self.path, SCHEMA), os.getpid()
        return self._db

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        """One write transaction on this process's connection (``sqlite_wait.immediate``)."""
        with self._lock, immediate(self._connect()) as db:
            yield db

    def _read(self, key: str, now: float) -> Record | None:
        with self._lock:
            db = self._connect()
            row = patiently(
                db, "SELECT s.body, p.body, p.until FROM sessions s LEFT JOIN positions p ON p.key = s.key "
                "WHERE s.key = ? AND s.used >= ?", (key, now - self.ttl)).fetchone()
        if row is None:
            return None
        return Record(row[0], row[1], row[2] or 0.0)

    def _write(self, key: str, record: Record, now: float, new: bool) -> None:
        expire = now - self._expired_at >= EXPIRE_EVERY
        with self._transaction() as db:
            # An upsert updates the row where it lies; INSERT OR REPLACE deletes it and inserts it again,
            # rewriting the key's index too: twice the pages per message, and twice the checkpoint work.
            db.execute("INSERT INTO sessions (key, body, used) VALUES (?, ?, ?) "
                       "ON CONFLICT (key) DO UPDATE SET body = excluded.body, used = excluded.used",
                       (key, record.body, now))
            if record.position is None:
                db.execute("DELETE FROM positions WHERE key = ?", (key,))
            else:
                db.execute("INSERT INTO positions (key, body, until) VALUES (?, ?, ?) "
                           "ON CONFLICT (key) DO UPDATE SET body = excluded.body, until = excluded.until",
                           (key, record.position, record.position_until))
            if expire:
                self._expire(db, now)
            if new:
                self._evict(db)
        if expire:  # committed: the next second's messages need not expire again
            self._expired_at = now

    def _expire(self, db: sqlite3.Connection, now: float) -> None:
        """Delete what has outlived its time (indexed: a few microseconds), so that an expired
        conversation or position stays on disk at most until the next message of anyone a second later."""
        db.execute("DELETE FROM sessions WHERE used < ?", (now - self.ttl,))
        db.execute("DELETE FROM positions WHERE until < ?", (now,))
        db.execute("DELETE FROM origins WHERE since < ?", (now - NEW_WINDOW,))

    def _evict(self, db: sqlite3.Connection) -> None:
        """Over the bound, the least recently used go (expired ones first: they are the oldest, deleted
        or not yet by ``_expire``)."""
        (count,) = db.execute("SELECT count(*) FROM sessions").fetchone()
        if count > self.max_sessions:
            db.execute("DELETE FROM sessions WHERE key IN (SELECT key FROM sessions ORDER BY used LIMIT ?)",
                       (count - self.max_sessions,))
            db.execute("DELETE FROM positions WHERE key NOT IN (SELECT key FROM sessions)")

    def _delete(self, key: str) -> None:
        with self._transaction() as db:
            db.execute("DELETE FROM sessions WHERE key = ?", (key,))
            db.execute("DELETE FROM positions WHERE key = ?", (key,))

    def _count_new(self, origin: str, now: float) -> int:
        with self._transaction() as db:
            db.execute("DELETE FROM origins WHERE origin = ? AND since < ?", (origin, now - NEW_WINDOW))
            db.execute("INSERT INTO origins (origin, since, count) VALUES (?, ?, 1) "
                       "ON CONFLICT (origin) DO UPDATE SET count = count + 1", (origin, now))
            (count,) = db.execute("SELECT count FROM origins WHERE origin = ?", (origin,)).fetchone()
        return count

    def _shared_salt(self, candidate: str) -> str:
        with self._transaction() as db:
            db.execute("INSERT OR IGNORE INTO meta (name, value) VALUES ('salt', ?)", (candidate,))
            (salt,) = db.execute("SELECT value FROM meta WHERE name = 'salt'").fetchone()
        return salt

    def __len__(self) -> int:
        with self._lock:
            (count,) = patiently(self._connect(), "SELECT count(*) FROM sessions WHERE used >= ?",
                                 (self.clock() - self.ttl,)).fetchone()
        return count

    def close(self) -> None:
        with self._lock:
            if self._db is not None and self._pid == os.getpid():
                self._db.close()
            self._db = None
