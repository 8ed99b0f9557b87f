"""index.logs: every control and bidi character of a logged message escaped."""

from __future__ import annotations

import logging

from index.logs import EscapingFormatter, escape_controls


def test_controls_and_bidi_overrides_are_escaped_in_the_message_and_its_arguments():
    record = logging.LogRecord("orienteur", logging.INFO, __file__, 1, "got %s\r\n", ("a\nb\u202ec\x1b",), None)
    line = EscapingFormatter("%(levelname)s %(message)s").format(record)
    assert line == "INFO got a\\nb\\u202ec\\x1b\\r\\n"
    assert escape_controls("Médiathèque d'Auch") == "Médiathèque d'Auch"
