"""The UID of a contactless card, for cards whose number is not readable on the card.

The number behind a UID is resolved by the central service. Like
:class:`~hardware.card_number.CardNumber`, a UID is a lasting identifier of a person's card, so
``str()``/``repr()`` show only its last four hex digits; :attr:`CardUid.hex` is the full value
for the look-up request.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from opetcard.masking import masked_uid
from opetcard.numbers import UID_BYTE_LENGTHS


class InvalidCardUid(ValueError):
    """Not a 4-, 7- or 10-byte ISO 14443 UID. The message never repeats the input."""


@dataclass(frozen=True, slots=True)
class CardUid:
    """A contactless card UID (4, 7 or 10 bytes)."""

    value: bytes = field(repr=False)

    def __post_init__(self) -> None:
        if len(self.value) not in UID_BYTE_LENGTHS:
            raise InvalidCardUid(f"a card UID has {', '.join(map(str, UID_BYTE_LENGTHS))} bytes")

    @property
    def hex(self) -> str:
        """Upper-case hex without separators (``04A1B2C3D4E5F6``): what the look-up uses."""
        return self.value.hex().upper()

    @property
    def masked(self) -> str:
        return masked_uid(self.hex)

    def __str__(self) -> str:
        return self.masked

    def __repr__(self) -> str:
        return f"CardUid(…{self.hex[-4:]})"
