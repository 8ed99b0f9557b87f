"""index.logs and the not-found line: escaped controls, and only what a search understood."""

from __future__ import annotations

import logging

from index.engine import understood
from index.logs import EscapingFormatter, escape_controls


def test_controls_and_bidi_overrides_are_escaped_in_the_message_and_its_arguments():
    record = logging.LogRecord("orienteur", logging.INFO, __file__, 1, "got %s\r\n", ("a\nb\u202ec\x1b",), None)
    line = EscapingFormatter("%(levelname)s %(message)s").format(record)
    assert line == "INFO got a\\nb\\u202ec\\x1b\\r\\n"
    assert escape_controls("Médiathèque d'Auch") == "Médiathèque d'Auch"


def test_not_found_line_names_the_needs_and_the_named_commune_not_the_words(real_engine):
    query = real_engine.parse("Mme Dupont atelier informatique à Tarbes 0612345678")
    line = understood(query)
    assert "Tarbes" in line and "Dupont" not in line and "0612345678" not in line
    assert "atelier" not in line  # the needs as codes, not the words they were said with
