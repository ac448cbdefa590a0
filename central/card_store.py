"""Finding, creating and locking cards, and writing their audit trail.

A card comes into being the first time a till, a registration or a replacement names it
(cards are handed out blank at stations); a look-up never creates one.
Writers lock the cards they change (``SELECT … FOR UPDATE`` on PostgreSQL; on SQLite the
write transaction already holds the database lock), always in ascending id order.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from sqlalchemy import Connection, select
from sqlalchemy import insert as sqlalchemy_insert
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from central.errors import ApiError
from central.models import Card, CardEvent, CardStatus, Pot, utcnow
from opetcard.numbers import last10

CARD_CREATED = "card_created"
"""The event of a card row made blank by :func:`ensure_card_row`."""


def find_card(session: Session, number: str) -> Card | None:
    """The card with ``number``, unlocked."""
    return session.scalars(select(Card).where(Card.number == number)).one_or_none()


def find_card_by_uid(session: Session, uid: str) -> Card | None:
    """The card whose chip has ``uid`` (upper-case hex), unlocked."""
    return session.scalars(select(Card).where(Card.uid == uid)).one_or_none()


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


def lock_cards(session: Session, card_ids: list[int]) -> dict[int, Card]:
    """Locks the cards with ``card_ids`` (ascending id order) and returns their fresh rows."""
    query = (
        select(Card)
        .where(Card.id.in_(card_ids))
        .order_by(Card.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return {card.id: card for card in session.scalars(query)}


def ensure_card_row(connection: Connection, number: str, device_id: int | None) -> int:
    """The id of the card with ``number``, inserting a blank one (and its audit event) if new."""
    insert = postgresql_insert if connection.dialect.name == "postgresql" else sqlite_insert
    now = utcnow()
    inserted = connection.execute(
        insert(Card)
        .values(number=number, last10=last10(number), status=CardStatus.NOT_ACTIVATED.value,
                fuel_points=0, autogas_points=0, created_at=now)
        .on_conflict_do_nothing(index_elements=["number"])
        .returning(Card.id)
    ).scalar_one_or_none()
    if inserted is not None:
        connection.execute(sqlalchemy_insert(CardEvent).values(
            card_id=inserted, at=now, kind=CARD_CREATED, delta=0, status=CardStatus.NOT_ACTIVATED.value,
            device_id=device_id))
        return inserted
    return connection.execute(select(Card.id).where(Card.number == number)).scalar_one()


def lock_card(session: Session, number: str, *, create: bool = False, device_id: int | None = None) -> Card:
    """The locked card with ``number``; created blank when ``create``, else 404 if missing."""
    if create:
        card_id = ensure_card_row(session.connection(), number, device_id)
    else:
        card = find_card(session, number)
        if card is None:
            raise ApiError(404, "unknown_card", "no card with this number")
        card_id = card.id
    return lock_cards(session, [card_id])[card_id]


class HasStatus(Protocol):
    """A card row or object: anything with the card's status."""

    @property
    def status(self) -> str: ...


def refuse_if_retired(card: HasStatus) -> None:
    """409 for a replaced or blocked card, which may not be used any more."""
    if card.status == CardStatus.REPLACED.value:
        raise ApiError(409, "card_replaced", "this card was replaced by a new card and can no longer be used")
    if card.status == CardStatus.BLOCKED.value:
        raise ApiError(409, "card_blocked", "this card is blocked")


@dataclass(frozen=True)
class Actor:
    """Who causes a change: the device, and the attendant or console agent/admin when one signed in."""

    device_id: int | None = None
    attendant_id: int | None = None
    staff_id: int | None = None


def record_event(
    session: Session, card: Card, kind: str, actor: Actor, *,
    pot: Pot | None = None, delta: int = 0, reference: str | None = None,
) -> None:
    """Appends one audit event for ``card`` (after its change has been applied)."""
    session.add(CardEvent(
        card_id=card.id, at=utcnow(), kind=kind, pot=pot.value if pot else None, delta=delta,
        status=card.status, reference=reference, device_id=actor.device_id, attendant_id=actor.attendant_id,
        staff_id=actor.staff_id,
    ))


def change_points(
    session: Session, card: Card, pot: Pot, delta: int, kind: str, actor: Actor, reference: str | None = None
) -> None:
    """Moves ``delta`` points in or out of ``card``'s ``pot`` with its audit event; never below zero."""
    if card.points(pot) + delta < 0:
        raise ApiError(409, "insufficient_points", f"the {pot.value} pot holds {card.points(pot)} hundredths")
    card.add_points(pot, delta)
    record_event(session, card, kind, actor, pot=pot, delta=delta, reference=reference)


def change_status(
    session: Session, card: Card, status: CardStatus, kind: str, actor: Actor, reference: str | None = None
) -> None:
    """Sets ``card``'s status with its audit event."""
    card.status = status.value
    record_event(session, card, kind, actor, reference=reference)
