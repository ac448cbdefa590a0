"""What an attendant sees of a card and its holder: masked details and a session-bound card ref.

A ``card_ref`` is ``"<card id>.<first 24 hex digits of HMAC-SHA256(session key, card id)>"``;
the key is the session token's stored hash, so a ref works in the session that obtained it
and in no other, in any service process, and the card number never has to travel again.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import hmac

from sqlalchemy import select
from sqlalchemy.orm import Session

from central.domain.audit import Action, ActionRecord, add_action
from central.domain.cards import Actor
from central.domain.errors import NotFound
from central.domain.values import AttendantCard, MaskedHolder, Pots
from central.storage.cards import find_card
from central.storage.models import Card, CardStatus, Holder
from opetcard.numbers import last4
from opetcard.turkish import names_match

_REF_DIGEST_CHARS = 24
PHONE_DIGITS_COMPARED = 10


def _ref_digest(session_key: str, card_id: int) -> str:
    return hmac.new(session_key.encode(), str(card_id).encode(), hashlib.sha256).hexdigest()[:_REF_DIGEST_CHARS]


def card_ref(session_key: str, card_id: int) -> str:
    """The ref of ``card_id`` in the session keyed by ``session_key``."""
    return f"{card_id}.{_ref_digest(session_key, card_id)}"


def card_id_of_ref(session_key: str | None, ref: str) -> int | None:
    """The card id named by ``ref`` if it was made in this session, else None."""
    card_id, _, digest = ref.partition(".")
    if session_key is None or not (card_id.isascii() and card_id.isdigit()):
        return None
    return int(card_id) if hmac.compare_digest(digest, _ref_digest(session_key, int(card_id))) else None


def mask_name(full_name: str) -> str:
    """Each word's first letter, then ``*`` for every other letter or digit (punctuation kept)."""
    return " ".join(
        word[0] + "".join("*" if char.isalnum() else char for char in word[1:]) for word in full_name.split()
    )


def mask_birth_date(birth_date: dt.date) -> str:
    """Only the year: ``**.**.1974``."""
    return f"**.**.{birth_date.year}"


def phone_digits(phone: str) -> str:
    """The last ten digits of a phone number (the Turkish number without 0 or +90)."""
    return "".join(char for char in phone if char.isdigit())[-PHONE_DIGITS_COMPARED:]


def mask_phone(phone: str | None) -> str | None:
    """Only the last four digits, behind seven stars whatever the number's length: ``*******4567``."""
    return None if not phone else "*" * 7 + phone_digits(phone)[-4:]


def holder_card(card: Card, session_key: str) -> AttendantCard:
    """The attendant's view of ``card``, with a ref for this session."""
    holder = card.holder
    return AttendantCard(
        card_ref=card_ref(session_key, card.id),
        number_last4=last4(card.number),
        status=CardStatus(card.status),
        pots=Pots(fuel=card.fuel_points, autogas=card.autogas_points),
        holder=None if holder is None else MaskedHolder(
            name_masked=mask_name(holder.full_name),
            birth_date_masked=mask_birth_date(holder.birth_date),
            phone_masked=mask_phone(holder.phone),
        ),
    )


def search_holders(session: Session, full_name: str, birth_date: dt.date, phone: str | None) -> list[Card]:
    """Cards, not replaced, of holders whose name (Turkish-folded) and birth date match, and
    their phone too when ``phone`` is given (None finds a holder with or without one)."""
    wanted_phone = phone_digits(phone) if phone is not None else None
    holder_ids = [
        holder.id
        for holder in session.scalars(select(Holder).where(Holder.birth_date == birth_date))
        if (wanted_phone is None or (holder.phone and phone_digits(holder.phone) == wanted_phone))
        and names_match(full_name, holder.full_name)
    ]
    if not holder_ids:
        return []
    return list(session.scalars(
        select(Card).where(Card.holder_id.in_(holder_ids), Card.status != CardStatus.REPLACED.value).order_by(Card.id)
    ))


def look_up_card(session: Session, number: str, actor: Actor, session_key: str) -> AttendantCard:
    """An attendant's look-up of the card ``number`` in the session keyed by ``session_key``,
    audited whether found or not; ``unknown_card`` when there is none."""
    card = find_card(session, number)
    add_action(session, ActionRecord(Action.CARD_LOOKUP, actor.device_id, actor.attendant_id,
                                     card_id=card.id if card else None,
                                     detail="found" if card else "unknown card", staff_id=actor.staff_id))
    if card is None:
        raise NotFound("unknown_card", "no card with this number")
    return holder_card(card, session_key)


def search_holder_cards(
    session: Session, full_name: str, birth_date: dt.date, phone: str, actor: Actor, session_key: str
) -> list[AttendantCard]:
    """An attendant's holder search (see :func:`search_holders`), audited by its result count."""
    cards = search_holders(session, full_name, birth_date, phone)
    add_action(session, ActionRecord(Action.HOLDER_SEARCH, actor.device_id, actor.attendant_id,
                                     detail=f"{len(cards)} card(s) found", staff_id=actor.staff_id))
    return [holder_card(card, session_key) for card in cards]
