"""index.lock: one rebuild at a time, across processes, released even by SIGKILL."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time

import pytest

from index.errors import RebuildLocked
from index.lock import LOCK_FILE, rebuild_lock

HOLD = """
import sys, time
from index.lock import rebuild_lock
with rebuild_lock(sys.argv[1]):
    print("held", flush=True)
    time.sleep(60)
"""


@pytest.fixture
def holder(tmp_path):
    """Another process holding the lock on ``tmp_path``; killed at the end."""
    proc = subprocess.Popen([sys.executable, "-c", HOLD, str(tmp_path)], stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "held"
    yield proc
    proc.kill()
    proc.wait()


def test_second_holder_is_refused_and_told_who_holds_it(tmp_path, holder):
    with pytest.raises(RebuildLocked, match=f"another rebuild is running \\(pid {holder.pid}\\)"), \
            rebuild_lock(tmp_path):
        pass


def test_waiting_gives_up_after_the_timeout(tmp_path, holder):
    started = time.monotonic()
    with pytest.raises(RebuildLocked, match="after waiting 0.3 s"), rebuild_lock(tmp_path, wait=0.3):
        pass
    assert 0.3 <= time.monotonic() - started < 2


def test_sigkill_releases_the_lock(tmp_path, holder):
    os.kill(holder.pid, signal.SIGKILL)
    holder.wait()
    with rebuild_lock(tmp_path, wait=2):
        assert (tmp_path / LOCK_FILE).read_text().strip() == str(os.getpid())


def test_waiter_gets_the_lock_when_it_is_released(tmp_path, holder):
    def release_soon():
        time.sleep(0.3)
        holder.kill()

    threading.Thread(target=release_soon).start()
    with rebuild_lock(tmp_path, wait=10):
        pass


def test_lock_is_taken_again_after_release_but_not_twice_at_once(tmp_path):
    with rebuild_lock(tmp_path):
        pass
    with rebuild_lock(tmp_path), pytest.raises(RebuildLocked), rebuild_lock(tmp_path):
        pass
