"""Card queries: finding, creating blank and locking cards.

Writers lock the cards they change (``SELECT … FOR UPDATE`` on PostgreSQL; on SQLite the
write transaction already holds the database lock), always in ascending id order.
"""
from __future__ import annotations

from sqlalchemy import Connection, select
from sqlalchemy import insert as sqlalchemy_insert
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from central.storage.models import Card, CardEvent, CardStatus, utcnow
from opetcard.numbers import last10

CARD_CREATED = "card_created"
"""The event of a card row made blank by :func:`ensure_card_row`."""


def find_card(session: Session, number: str) -> Card | None:
    """The card with ``number``, unlocked."""
    return session.scalars(select(Card).where(Card.number == number)).one_or_none()


def find_card_by_uid(session: Session, uid: str) -> Card | None:
    """The card whose chip has ``uid`` (upper-case hex), unlocked."""
    return session.scalars(select(Card).where(Card.uid == uid)).one_or_none()


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




def lock_card(session: Session, number: str, *, create: bool = False, device_id: int | None = None) -> Card | None:
    """The locked card with ``number``; created blank when ``create``, else None if there is none."""
    if create:
        card_id = ensure_card_row(session.connection(), number, device_id)
    else:
        card = find_card(session, number)
        if card is None:
            return None
        card_id = card.id
    return lock_cards(session, [card_id])[card_id]
