"""Card rules: a card comes into being the first time a till, a registration or a replacement
names it (cards are handed out blank at stations; a look-up never creates one); retired cards
are refused; every change of points or status writes its audit event; an operator may block a
card and link a chip's UID to it.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from central.domain.errors import Conflict, NotFound
from central.domain.values import Balance, Pots
from central.storage.cards import find_card, find_card_by_uid, lock_card
from central.storage.models import Card, CardEvent, CardStatus, Pot, utcnow
from opetcard.numbers import last4


class CardColumns(Protocol):
    """A card row or object: what a balance shows."""

    @property
    def number(self) -> str: ...
    @property
    def status(self) -> str: ...
    @property
    def fuel_points(self) -> int: ...
    @property
    def autogas_points(self) -> int: ...
    @property
    def holder_id(self) -> int | None: ...


def balance(card: CardColumns, as_of: dt.datetime) -> Balance:
    """The balance of ``card`` as of ``as_of`` (to the second)."""
    return Balance(
        number_last4=last4(card.number),
        status=CardStatus(card.status),
        pots=Pots(fuel=card.fuel_points, autogas=card.autogas_points),
        holder_registered=card.holder_id is not None,
        as_of=as_of.replace(microsecond=0),
    )


def locked_card(session: Session, number: str) -> Card:
    """The locked card with ``number``, or ``unknown_card``."""
    card = lock_card(session, number)
    if card is None:
        raise NotFound("unknown_card", "no card with this number")
    return card


class UidTaken(ValueError):
    """The UID is linked to another card, or the card to another UID."""


def link_uid(session: Session, card: Card, uid: str) -> None:
    """Links the chip ``uid`` to ``card`` (idempotent); :class:`UidTaken` if either is linked elsewhere."""
    if card.uid == uid:
        return
    if card.uid is not None:
        raise UidTaken("this card is already linked to another UID")
    if find_card_by_uid(session, uid) is not None:
        raise UidTaken("this UID is already linked to another card")
    card.uid = uid


class HasStatus(Protocol):
    """A card row or object: anything with the card's status."""

    @property
    def status(self) -> str: ...


def refuse_if_retired(card: HasStatus) -> None:
    """``card_replaced`` or ``card_blocked`` for a replaced or blocked card, which may not be used any more."""
    if card.status == CardStatus.REPLACED.value:
        raise Conflict("card_replaced", "this card was replaced by a new card and can no longer be used")
    if card.status == CardStatus.BLOCKED.value:
        raise Conflict("card_blocked", "this card is blocked")


@dataclass(frozen=True)
class Actor:
    """Who causes a change: the device, and the attendant when one signed in."""

    device_id: int | None = None
    attendant_id: int | None = None


def record_event(
    session: Session, card: Card, kind: str, actor: Actor, *,
    pot: Pot | None = None, delta: int = 0, reference: str | None = None,
) -> None:
    """Appends one audit event for ``card`` (after its change has been applied)."""
    session.add(CardEvent(
        card_id=card.id, at=utcnow(), kind=kind, pot=pot.value if pot else None, delta=delta,
        status=card.status, reference=reference, device_id=actor.device_id, attendant_id=actor.attendant_id,
    ))


def change_points(
    session: Session, card: Card, pot: Pot, delta: int, kind: str, actor: Actor, reference: str | None = None
) -> None:
    """Moves ``delta`` points in or out of ``card``'s ``pot`` with its audit event; never below zero."""
    if card.points(pot) + delta < 0:
        raise Conflict("insufficient_points", f"the {pot.value} pot holds {card.points(pot)} hundredths")
    card.add_points(pot, delta)
    record_event(session, card, kind, actor, pot=pot, delta=delta, reference=reference)


def change_status(
    session: Session, card: Card, status: CardStatus, kind: str, actor: Actor, reference: str | None = None
) -> None:
    """Sets ``card``'s status with its audit event."""
    card.status = status.value
    record_event(session, card, kind, actor, reference=reference)


def block_card(session: Session, number: str, actor: Actor) -> None:
    """Blocks a lost or stolen card (it may still be replaced); a replaced card cannot be blocked."""
    card = locked_card(session, number)
    if card.status == CardStatus.REPLACED.value:
        raise Conflict("card_replaced", "a replaced card cannot be blocked")
    change_status(session, card, CardStatus.BLOCKED, "blocked", actor, reference="admin")


def link_card_uid(session: Session, number: str, uid: str) -> None:
    """Links the chip ``uid`` to the card with ``number`` (idempotent); :class:`UidTaken` if taken."""
    card = find_card(session, number)
    if card is None:
        raise NotFound("unknown_card", "no card with this number")
    link_uid(session, card, uid)


@dataclass(frozen=True)
class CardEventRow:
    """One entry of a card's audit trail."""

    id: int
    at: dt.datetime
    kind: str
    pot: str | None
    delta: int
    status: str
    reference: str | None
    device_id: int | None
    attendant_id: int | None


def card_events(session: Session, number: str, limit: int) -> list[CardEventRow]:
    """Every change of the card's points or status, newest first; ``unknown_card`` when none."""
    card = find_card(session, number)
    if card is None:
        raise NotFound("unknown_card", "no card with this number")
    events = session.scalars(
        select(CardEvent).where(CardEvent.card_id == card.id).order_by(CardEvent.id.desc()).limit(limit))
    return [CardEventRow(e.id, e.at, e.kind, e.pot, e.delta, e.status, e.reference, e.device_id, e.attendant_id)
            for e in events]
