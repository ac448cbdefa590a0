"""Turning the domain's values and stored rows into response bodies."""
from __future__ import annotations

import datetime as dt

from central.api.schemas import CardView
from central.domain.cards import CardColumns, balance


def card_view(card: CardColumns, as_of: dt.datetime) -> CardView:
    """The balance body of ``card``."""
    return CardView.model_validate(balance(card, as_of), from_attributes=True)
