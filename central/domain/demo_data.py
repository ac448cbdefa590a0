"""The four demo cards of docs/ARCHITECTURE.md; the kiosk's demo config lists the same numbers.

The active card also carries a contactless chip UID (:data:`DEMO_UIDS`). For attendant mode
there are a demo attendant (:data:`DEMO_ATTENDANT`), phones on the holder records (the
holder search needs them) and two blank new cards to replace a card with (:data:`DEMO_NEW_CARDS`).

The demo attendant's PIN is known to everyone and the demo cards hold points any till can
redeem, so they go only into an empty database (which is then marked as a demo database and
may be filled again) or one so marked; anything else needs ``force``.
"""
from __future__ import annotations

import contextlib
import datetime as dt
from dataclasses import dataclass

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from central.domain.cards import Actor, UidTaken, link_uid, record_event
from central.domain.pins import hash_pin
from central.storage.models import (
    Attendant,
    Card,
    CardStatus,
    DatabaseMark,
    Device,
    Holder,
    Pot,
    utcnow,
)
from opetcard.numbers import last10


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
DEMO_PHONES = {ENDER: "+905551234567", AYSE: "+905329876543"}
"""The holders' phones; filled in on holder records that have none (older demo databases)."""

DEMO_CARDS = (
    DemoCard("7000070012806566", ENDER, CardStatus.ACTIVE, 123456, 8790),
    DemoCard("7000071234567895", AYSE, CardStatus.NOT_ACTIVATED, 4250, 0),
    DemoCard("7000079876543215", None, CardStatus.NOT_ACTIVATED, 0, 15075),
    DemoCard("7000075555000014", ENDER, CardStatus.REPLACED, 0, 0, replaced_by="7000070012806566"),
)

DEMO_UIDS = {"7000070012806566": "04A1B2C3D4E5F6"}
"""Demo card number -> the UID of its chip (played by ``hardware.emulator``'s ``ContactlessUidCard``)."""

DEMO_NEW_CARDS = ("7000072026000012", "7000072026000020")
"""Blank cards as a station hands them out (no holder, no points): targets for a demo replacement."""

DEMO_ATTENDANT = ("1001", "DEMO GÖREVLİ", "1234")
"""Code, name and PIN of the demo attendant."""


DEMO_MARK = "demo"


class NotADemoDatabase(Exception):
    """The database holds devices, attendants, cards or holders and was not filled by demo-data."""


def claim_for_demo(session: Session, force: bool) -> None:
    """Marks the database as a demo database if it is empty or already one; else
    :class:`NotADemoDatabase` (unless ``force``: then it is filled but not marked)."""
    if session.get(DatabaseMark, DEMO_MARK) is not None:
        return
    if any(session.scalar(select(exists().select_from(table))) for table in (Device, Attendant, Card, Holder)):
        if force:
            return
        raise NotADemoDatabase("this database holds devices, attendants or cards and is not a demo database")
    session.add(DatabaseMark(name=DEMO_MARK, set_at=utcnow()))


def load_demo_data(session: Session, force: bool = False) -> int:
    """Adds the demo cards that are missing (existing ones are left as they are); returns how many.

    Only into an empty or demo database unless ``force`` (see :func:`claim_for_demo`). Their balances enter the audit trail as ``opening_balance`` events; :data:`DEMO_UIDS` are
    linked unless the card or the UID is already linked otherwise. Also adds the blank
    :data:`DEMO_NEW_CARDS` (counted) and :data:`DEMO_ATTENDANT`, and fills in missing holder phones.
    """
    claim_for_demo(session, force)
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
                holder = Holder(full_name=demo.holder[0], birth_date=demo.holder[1], consent=True,
                                phone=DEMO_PHONES[demo.holder])
                holders[demo.holder] = holder
        card = Card(
            number=demo.number,
            last10=last10(demo.number),
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
    for key, holder in holders.items():
        if holder.phone is None and key in DEMO_PHONES:
            holder.phone = DEMO_PHONES[key]
    _add_attendant(session)
    return added + _add_new_cards(session)


def _add_new_cards(session: Session) -> int:
    """Adds the blank :data:`DEMO_NEW_CARDS` that are missing; returns how many."""
    existing = set(session.scalars(select(Card.number).where(Card.number.in_(DEMO_NEW_CARDS))))
    missing = [number for number in DEMO_NEW_CARDS if number not in existing]
    session.add_all(Card(number=number, last10=last10(number), status=CardStatus.NOT_ACTIVATED.value,
                         fuel_points=0, autogas_points=0) for number in missing)
    return len(missing)


def _add_attendant(session: Session) -> None:
    """Adds :data:`DEMO_ATTENDANT` unless its code exists (its PIN is then left as it is)."""
    code, name, pin = DEMO_ATTENDANT
    if session.scalar(select(Attendant.id).where(Attendant.code == code)) is None:
        session.add(Attendant(code=code, name=name, pin_hash=hash_pin(pin)))
