"""Log lines that cannot be forged: every value's control characters escaped.

A newline in a message, or ``%0A`` in a URL path the access log prints, would otherwise start
a line of its own that a reader (or a log parser) takes for a real entry; a bidi override
would reorder what the line shows. ``EscapingFormatter`` writes them as ``\\n``, ``\\u202e``…
The traceback of ``log.exception`` keeps its own line breaks.
"""

from __future__ import annotations

import logging
import re

from index.cleaning import BIDI_CONTROLS

_UNSAFE = re.compile(f"[\\x00-\\x1f\\x7f-\\x9f\\u2028\\u2029{BIDI_CONTROLS}]")


def escape_controls(text: str) -> str:
    """``text`` with each control or bidi character written as its Python escape (``\\n``, ``\\x1b``)."""
    return _UNSAFE.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)


class EscapingFormatter(logging.Formatter):
    """A ``logging.Formatter`` whose message (format and arguments alike) has its controls escaped."""

    def formatMessage(self, record: logging.LogRecord) -> str:
        record.message = escape_controls(record.message)
        return super().formatMessage(record)
