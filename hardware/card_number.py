"""The 16-digit loyalty card number, a value that masks itself.

``str()`` and ``repr()`` of a :class:`CardNumber` show only the last four digits, so a
number that slips into a log line, an exception or a label does not leak. The full digits
are reachable only through the explicit :attr:`CardNumber.digits`.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from opetcard import numbers
from opetcard.masking import masked_number

class InvalidCardNumber(ValueError):
    """The text is not a 16-digit card number. The message never repeats the input."""


@dataclass(frozen=True, slots=True)
class CardNumber:
    """A validated card number; construct with :meth:`parse`."""

    digits: str = field(repr=False)

    def __post_init__(self) -> None:
        if not numbers.has_card_shape(self.digits):
            raise InvalidCardNumber(f"a card number has {numbers.CARD_DIGITS} digits")

    @classmethod
    def parse(cls, text: str) -> CardNumber:
        """Accept digits with optional spaces or dashes (``7000 0700 1280 6566``)."""
        return cls("".join(ch for ch in text.strip() if ch not in " -"))

    @property
    def last4(self) -> str:
        return numbers.last4(self.digits)

    @property
    def last10(self) -> str:
        """The part the SMS activation rule needs (``PARO <last 10> ...``)."""
        return numbers.last10(self.digits)

    @property
    def masked(self) -> str:
        """``•••• •••• •••• 6566``: what screens and logs may show."""
        return masked_number(self.last4)

    @property
    def luhn_valid(self) -> bool:
        return numbers.luhn_valid(self.digits)

    def __str__(self) -> str:
        return self.masked

    def __repr__(self) -> str:
        return f"CardNumber(…{self.last4})"
