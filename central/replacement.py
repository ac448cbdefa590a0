"""Card replacement: an attendant moves both pots of a lost or broken card to a new one.

One transaction: both cards are locked (ascending id), the old card's pots are emptied into
the new card, the old card becomes ``replaced`` and the new card takes the holder and, if the
old card was activated, the activation. ``replacements.old_card_id`` is unique, so a card can
be replaced only once even if two attendants try at the same moment.
"""
from __future__ import annotations

from sqlalchemy.orm import Session

from central.card_store import Actor, change_points, change_status, ensure_card_row, find_card, lock_cards, refuse_if_retired
from central.errors import ApiError
from central.identity import IDENTITY_MESSAGES, IdentityCheck, check_identity
from central.models import CardStatus, Pot, Replacement, utcnow
from central.schemas import Pots, ReplacementReceipt, ReplacementRequest
from central.views import card_view


def replace_card(session: Session, actor: Actor, request: ReplacementRequest) -> ReplacementReceipt:
    """Moves everything from the old card to the new card, or raises without changing anything."""
    if request.old_card_number == request.new_card_number:
        raise ApiError(422, "same_card", "the new card must be a different card")
    old_row = find_card(session, request.old_card_number)
    if old_row is None:
        raise ApiError(404, "unknown_card", "no card with the old card's number")
    new_id = ensure_card_row(session, request.new_card_number, actor.device_id)
    cards = lock_cards(session, [old_row.id, new_id])
    old, new = cards[old_row.id], cards[new_id]
    if old.status == CardStatus.REPLACED.value:
        raise ApiError(409, "card_replaced", "the old card has already been replaced")
    if old.holder is None:
        raise ApiError(409, "not_registered", "the old card has no holder record to confirm; register it first")
    identity = check_identity(old.holder, request.full_name, request.birth_date)
    if identity is not IdentityCheck.MATCH:
        raise ApiError(422, identity.value, IDENTITY_MESSAGES[identity])
    refuse_if_retired(new)
    if new.holder_id is not None and new.holder_id != old.holder_id:
        raise ApiError(409, "new_card_registered", "the new card is registered to someone else")

    replacement = Replacement(
        old_card_id=old.id, new_card_id=new.id, device_id=actor.device_id, attendant_id=actor.attendant_id,
        fuel_moved=old.fuel_points, autogas_moved=old.autogas_points, created_at=utcnow(),
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
    session.flush()
    now = utcnow()
    return ReplacementReceipt(
        replacement_id=replacement.id,
        old_card=card_view(old, now),
        new_card=card_view(new, now),
        moved=Pots(fuel=replacement.fuel_moved, autogas=replacement.autogas_moved),
    )
