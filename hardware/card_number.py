"""The 16-digit loyalty card number, a value that masks itself.

``str()`` and ``repr()`` of a :class:`CardNumber` show only the last four digits, so a
number that slips into a log line, an exception or a label does not leak. The full digits
are reachable only through the explicit :attr:`CardNumber.digits`.
"""
from __future__ import annotations

from dataclasses import dataclass, field

CARD_NUMBER_LENGTH = 16


class InvalidCardNumber(ValueError):
    """The text is not a 16-digit card number. The message never repeats the input."""


def luhn_is_valid(digits: str) -> bool:
    """True when ``digits`` passes the Luhn (mod 10) check."""
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2 == 1:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total % 10 == 0


def mask_last4(last4: str) -> str:
    """``•••• •••• •••• 6566``: the masked form of a number of which only ``last4`` is known."""
    return "•••• •••• •••• " + last4


@dataclass(frozen=True, slots=True)
class CardNumber:
    """A validated card number; construct with :meth:`parse`."""

    digits: str = field(repr=False)

    def __post_init__(self) -> None:
        if len(self.digits) != CARD_NUMBER_LENGTH or not self.digits.isascii() or not self.digits.isdigit():
            raise InvalidCardNumber(f"a card number has {CARD_NUMBER_LENGTH} digits")

    @classmethod
    def parse(cls, text: str) -> CardNumber:
        """Accept digits with optional spaces or dashes (``7000 0700 1280 6566``)."""
        return cls("".join(ch for ch in text.strip() if ch not in " -"))

    @property
    def last4(self) -> str:
        return self.digits[-4:]

    @property
    def last10(self) -> str:
        """The part the SMS activation rule needs (``PARO <last 10> ...``)."""
        return self.digits[-10:]

    @property
    def masked(self) -> str:
        """``•••• •••• •••• 6566``: what screens and logs may show."""
        return mask_last4(self.last4)

    @property
    def luhn_valid(self) -> bool:
        return luhn_is_valid(self.digits)

    def __str__(self) -> str:
        return self.masked

    def __repr__(self) -> str:
        return f"CardNumber(…{self.last4})"
