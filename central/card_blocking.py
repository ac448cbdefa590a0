"""Blocking a card reported lost or stolen: no more look-ups' balance spent, still replaceable."""
from __future__ import annotations

from sqlalchemy.orm import Session

from central.audit import Action, ActionRecord, add_action
from central.card_store import Actor, change_status, lock_cards
from central.errors import ApiError
from central.models import CardStatus


def block_card(session: Session, card_id: int, actor: Actor, reference: str = "admin") -> bool:
    """Blocks the card (locked first); False when it was blocked already. A replaced card cannot
    be blocked (409 ``card_replaced``). A console agent's block is also in the staff audit."""
    card = lock_cards(session, [card_id]).get(card_id)
    if card is None:
        raise ApiError(404, "unknown_card", "no card with this number")
    if card.status == CardStatus.REPLACED.value:
        raise ApiError(409, "card_replaced", "a replaced card cannot be blocked")
    if card.status == CardStatus.BLOCKED.value:
        return False
    change_status(session, card, CardStatus.BLOCKED, "blocked", actor, reference=reference)
    if actor.staff_id is not None or actor.attendant_id is not None:
        add_action(session, ActionRecord(Action.CARD_BLOCKED, actor.device_id, actor.attendant_id, card_id=card.id,
                                         staff_id=actor.staff_id, detail=reference))
    return True
