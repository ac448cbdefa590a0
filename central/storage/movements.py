"""A card's recent earnings (sales) and spendings (redemptions), newest first, as one query."""
from __future__ import annotations

import datetime as dt
from typing import NamedTuple

from sqlalchemy import literal, select, union_all
from sqlalchemy.orm import Session

from central.storage.models import Redemption, Sale


class MovementRow(NamedTuple):
    """One sale or redemption of a card: when, ``earned`` or ``spent``, where, which fuel, how many points."""

    at: dt.datetime
    kind: str
    station: str
    fuel_type: str
    points: int


def recent_movements(session: Session, card_id: int, limit: int) -> list[MovementRow]:
    """The card's last ``limit`` sales and redemptions, newest first (by when they happened)."""
    sales = select(Sale.sold_at.label("at"), literal("earned").label("kind"), Sale.station, Sale.fuel_type,
                   Sale.points, Sale.id).where(Sale.card_id == card_id)
    redemptions = select(Redemption.redeemed_at.label("at"), literal("spent").label("kind"), Redemption.station,
                         Redemption.fuel_type, Redemption.points, Redemption.id).where(Redemption.card_id == card_id)
    both = union_all(sales, redemptions).subquery()
    rows = session.execute(
        select(both.c.at, both.c.kind, both.c.station, both.c.fuel_type, both.c.points)
        .order_by(both.c.at.desc(), both.c.kind, both.c.id.desc()).limit(limit)
    )
    return [MovementRow(*row) for row in rows]
