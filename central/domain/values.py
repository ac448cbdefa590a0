"""The plain values domain functions return (the API turns them into its response models,
field for field: ``Model.model_validate(value, from_attributes=True)``)."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from central.storage.models import CardStatus, FuelType, Pot


@dataclass(frozen=True)
class Pots:
    """Both pots of a card, integer hundredths of a Paropuan."""

    fuel: int
    autogas: int


@dataclass(frozen=True)
class Balance:
    """A card's balance as a kiosk shows it."""

    number_last4: str
    status: CardStatus
    pots: Pots
    holder_registered: bool
    as_of: dt.datetime


@dataclass(frozen=True)
class SaleBooked:
    """What a sale earned."""

    sale_id: int
    number_last4: str
    fuel_type: FuelType
    amount: int
    pot: Pot
    points_earned: int
    rate_ppm: int | None
    pots: Pots


@dataclass(frozen=True)
class RedemptionBooked:
    """What a redemption took."""

    redemption_id: int
    number_last4: str
    pot: Pot
    points: int
    pots: Pots


@dataclass(frozen=True)
class ReplacementDone:
    """A replacement: its confirmation code and both cards afterwards."""

    replacement_id: int
    confirmation_code: str
    old_card: Balance
    new_card: Balance
    moved: Pots


@dataclass(frozen=True)
class MaskedHolder:
    """Enough of a holder record to compare with an ID document, and no more."""

    name_masked: str
    birth_date_masked: str
    phone_masked: str | None


@dataclass(frozen=True)
class AttendantCard:
    """A card as an attendant sees it; ``card_ref`` names it in later calls of the same session."""

    card_ref: str
    number_last4: str
    status: CardStatus
    pots: Pots
    holder: MaskedHolder | None


@dataclass(frozen=True)
class AttendantActionRow:
    """One row of the attendant audit."""

    at: dt.datetime
    attendant_code: str | None
    device_name: str | None
    action: str
    number_last4: str | None
    detail: str | None
