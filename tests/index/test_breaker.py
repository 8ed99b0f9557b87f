"""The failure breaker the conversation store and the Redis rate limiter share."""

from __future__ import annotations

import logging

from index.breaker import Breaker

log = logging.getLogger("test.breaker")


def breaker() -> Breaker:
    return Breaker(log, "store down (%s: %s)", "store back", retry_after=5.0)


def test_a_failed_service_is_left_alone_until_retry_after_then_asked_again():
    b = breaker()
    assert b.available(100.0)
    b.failed(ConnectionError("refused"), 100.0)
    assert not b.available(100.0) and not b.available(104.9)
    assert b.available(105.0)
    b.failed(ConnectionError("refused"), 105.0)  # asked again, still down: left alone again
    assert not b.available(109.0)
    b.recovered()
    assert b.available(109.0)


def test_a_failure_and_its_recovery_are_logged_once_each(caplog):
    b = breaker()
    with caplog.at_level(logging.WARNING, logger="test.breaker"):
        b.recovered()  # nothing had failed: nothing to say
        for now in (1.0, 6.0, 11.0):
            b.failed(ConnectionError("refused"), now)
        b.recovered()
        b.recovered()
    assert [(r.levelno, r.getMessage()) for r in caplog.records] == [
        (logging.ERROR, "store down (ConnectionError: refused)"), (logging.WARNING, "store back")]
