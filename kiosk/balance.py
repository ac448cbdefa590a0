"""What the central service says about a card, as the kiosk uses it."""
from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime

from hardware.card_number import CardNumber


class CardStatus(enum.Enum):
    ACTIVE = "active"
    NOT_ACTIVATED = "not_activated"
    REPLACED = "replaced"
    BLOCKED = "blocked"


class Entry(enum.Enum):
    """How the number reached the kiosk; typed look-ups are rate-limited by the service."""

    TAPPED = "tapped"
    TYPED = "typed"


@dataclass(frozen=True)
class Balance:
    """Both point pots of a card, in integer hundredths of a Paropuan."""

    number: CardNumber
    status: CardStatus
    fuel: int
    autogas: int
    holder_registered: bool
    as_of: datetime

    @property
    def can_spend(self) -> bool:
        return self.status is CardStatus.ACTIVE
