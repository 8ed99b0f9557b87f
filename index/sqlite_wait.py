"""Waiting for an SQLite file another process is writing, in short pauses.

SQLite's own busy handler sleeps 1, 2, 5, 10 ms and more when another connection holds the
write lock, which another worker's transaction keeps for a tenth of a millisecond. A serving
thread that sleeps freezes its event loop with dozens of desks waiting: with two web chat
workers, those sleeps took about 190 ms in 3.6 s of load. So the stores the workers share
open their file with ``shared`` (SQLite's handler off: ``PRAGMA busy_timeout = 0``) and run
their statements through ``patiently``.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager

FIRST_PAUSE, LONGEST_PAUSE = 0.00005, 0.002
"""Seconds between two tries of a busy file: from 50 µs, doubling up to 2 ms."""
SETUP_BUSY_MS = 5000
"""Milliseconds SQLite itself waits while a file is set up; afterwards ``patiently`` waits as long."""
SETUP_TRIES = 20
"""Attempts at setting a new file up (WAL mode, tables) while another process does the same: SQLite
answers « database is locked » at once there, without waiting for the busy timeout."""


def shared(path: str, schema: str) -> sqlite3.Connection:
    """A connection to the file at ``path`` that several processes write (web workers, the bot): WAL
    mode, ``schema`` created, usable from any thread, its statements to run ``patiently``."""
    attempt = 0
    while True:
        attempt += 1
        db = sqlite3.connect(path, timeout=SETUP_BUSY_MS / 1000, isolation_level=None, check_same_thread=False)
        try:
            db.execute(f"PRAGMA busy_timeout = {SETUP_BUSY_MS}")
            db.execute("PRAGMA journal_mode = WAL")
            db.execute("PRAGMA synchronous = NORMAL")  # WAL: a crash of the process loses nothing committed
            db.executescript(schema)
            db.execute("PRAGMA busy_timeout = 0")  # waited for by ``patiently``, in finer steps
            return db
        except sqlite3.OperationalError as exc:
            db.close()
            if "locked" not in str(exc) or attempt == SETUP_TRIES:
                raise
            time.sleep(0.02 * attempt)  # two processes starting together: one sets the file up first


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
