"""A backing service that failed (the conversation store, Redis's rate limits) is left alone a while.

Until it answers again, each caller goes on without it (no memory, no limit) rather than waiting
on it request after request; the failure and the recovery are logged once each, not per request.
"""

from __future__ import annotations

import logging

RETRY_AFTER = 5.0
"""Seconds a failed service is left alone before it is asked again (meanwhile: no wait)."""


class Breaker:
    """``failed`` opens it for ``retry_after`` seconds; ``available`` says whether to ask the service;
    ``recovered`` closes it. ``down`` (formatted with the exception's type and text) and ``back`` are
    the log lines, said to ``log`` once per failure."""

    def __init__(self, log: logging.Logger, down: str, back: str, retry_after: float = RETRY_AFTER) -> None:
        self.log, self.down, self.back, self.retry_after = log, down, back, retry_after
        self.failed_at: float | None = None

    def available(self, now: float) -> bool:
        return self.failed_at is None or now - self.failed_at >= self.retry_after

    def failed(self, exc: BaseException, now: float) -> None:
        if self.failed_at is None:
            self.log.error(self.down, type(exc).__name__, exc)
        self.failed_at = now

    def recovered(self) -> None:
        if self.failed_at is not None:
            self.log.warning(self.back)
            self.failed_at = None
