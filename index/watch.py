"""``orienteur rebuild --watch``: rebuild when a source changes, until stopped.

Local files are polled every ``interval`` seconds by (mtime, size); a change starts a
debounce, and the rebuild runs once the files have stayed still for ``debounce`` seconds
(an editor or a copy writing a file in several goes triggers one rebuild, not five). The
rebuild itself compares content hashes, so touching a file without changing it ends as
``unchanged``. URLs are fetched conditionally (``index.fetch``) every ``url_interval``
seconds. A refused or failed rebuild is reported and the watch goes on: the next change
may fix the data.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable

from index.errors import OrienteurError
from index.fetch import is_url
from index.rebuild import RebuildReport, run_rebuild
from index.settings import Settings

log = logging.getLogger(__name__)

Outcome = RebuildReport | OrienteurError
"""What one attempt gave: its report, or the error that stopped it (the served index kept)."""


def signature(paths: list[str]) -> tuple:
    """(path, mtime, size) per file; None for one that is missing (being replaced, say)."""
    out = []
    for path in paths:
        try:
            st = os.stat(path)
        except OSError:
            out.append((path, None))
        else:
            out.append((path, st.st_mtime_ns, st.st_size))
    return tuple(out)


def watch(settings: Settings, sources: list[str] | None, on_outcome: Callable[[Outcome], None],
          stop: threading.Event, interval: float = 2.0, debounce: float = 2.0,
          url_interval: float = 300.0, wait: float = 600.0) -> None:
    """Rebuild now, then whenever the sources change, until ``stop`` is set."""
    locations = list(sources) if sources else settings.sources
    files = [loc for loc in locations if not is_url(loc)]
    has_urls = len(files) < len(locations)

    def attempt() -> None:
        try:
            outcome: Outcome = run_rebuild(settings, locations, wait=wait)
        except OrienteurError as exc:
            outcome = exc
        on_outcome(outcome)

    attempt()
    seen = signature(files)
    changed_at: float | None = None
    fetched_at = time.monotonic()
    while not stop.wait(interval):
        now = time.monotonic()
        current = signature(files)
        if current != seen:
            log.info("source changed; rebuilding once it has been still for %g s", debounce)
            seen, changed_at = current, now
            continue
        if changed_at is not None and now - changed_at >= debounce:
            changed_at, fetched_at = None, now
            attempt()
        elif has_urls and now - fetched_at >= url_interval:
            fetched_at = now
            attempt()
