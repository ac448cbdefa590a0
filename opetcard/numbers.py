"""Card numbers and chip UIDs: their shapes and the check digit.

A card number is 16 ASCII digits whose last one is a Luhn (mod 10) check digit; a contactless
chip UID is 4, 7 or 10 bytes (ISO 14443), written as 8, 14 or 20 hex digits. The Luhn check is
python-stdnum's.
"""
from __future__ import annotations

from stdnum import luhn

CARD_DIGITS = 16
SMS_DIGITS = 10  # the SMS activation rule asks for the card's last ten digits
UID_BYTE_LENGTHS = (4, 7, 10)
UID_HEX_LENGTHS = tuple(2 * length for length in UID_BYTE_LENGTHS)
_HEX_DIGITS = frozenset("0123456789ABCDEFabcdef")


def has_card_shape(digits: str) -> bool:
    """True when ``digits`` is exactly 16 ASCII digits (check digit not checked)."""
    return len(digits) == CARD_DIGITS and digits.isascii() and digits.isdigit()


def luhn_valid(digits: str) -> bool:
    """True when ``digits`` (ASCII digits only) passes the Luhn check."""
    return digits.isascii() and digits.isdigit() and luhn.is_valid(digits)


def is_card_number(digits: str) -> bool:
    """16 ASCII digits with a valid check digit: a number the service can have issued."""
    return has_card_shape(digits) and luhn_valid(digits)


def has_uid_shape(hex_digits: str) -> bool:
    """True when ``hex_digits`` is 8, 14 or 20 hex digits, in any case."""
    return len(hex_digits) in UID_HEX_LENGTHS and set(hex_digits) <= _HEX_DIGITS


def last4(digits: str) -> str:
    """The last four digits: the only part of a number a log, a screen or an error may show."""
    return digits[-4:]


def last10(digits: str) -> str:
    """The last ten digits: what the SMS activation rule (``PARO <last 10> ...``) asks for."""
    return digits[-SMS_DIGITS:]
