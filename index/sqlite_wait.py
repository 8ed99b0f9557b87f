"""Waiting for an SQLite file another process is writing, in short pauses.

SQLite's own busy handler sleeps 1, 2, 5, 10 ms and more when another connection holds the
write lock, which another worker's transaction keeps for a tenth of a millisecond. A serving
thread that sleeps freezes its event loop with dozens of desks waiting: with two web chat
workers, those sleeps took about 190 ms in 3.6 s of load. So the stores the workers share
turn SQLite's handler off (``PRAGMA busy_timeout = 0``) and run their statements through
``patiently``.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager

FIRST_PAUSE, LONGEST_PAUSE = 0.00005, 0.002
"""Seconds between two tries of a busy file: from 50 µs, doubling up to 2 ms."""


def patiently(db: sqlite3.Connection, sql: str, args: tuple = (), seconds: float = 5.0) -> sqlite3.Cursor:
    """``db.execute``, tried again while another connection holds the file (SQLITE_BUSY: waiting ends
    it; other errors it does not), for ``seconds`` at most."""
    deadline, pause = time.monotonic() + seconds, FIRST_PAUSE
    while True:
        try:
            return db.execute(sql, args)
        except sqlite3.OperationalError as exc:
            if exc.sqlite_errorcode & 0xFF != sqlite3.SQLITE_BUSY or time.monotonic() > deadline:
                raise
        time.sleep(pause)
        pause = min(pause * 2, LONGEST_PAUSE)


@contextmanager
def immediate(db: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """One write transaction, taken at once (IMMEDIATE, so that two writers never deadlock upgrading
    a read), waited for ``patiently``, committed, or rolled back on any error."""
    patiently(db, "BEGIN IMMEDIATE")
    try:
        yield db
        patiently(db, "COMMIT")
    except BaseException:
        db.execute("ROLLBACK")
        raise
