"""Turning stored rows into response bodies."""
from __future__ import annotations

import datetime as dt

from central.loop_reads import CardRow
from central.models import Card, CardStatus
from central.schemas import CardView, Pots
from opetcard.numbers import last4


def card_view(card: Card | CardRow, as_of: dt.datetime) -> CardView:
    """The balance body of ``card``."""
    return CardView(
        number_last4=last4(card.number),
        status=CardStatus(card.status),
        pots=Pots(fuel=card.fuel_points, autogas=card.autogas_points),
        holder_registered=card.holder_id is not None,
        as_of=as_of.replace(microsecond=0),
    )
