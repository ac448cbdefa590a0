"""What the central service says about a card, as the kiosk uses it."""
from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime

from hardware.card_number import CardNumber
from opetcard.masking import masked_number


class CardStatus(enum.Enum):
    ACTIVE = "active"
    NOT_ACTIVATED = "not_activated"
    REPLACED = "replaced"
    BLOCKED = "blocked"


class Entry(enum.Enum):
    """How the number reached the kiosk; typed look-ups are rate-limited by the service."""

    TAPPED = "tapped"
    TYPED = "typed"


class Pot(enum.Enum):
    FUEL = "fuel"
    AUTOGAS = "autogas"


class MovementKind(enum.Enum):
    EARNED = "earned"
    SPENT = "spent"


@dataclass(frozen=True)
class Movement:
    """One earning (a sale) or spending (a redemption) of a card: when, where, which pot and
    how many Paropuan, in integer hundredths (always positive; ``kind`` says which way)."""

    at: datetime
    kind: MovementKind
    station: str
    pot: Pot
    points: int

    @property
    def signed_points(self) -> int:
        return self.points if self.kind is MovementKind.EARNED else -self.points


RECENT_MOVEMENTS = 5
"""How many movements the balance screen shows (the service never sends more)."""


@dataclass(frozen=True)
class Balance:
    """Both point pots of a card, in integer hundredths of a Paropuan.

    ``number`` is None for a card looked up by its contactless UID: the service then tells
    only the last four digits (``number_last4``).
    """

    number: CardNumber | None
    status: CardStatus
    fuel: int
    autogas: int
    holder_registered: bool
    as_of: datetime
    number_last4: str

    @property
    def masked(self) -> str:
        """The card number as screens may show it."""
        return masked_number(self.number_last4)

    @property
    def last10(self) -> str | None:
        """The digits the SMS activation rule needs; None when the full number is unknown."""
        return self.number.last10 if self.number is not None else None

    @property
    def can_spend(self) -> bool:
        return self.status is CardStatus.ACTIVE

    @property
    def needs_activation(self) -> bool:
        """Its points wait for the holder to activate the card (by SMS or online)."""
        return self.status is CardStatus.NOT_ACTIVATED
