"""A last line of defence: no log handler ever writes a full 16-digit card number.

The kiosk's own code logs only masked numbers (``CardNumber`` masks itself), but libraries
log request URLs (urllib3 retries, for one) and those carry the number. This filter rewrites
any run of 16 digits (optionally grouped 4-4-4-4) in a record to its masked form.
"""
from __future__ import annotations

import logging
import re

from opetcard.masking import masked_number

_CARD_NUMBER = re.compile(r"(?<!\d)(?:\d{4}[ -]?){3}(\d{4})(?!\d)")


def redact(text: str) -> str:
    """Replace every 16-digit number in ``text`` by ``•••• •••• •••• 1234``."""
    return _CARD_NUMBER.sub(lambda match: masked_number(match.group(1)), text)


class CardNumberRedactor(logging.Filter):
    """Formats the record's message once, redacted; never drops a record."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = redact(message)
        if redacted != message:
            record.msg, record.args = redacted, None
        return True


def install(*logger_names: str) -> None:
    """Add the redactor to every handler of the root logger and of ``logger_names``."""
    redactor = CardNumberRedactor()
    for name in (None, *logger_names):
        for handler in logging.getLogger(name).handlers:
            if not any(isinstance(f, CardNumberRedactor) for f in handler.filters):
                handler.addFilter(redactor)
