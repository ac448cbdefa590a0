"""Card-number encodings found in card files: ASCII digits and packed BCD."""
from __future__ import annotations

from enum import Enum

from hardware.apdu import InvalidCardData
from hardware.card_number import CardNumber
from opetcard.numbers import CARD_DIGITS

_ASCII_PADDING = b"\x00\xff "


class NumberEncoding(Enum):
    """How the 16 digits are stored."""

    ASCII = "ascii"
    BCD = "bcd"

    @property
    def stored_length(self) -> int:
        """Bytes a number takes in this encoding."""
        return CARD_DIGITS if self is NumberEncoding.ASCII else CARD_DIGITS // 2

    def read_number(self, data: bytes) -> CardNumber:
        """The card number in ``data``; :class:`InvalidCardData` (without the data) otherwise."""
        digits = _ascii_digits(data) if self is NumberEncoding.ASCII else _bcd_digits(data)
        return _checked(digits)

    def store_number(self, number: CardNumber) -> bytes:
        """``number`` as stored on a card (used by the emulator's cards)."""
        if self is NumberEncoding.ASCII:
            return number.digits.encode("ascii")
        return bytes.fromhex(number.digits)


def _ascii_digits(data: bytes) -> str:
    text = data.rstrip(_ASCII_PADDING)
    if not text.isdigit() or not text.isascii():
        raise InvalidCardData("number file holds other bytes than ASCII digits")
    return text.decode("ascii")


def _bcd_digits(data: bytes) -> str:
    nibbles = data.hex().upper().rstrip("F")
    if not nibbles.isdigit():
        raise InvalidCardData("number file is not packed BCD")
    return nibbles


def _checked(digits: str) -> CardNumber:
    if len(digits) != CARD_DIGITS:
        raise InvalidCardData(f"number file holds {len(digits)} digits, not {CARD_DIGITS}")
    number = CardNumber(digits)
    if not number.luhn_valid:
        raise InvalidCardData("number fails its check digit")
    return number
