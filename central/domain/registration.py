"""Registration: a card gets its holder record from the paper customer information form."""
from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from central.domain.audit import Action, ActionRecord, add_action
from central.domain.cards import Actor, balance, record_event, refuse_if_retired
from central.domain.errors import Conflict
from central.domain.values import Balance
from central.storage.cards import lock_card
from central.storage.models import Holder, utcnow
from opetcard.turkish import turkish_upper


def register(
    session: Session, actor: Actor, *, card_number: str, full_name: str, birth_date: dt.date, phone: str,
    consent: bool,
) -> Balance:
    """Creates the holder record of the card (the card itself if it was never used).

    The name is stored in Turkish upper case with single spaces; an attendant's registration
    is also written to the attendant audit.
    """
    card = lock_card(session, card_number, create=True, device_id=actor.device_id)
    assert card is not None
    refuse_if_retired(card)
    if card.holder_id is not None:
        raise Conflict("already_registered", "this card already has a holder record")
    holder = Holder(
        full_name=" ".join(turkish_upper(full_name).split()),
        birth_date=birth_date,
        phone=phone,
        consent=consent,
        registered_at=utcnow(),
    )
    session.add(holder)
    session.flush()
    card.holder_id = holder.id
    record_event(session, card, "registered", actor)
    if actor.attendant_id is not None:
        add_action(session, ActionRecord(Action.REGISTRATION, actor.device_id, actor.attendant_id, card_id=card.id))
    session.flush()
    session.refresh(card)
    return balance(card, utcnow())
