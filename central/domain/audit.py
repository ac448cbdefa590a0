"""The attendant audit (``attendant_actions``): what each attendant did, where and when.

A row names the attendant (when known), the device, the action, the card(s) by id and a short
``detail``. Callers put only counts, codes, outcomes and last four digits into ``detail``: never
a full card number, a PIN, a session token or a holder's name.
"""
from __future__ import annotations

import enum
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from central.domain.values import AttendantActionRow
from central.storage.db import Database
from central.storage.models import Attendant, AttendantAction, Card, Device, utcnow
from opetcard.numbers import last4


class Action(str, enum.Enum):
    """What an attendant did."""

    LOGIN = "login"
    LOGIN_FAILED = "login_failed"
    PIN_FAILED = "pin_failed"
    """A wrong or refused PIN in the X-Attendant-Code/X-Attendant-Pin headers of a till's request."""
    LOCKED_OUT = "locked_out"
    LOGOUT = "logout"
    SESSION_EXPIRED = "session_expired"
    CARD_LOOKUP = "card_lookup"
    HOLDER_SEARCH = "holder_search"
    REPLACEMENT = "replacement"
    REPLACEMENT_REFUSED = "replacement_refused"
    REGISTRATION = "registration"
    REGISTRATION_REFUSED = "registration_refused"
    DISABLED = "disabled"
    """``opet-central disable-attendant``; also the end reason of the sessions it ended."""
    PIN_CHANGED = "pin_changed"
    """``opet-central set-pin``; also the end reason of the sessions it ended."""


@dataclass(frozen=True)
class ActionRecord:
    """One audit row to write."""

    action: Action
    device_id: int | None
    attendant_id: int | None = None
    card_id: int | None = None
    new_card_id: int | None = None
    detail: str | None = None


def add_action(session: Session, record: ActionRecord) -> None:
    """Adds the row to ``session``'s transaction (it stands or falls with the change it audits)."""
    session.add(AttendantAction(
        at=utcnow(), action=record.action.value, attendant_id=record.attendant_id, device_id=record.device_id,
        card_id=record.card_id, new_card_id=record.new_card_id, detail=record.detail,
    ))


def write_action(database: Database, record: ActionRecord) -> None:
    """Writes the row in a transaction of its own (for actions that change nothing else)."""
    with database.transaction() as session:
        add_action(session, record)


def list_actions(session: Session, attendant_code: str | None, limit: int) -> list[AttendantActionRow]:
    """The newest ``limit`` rows, of one attendant when ``attendant_code`` is given."""
    card = aliased(Card)
    query = (
        select(AttendantAction.at, Attendant.code, Device.name, AttendantAction.action, card.number,
               AttendantAction.detail)
        .outerjoin(Attendant, Attendant.id == AttendantAction.attendant_id)
        .outerjoin(Device, Device.id == AttendantAction.device_id)
        .outerjoin(card, card.id == AttendantAction.card_id)
        .order_by(AttendantAction.id.desc())
        .limit(limit)
    )
    if attendant_code is not None:
        query = query.where(Attendant.code == attendant_code)
    return [
        AttendantActionRow(at=at, attendant_code=code, device_name=device, action=action,
                            number_last4=last4(number) if number else None, detail=detail)
        for at, code, device, action, number, detail in session.execute(query)
    ]
