"""index.logs: every control and bidi character of a logged message escaped."""

from __future__ import annotations

import logging

from index.logs import EscapingFormatter, escape_controls


def test_controls_and_bidi_overrides_are_escaped_in_the_message_and_its_arguments():
    record = logging.LogRecord("orienteur", logging.INFO, __file__, 1, "got %s\r\n", ("a\nb\u202ec\x1b",), None)
    line = EscapingFormatter("%(levelname)s %(message)s").format(record)
    assert line == "INFO got a\\nb\\u202ec\\x1b\\r\\n"
    assert escape_controls("Médiathèque d'Auch") == "Médiathèque d'Auch"


def test_telegram_updates_are_not_logged_even_at_debug():
    """python-telegram-bot logs every update it processes at DEBUG, with what was typed."""
    from index.cli import configure_logging

    telegram = logging.getLogger("telegram.ext.Application")
    try:
        configure_logging("DEBUG")
        assert not telegram.isEnabledFor(logging.DEBUG) and telegram.isEnabledFor(logging.INFO)
        configure_logging("WARNING")
        assert not telegram.isEnabledFor(logging.INFO)
    finally:
        logging.getLogger("telegram").setLevel(logging.NOTSET)
