"""Request and response bodies of the HTTP API (pydantic)."""
from __future__ import annotations

import datetime as dt
import enum

from pydantic import BaseModel, Field

from central.models import CardStatus


class Entry(str, enum.Enum):
    """How the kiosk got the number: a tapped card, or digits typed on the screen."""

    TAPPED = "tapped"
    TYPED = "typed"


class Pots(BaseModel):
    """Both pots in integer hundredths of a Paropuan."""

    fuel: int = Field(description="Petrol and diesel pot, hundredths of a Paropuan")
    autogas: int = Field(description="Autogas pot, hundredths of a Paropuan")


class CardView(BaseModel):
    """A card's balance as a kiosk shows it."""

    number_last4: str = Field(pattern=r"^\d{4}$")
    status: CardStatus
    pots: Pots
    holder_registered: bool
    as_of: dt.datetime


class Health(BaseModel):
    """Liveness answer."""

    status: str = "ok"
