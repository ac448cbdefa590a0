"""Card numbers as the service sees them: 16 digits with a Luhn check digit; and the
contactless chip UIDs that stand for them (4, 7 or 10 bytes as hex).

A full number or UID never leaves this service in an error or a log line; :func:`opetcard.numbers.last4` and
:func:`mask_path` give the only forms that may.
"""
from __future__ import annotations

import re

from opetcard.numbers import has_uid_shape, is_card_number

_LONG_DIGIT_RUN = re.compile(r"\d{10,}")
_UID_IN_PATH = re.compile(r"(/by-uid/)([^/]*)")


class MalformedNumber(ValueError):
    """The text is not a 16-digit card number with a valid check digit."""


class MalformedUid(ValueError):
    """The text is not a 4-, 7- or 10-byte card UID in hex."""


def parse_card_number(raw: str) -> str:
    """The 16 digits of ``raw`` (spaces allowed between groups), or :class:`MalformedNumber`."""
    digits = raw.replace(" ", "")
    if not is_card_number(digits):
        raise MalformedNumber("card number must be 16 digits with a valid check digit")
    return digits


def parse_uid(raw: str) -> str:
    """The upper-case hex of ``raw`` (8, 14 or 20 hex digits, any case), or :class:`MalformedUid`."""
    if not has_uid_shape(raw):
        raise MalformedUid("card UID must be 8, 14 or 20 hex digits (4, 7 or 10 bytes)")
    return raw.upper()


def mask_digits(text: str) -> str:
    """``text`` with every run of 10 or more digits cut to ``…`` and its last four digits."""
    return _LONG_DIGIT_RUN.sub(lambda match: "…" + match.group()[-4:], text)


def mask_path(path: str) -> str:
    """``path`` with card numbers cut by :func:`mask_digits` and a ``/by-uid/`` segment to its last four."""
    return mask_digits(_UID_IN_PATH.sub(lambda match: match.group(1) + "…" + match.group(2)[-4:], path))
