"""Card numbers as the service sees them: 16 digits with a Luhn check digit.

A full number never leaves this service in an error or a log line; :func:`last4` and
:func:`mask_digits` give the only forms that may.
"""
from __future__ import annotations

import re

CARD_DIGITS = 16
_LONG_DIGIT_RUN = re.compile(r"\d{10,}")


class MalformedNumber(ValueError):
    """The text is not a 16-digit card number with a valid check digit."""


def luhn_valid(digits: str) -> bool:
    """True when ``digits`` (only 0-9) passes the Luhn check."""
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2 == 1:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total % 10 == 0


def parse_card_number(raw: str) -> str:
    """The 16 digits of ``raw`` (spaces allowed between groups), or :class:`MalformedNumber`."""
    digits = raw.replace(" ", "")
    if len(digits) != CARD_DIGITS or not digits.isascii() or not digits.isdigit() or not luhn_valid(digits):
        raise MalformedNumber("card number must be 16 digits with a valid check digit")
    return digits


def last4(digits: str) -> str:
    """The last four digits: the only part of a number that may be shown or logged."""
    return digits[-4:]


def mask_digits(text: str) -> str:
    """``text`` with every run of 10 or more digits cut to ``…`` and its last four digits."""
    return _LONG_DIGIT_RUN.sub(lambda match: "…" + match.group()[-4:], text)
