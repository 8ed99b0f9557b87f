"""Several processes serving one port: the kernel spreads connections (SO_REUSEPORT).

One process searches on one core; a machine with more cores runs one worker per core,
each a full server (its own engine and reload watcher) bound to the same port with
``reuse_port``, sharing conversations through the session store. The parent only
supervises: it starts the workers, starts again one that dies, and on SIGTERM or SIGINT
stops them all gracefully. A worker dies with its parent (``PR_SET_PDEATHSIG``), so a
parent killed by SIGKILL leaves no orphan holding the port.
"""

from __future__ import annotations

import ctypes
import logging
import multiprocessing
import multiprocessing.connection
import os
import signal
import sys
import time
from collections.abc import Callable

log = logging.getLogger(__name__)

EARLY_EXIT = 5.0
"""Seconds: a worker dying this soon after it started cannot serve (port taken, bad settings):
the whole command stops, rather than starting it again forever."""
GRACE = 15.0
"""Seconds workers get to finish their requests after SIGTERM before they are killed."""
PR_SET_PDEATHSIG = 1


def worker_count(requested: int) -> int:
    """``requested`` workers, or with 0 one per core this process may run on."""
    if requested > 0:
        return requested
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)


def run_workers(serve: Callable[[int], None], count: int, name: str = "worker") -> int:
    """Run ``serve(n)`` in ``count`` forked processes until SIGTERM/SIGINT; the exit status.

    ``serve`` must bind its port with ``reuse_port`` so that every worker listens on it.
    """
    context = multiprocessing.get_context("fork")  # the parent has loaded the code once; no threads yet
    parent = os.getpid()
    stopping: list[int] = []
    previous = {sig: signal.signal(sig, lambda signum, frame: stopping.append(signum))
                for sig in (signal.SIGTERM, signal.SIGINT)}

    def start(n: int) -> tuple[multiprocessing.Process, float]:
        process = context.Process(target=_worker, args=(serve, n, parent), name=f"{name}-{n}", daemon=False)
        process.start()
        return process, time.monotonic()

    workers = {n: start(n) for n in range(count)}
    log.info("%d %ss started (pids %s)", count, name, ", ".join(str(p.pid) for p, _ in workers.values()))
    status = 0
    try:
        while not stopping:
            multiprocessing.connection.wait([p.sentinel for p, _ in workers.values()], timeout=1.0)
            for n, (process, started) in list(workers.items()):
                if process.exitcode is None or stopping:
                    continue
                if time.monotonic() - started < EARLY_EXIT:
                    log.error("%s %d exited %s right after starting: stopping", name, n, process.exitcode)
                    status = 1
                    stopping.append(0)
                    break
                log.warning("%s %d (pid %d) exited %s: starting another", name, n, process.pid, process.exitcode)
                workers[n] = start(n)
    finally:
        _stop([p for p, _ in workers.values()])
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return status


def _stop(processes: list[multiprocessing.Process]) -> None:
    for process in processes:
        if process.exitcode is None:
            process.terminate()  # SIGTERM: aiohttp finishes the requests under way
    deadline = time.monotonic() + GRACE
    for process in processes:
        process.join(max(0.0, deadline - time.monotonic()))
        if process.exitcode is None:
            process.kill()
            process.join()


def _worker(serve: Callable[[int], None], n: int, parent: int) -> None:
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, signal.SIG_DFL)  # the server installs its own graceful handlers
    _die_with(parent)
    try:
        serve(n)
    except Exception as exc:
        if hasattr(exc, "format_message"):  # a click error: a message meant for people, no traceback
            log.error("worker %d: %s", n, exc.format_message())
        else:
            log.exception("worker %d failed", n)
        sys.exit(1)


def _die_with(parent: int) -> None:
    """Have the kernel send SIGTERM to this worker when its parent dies, however it dies."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    except (OSError, AttributeError):  # not Linux: a parent killed hard leaves its workers running
        pass
    if os.getppid() != parent:  # the parent died before prctl took effect
        os._exit(0)
