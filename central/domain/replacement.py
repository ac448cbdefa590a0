"""Card replacement: an attendant moves both pots of a lost or broken card to a new one.

One transaction: both cards are locked (ascending id), the old card's pots are emptied into
the new card, the old card becomes ``replaced`` and the new card takes the holder and, if the
old card was activated, the activation. ``replacements.old_card_id`` is unique, so a card can
be replaced only once even if two attendants try at the same moment.

The old card is named by its number plus the holder's name and birth date, or (attendant
mode) by a card ref of the attendant's session plus the birth date the attendant read off the
holder's ID document. The new card must be blank: no holder, no points, no events but its
creation (a card someone used or registered is theirs, and its points with it).
Each replacement gets a unique confirmation code for the attendant and the holder, and a row
in the attendant audit.
"""
from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Callable

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from central.domain.audit import Action, ActionRecord, add_action
from central.domain.cards import (
    Actor,
    balance,
    change_points,
    change_status,
    refuse_if_retired,
)
from central.domain.errors import Conflict, Invalid, NotFound
from central.domain.identity import IDENTITY_MESSAGES, IdentityCheck, check_identity
from central.domain.values import Pots, ReplacementDone
from central.storage.cards import CARD_CREATED, ensure_card_row, find_card, lock_cards
from central.storage.models import (
    Card,
    CardEvent,
    CardStatus,
    Pot,
    Replacement,
    Sale,
    utcnow,
)
from opetcard.numbers import last4

CONFIRMATION_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
"""Crockford's base32: no I, L, O or U, so a code read aloud or off a screen is not misread."""
CONFIRMATION_LENGTH = 6


def new_confirmation_code(session: Session) -> str:
    """A random code no replacement has yet (the unique index guards against a concurrent twin)."""
    while True:
        code = "".join(secrets.choice(CONFIRMATION_ALPHABET) for _ in range(CONFIRMATION_LENGTH))
        if session.scalar(select(Replacement.id).where(Replacement.confirmation_code == code)) is None:
            return code


def replace_card(
    session: Session, actor: Actor, *, old_card_number: str, new_card_number: str, full_name: str,
    birth_date: dt.date,
) -> ReplacementDone:
    """By number: the holder's name and birth date must match the old card's record."""
    if old_card_number == new_card_number:
        raise Invalid("same_card", "the new card must be a different card")
    old_row = find_card(session, old_card_number)
    if old_row is None:
        raise NotFound("unknown_card", "no card with the old card's number")

    def confirm(old: Card) -> None:
        assert old.holder is not None
        identity = check_identity(old.holder, full_name, birth_date)
        if identity is not IdentityCheck.MATCH:
            raise Invalid(identity.value, IDENTITY_MESSAGES[identity])

    return _move(session, actor, old_row.id, new_card_number, confirm)


def replace_card_by_ref(
    session: Session, actor: Actor, old_card_id: int, *, new_card_number: str, birth_date: dt.date
) -> ReplacementDone:
    """By a card ref of the attendant's session: the birth date read off the ID must match the record."""
    old_row = session.get(Card, old_card_id)
    if old_row is None:
        raise NotFound("unknown_card", "no such card in this attendant session")
    if old_row.number == new_card_number:
        raise Invalid("same_card", "the new card must be a different card")

    def confirm(old: Card) -> None:
        assert old.holder is not None
        if old.holder.birth_date != birth_date:
            raise Invalid(IdentityCheck.WRONG_BIRTH_DATE.value,
                          "the birth date on the ID document does not match the holder record")

    return _move(session, actor, old_card_id, new_card_number, confirm)


def refuse_unless_blank(session: Session, card: Card) -> None:
    """``new_card_not_blank`` for a card with a holder, points, any event but its creation, or a sale
    (a sale too small to earn a point leaves no event, but the card was in someone's hand)."""
    used = session.scalar(select(
        exists().where(CardEvent.card_id == card.id, CardEvent.kind != CARD_CREATED)
        | exists().where(Sale.card_id == card.id)))
    if card.holder_id is not None or card.fuel_points or card.autogas_points or used:
        raise Conflict("new_card_not_blank",
                       "the new card must be blank (no holder, no points, never used); take another new card")


def _move(
    session: Session, actor: Actor, old_id: int, new_number: str, confirm: Callable[[Card], None]
) -> ReplacementDone:
    """Moves everything from the old card to the new card, or raises without changing anything."""
    new_id = ensure_card_row(session.connection(), new_number, actor.device_id)
    cards = lock_cards(session, [old_id, new_id])
    old, new = cards[old_id], cards[new_id]
    if old.status == CardStatus.REPLACED.value:
        raise Conflict("card_replaced", "the old card has already been replaced")
    if old.holder is None:
        raise Conflict("not_registered", "the old card has no holder record to confirm; register it first")
    confirm(old)
    refuse_if_retired(new)
    refuse_unless_blank(session, new)

    code = new_confirmation_code(session)
    replacement = Replacement(
        old_card_id=old.id, new_card_id=new.id, device_id=actor.device_id, attendant_id=actor.attendant_id,
        fuel_moved=old.fuel_points, autogas_moved=old.autogas_points, created_at=utcnow(), confirmation_code=code,
    )
    session.add(replacement)
    session.flush()
    reference = f"replacement:{replacement.id}"
    was_active = old.status == CardStatus.ACTIVE.value
    new.holder_id = old.holder_id
    for pot in Pot:
        moved = old.points(pot)
        if moved:
            change_points(session, old, pot, -moved, "replacement_out", actor, reference)
            change_points(session, new, pot, moved, "replacement_in", actor, reference)
    old.replaced_by_id = new.id
    change_status(session, old, CardStatus.REPLACED, "replaced", actor, reference)
    if was_active and new.status != CardStatus.ACTIVE.value:
        change_status(session, new, CardStatus.ACTIVE, "activated", actor, reference)
    add_action(session, ActionRecord(
        Action.REPLACEMENT, actor.device_id, actor.attendant_id, card_id=old.id, new_card_id=new.id,
        detail=f"to …{last4(new.number)}, confirmation {code}",
    ))
    session.flush()
    now = utcnow()
    return ReplacementDone(
        replacement_id=replacement.id,
        confirmation_code=code,
        old_card=balance(old, now),
        new_card=balance(new, now),
        moved=Pots(fuel=replacement.fuel_moved, autogas=replacement.autogas_moved),
    )
