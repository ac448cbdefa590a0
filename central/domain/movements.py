"""A card's recent movements for a kiosk's balance screen: the last earnings and spendings,
each with its day, station, pot and points, and nothing else (no number beyond its last four,
no holder data, no device or till). The caller charges the device's look-up budget first."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy.orm import Session

from central.domain.errors import NotFound
from central.storage.cards import find_card, find_card_by_uid
from central.storage.models import POT_OF_FUEL, FuelType, Pot
from central.storage.movements import recent_movements as stored_movements
from opetcard.numbers import last4

RECENT = 5
"""How many movements a kiosk is told."""


@dataclass(frozen=True)
class Movement:
    """One earning or spending of a card."""

    at: dt.datetime
    kind: str
    station: str
    pot: Pot
    points: int


@dataclass(frozen=True)
class Movements:
    """A card's recent movements, newest first."""

    number_last4: str
    movements: list[Movement]


def recent_movements(session: Session, by: str, key: str) -> Movements:
    """The last :data:`RECENT` movements of the card whose ``by`` (``number`` or ``uid``) is
    ``key``; ``unknown_card`` when there is none."""
    card = find_card(session, key) if by == "number" else find_card_by_uid(session, key)
    if card is None:
        raise NotFound("unknown_card", f"no card with this {'number' if by == 'number' else 'UID'}")
    return Movements(
        number_last4=last4(card.number),
        movements=[
            Movement(row.at.replace(microsecond=0), row.kind, row.station, POT_OF_FUEL[FuelType(row.fuel_type)],
                     row.points)
            for row in stored_movements(session, card.id, RECENT)
        ],
    )
