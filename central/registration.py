"""Registration: a card gets its holder record from the paper customer information form."""
from __future__ import annotations

from sqlalchemy.orm import Session

from central.audit import Action, ActionRecord, add_action
from central.card_store import Actor, lock_card, record_event, refuse_if_retired
from central.errors import ApiError
from central.models import Holder, utcnow
from central.schemas import CardView, RegistrationRequest
from central.views import card_view
from opetcard.turkish import turkish_upper


def register(session: Session, actor: Actor, request: RegistrationRequest) -> CardView:
    """Creates the holder record of the card (the card itself if it was never used).

    The name is stored in Turkish upper case with single spaces; an attendant's registration
    (or a console agent's) is also written to the audit.
    """
    card = lock_card(session, request.card_number, create=True, device_id=actor.device_id)
    refuse_if_retired(card)
    if card.holder_id is not None:
        raise ApiError(409, "already_registered", "this card already has a holder record")
    holder = Holder(
        full_name=" ".join(turkish_upper(request.full_name).split()),
        birth_date=request.birth_date,
        phone=request.phone,
        consent=request.consent,
        registered_at=utcnow(),
    )
    session.add(holder)
    session.flush()
    card.holder_id = holder.id
    record_event(session, card, "registered", actor)
    if actor.attendant_id is not None or actor.staff_id is not None:
        add_action(session, ActionRecord(Action.REGISTRATION, actor.device_id, actor.attendant_id, card_id=card.id,
                                         staff_id=actor.staff_id))
    session.flush()
    session.refresh(card)
    return card_view(card, utcnow())
