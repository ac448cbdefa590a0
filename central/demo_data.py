"""The four demo cards of docs/ARCHITECTURE.md; the kiosk's demo config lists the same numbers.

The active card also carries a contactless chip UID (:data:`DEMO_UIDS`).
"""
from __future__ import annotations

import contextlib
import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from central.card_store import Actor, UidTaken, link_uid, record_event
from central.models import Card, CardStatus, Holder, Pot


@dataclass(frozen=True)
class DemoCard:
    """One row of the demo table."""

    number: str
    holder: tuple[str, dt.date] | None
    status: CardStatus
    fuel: int
    autogas: int
    replaced_by: str | None = None


ENDER = ("ENDER AYTEKİN", dt.date(1974, 3, 20))
AYSE = ("AYŞE ŞAHİN", dt.date(1988, 11, 2))

DEMO_CARDS = (
    DemoCard("7000070012806566", ENDER, CardStatus.ACTIVE, 123456, 8790),
    DemoCard("7000071234567895", AYSE, CardStatus.NOT_ACTIVATED, 4250, 0),
    DemoCard("7000079876543215", None, CardStatus.NOT_ACTIVATED, 0, 15075),
    DemoCard("7000075555000014", ENDER, CardStatus.REPLACED, 0, 0, replaced_by="7000070012806566"),
)

DEMO_UIDS = {"7000070012806566": "04A1B2C3D4E5F6"}
"""Demo card number -> the UID of its chip (played by ``hardware.emulator``'s ``ContactlessUidCard``)."""


def load_demo_data(session: Session) -> int:
    """Adds the demo cards that are missing (existing ones are left as they are); returns how many.

    Their balances enter the audit trail as ``opening_balance`` events; :data:`DEMO_UIDS` are
    linked unless the card or the UID is already linked otherwise.
    """
    holders: dict[tuple[str, dt.date], Holder] = {}
    cards: dict[str, Card] = {
        card.number: card
        for card in session.scalars(select(Card).where(Card.number.in_([demo.number for demo in DEMO_CARDS])))
    }
    for card in cards.values():
        if card.holder is not None:
            holders[(card.holder.full_name, card.holder.birth_date)] = card.holder
    added = 0
    for demo in DEMO_CARDS:
        if demo.number in cards:
            continue
        holder = None
        if demo.holder is not None:
            holder = holders.get(demo.holder)
            if holder is None:
                holder = Holder(full_name=demo.holder[0], birth_date=demo.holder[1], consent=True)
                holders[demo.holder] = holder
        card = Card(
            number=demo.number,
            last10=demo.number[-10:],
            status=demo.status.value,
            fuel_points=demo.fuel,
            autogas_points=demo.autogas,
            holder=holder,
        )
        if demo.replaced_by is not None:
            session.flush()
            card.replaced_by_id = cards[demo.replaced_by].id
        session.add(card)
        session.flush()
        for pot in Pot:
            if card.points(pot):
                record_event(session, card, "opening_balance", Actor(), pot=pot, delta=card.points(pot))
        cards[demo.number] = card
        added += 1
    for number, uid in DEMO_UIDS.items():
        with contextlib.suppress(UidTaken):  # linked otherwise by hand: left as it is
            link_uid(session, cards[number], uid)
    return added
