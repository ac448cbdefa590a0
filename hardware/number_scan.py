"""Finding a card number in bytes read from a card, in the encodings the profiles know.

Used by ``opet-reader probe`` on files and blocks whose layout nobody told it. A candidate is
16 digits that pass the Luhn check and are not one digit repeated (an empty block's sixteen
zeros pass Luhn): ASCII digits (not inside a longer run of digits), or
8 bytes of packed BCD. ``exact`` says the whole data is the number as the profiles read it
(:meth:`NumberEncoding.read_number`: padding allowed after it).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from hardware.apdu import InvalidCardData
from hardware.card_number import CardNumber
from opetcard.numbers import CARD_DIGITS, luhn_valid
from hardware.profiles.encoding import NumberEncoding

_ASCII_RUN = re.compile(rb"(?<![0-9])[0-9]{%d}(?![0-9])" % CARD_DIGITS)
_BCD_BYTES = CARD_DIGITS // 2


@dataclass(frozen=True)
class FoundNumber:
    """A number found at ``offset`` (bytes) of the data, stored in ``encoding``."""

    number: CardNumber
    encoding: NumberEncoding
    offset: int
    exact: bool


def find_numbers(data: bytes) -> list[FoundNumber]:
    """Every Luhn-valid 16-digit number in ``data``, ASCII first, then BCD, by offset."""
    found: list[FoundNumber] = []
    for match in _ASCII_RUN.finditer(data):
        digits = match.group().decode("ascii")
        if _plausible(digits):
            found.append(FoundNumber(CardNumber(digits), NumberEncoding.ASCII, match.start(), _exact(data, NumberEncoding.ASCII)))
    for offset in range(len(data) - _BCD_BYTES + 1):
        window = data[offset : offset + _BCD_BYTES]
        if window.isdigit():  # ASCII digits read as BCD ("3x3x..."): not a second number
            continue
        digits = window.hex()
        if digits.isdigit() and _plausible(digits):
            found.append(FoundNumber(CardNumber(digits), NumberEncoding.BCD, offset, _exact(data, NumberEncoding.BCD)))
    return found


def _plausible(digits: str) -> bool:
    return len(set(digits)) > 1 and luhn_valid(digits)


def _exact(data: bytes, encoding: NumberEncoding) -> bool:
    try:
        encoding.read_number(data)
    except InvalidCardData:
        return False
    return True


def redacted_hex(data: bytes) -> str:
    """``data`` in hex with every number found in it blanked (``**`` a byte)."""
    text = [f"{byte:02X}" for byte in data]
    for found in find_numbers(data):
        size = CARD_DIGITS if found.encoding is NumberEncoding.ASCII else _BCD_BYTES
        text[found.offset : found.offset + size] = ["**"] * size
    return "".join(text)
