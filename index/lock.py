"""One rebuild at a time: an exclusive ``flock`` on ``$ORIENTEUR_HOME/rebuild.lock``.

The kernel drops the lock when its holder exits, however it exits (SIGKILL included), so a
killed rebuild never leaves a stale lock behind; the file itself stays and is harmless.
The holder writes its pid into the file, only to name it in the message of the one waiting.
"""

from __future__ import annotations

import fcntl
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from index.errors import RebuildLocked

LOCK_FILE = "rebuild.lock"
POLL_SECONDS = 0.1
"""How often a waiting rebuild tries the lock again."""


@contextmanager
def rebuild_lock(home: Path, wait: float = 0.0) -> Iterator[None]:
    """Hold the home's rebuild lock; waits up to ``wait`` seconds, then raises ``RebuildLocked``."""
    home = Path(home)
    home.mkdir(parents=True, exist_ok=True)
    fd = os.open(home / LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        deadline = time.monotonic() + max(0.0, wait)
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise RebuildLocked(_held_message(fd, wait)) from None
                time.sleep(POLL_SECONDS)
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        try:
            yield
        finally:
            os.ftruncate(fd, 0)
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def _held_message(fd: int, wait: float) -> str:
    holder = os.pread(fd, 32, 0).decode(errors="replace").strip()
    who = f" (pid {holder})" if holder.isdigit() else ""
    waited = f" after waiting {wait:g} s" if wait > 0 else ""
    return f"another rebuild is running{who}; gave up{waited}"
