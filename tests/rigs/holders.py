"""Cards of a test's own on a running central service, made as a station makes them: a blank
card's number, the customer information form handed in at a till, a card reported lost. Tests
that change a card (activate, block, replace it) use these, never the demo cards other tests
read, so they do not depend on each other's order.

Numbers start ``70000741`` and end in random digits and a Luhn check digit.
"""
from __future__ import annotations

import datetime as dt
import secrets

import httpx
from sqlalchemy import select, update

from central.storage.db import Database
from central.storage.models import Card, Holder
from hardware.card_number import CardNumber
from opetcard.numbers import luhn_valid
from tests.rigs.central import CentralService

PREFIX = "70000741"


def fresh_number() -> CardNumber:
    """A Luhn-valid number no card has yet: a blank card just taken from the till."""
    body = PREFIX + f"{secrets.randbelow(10**7):07d}"
    return next(CardNumber.parse(body + check) for check in "0123456789" if luhn_valid(body + check))


def registered_card(service: CentralService, full_name: str, born: dt.date, phone: str = "05551112233") -> CardNumber:
    """A fresh card whose customer information form a till has registered (not activated)."""
    card = fresh_number()
    till = service.add_device("till", f"till-{card.last4}-{secrets.token_hex(3)}")
    response = httpx.post(
        f"{service.base_url}/v1/registrations",
        headers={"Authorization": f"Bearer {till}"},
        json={"card_number": card.digits, "full_name": full_name, "birth_date": born.isoformat(),
              "phone": phone, "consent": True},
        timeout=10,
    )
    assert response.status_code == 201, response.text
    return card


def block(service: CentralService, card: CardNumber) -> None:
    """The card reported lost or stolen (``opet-central block-card``)."""
    service.cli("block-card", "--number", card.digits)


def forget_phone(database_url: str, number: str) -> None:
    """The card's holder record without a phone, as records from before phones were asked for."""
    database = Database.connect(database_url)
    try:
        with database.transaction() as session:
            holder_id = session.scalar(select(Card.holder_id).where(Card.number == number))
            session.execute(update(Holder).where(Holder.id == holder_id).values(phone=None))
    finally:
        database.dispose()
