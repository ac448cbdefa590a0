"""The attendant audit (``attendant_actions``): what each attendant did, where and when.

A row names the attendant (when known), the device, the action, the card(s) by id and a short
``detail``. Callers put only counts, codes, outcomes and last four digits into ``detail``: never
a full card number, a PIN, a session token or a holder's name.
"""
from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, aliased

from central.domain.values import AttendantActionRow
from central.storage.db import Database
from central.storage.models import Attendant, AttendantAction, Card, Device, StaffAccount, utcnow
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
    UNLOCKED = "unlocked"
    """An admin lifted an attendant's or a console account's lockout."""
    ATTENDANT_ADDED = "attendant_added"
    CONSOLE_SIGN_IN = "console_sign_in"
    CONSOLE_SIGN_IN_FAILED = "console_sign_in_failed"
    CONSOLE_LOCKED_OUT = "console_locked_out"
    CONSOLE_SIGN_OUT = "console_sign_out"
    CONSOLE_SESSION_EXPIRED = "console_session_expired"
    STAFF_ADDED = "staff_added"
    STAFF_DISABLED = "staff_disabled"
    PASSWORD_RESET = "password_reset"
    CARD_BLOCKED = "card_blocked"
    EARN_RULE_ADDED = "earn_rule_added"


@dataclass(frozen=True)
class ActionRecord:
    """One audit row to write."""

    action: Action
    device_id: int | None
    attendant_id: int | None = None
    card_id: int | None = None
    new_card_id: int | None = None
    detail: str | None = None
    staff_id: int | None = None
    """The console agent or admin who acted, if one did."""


def add_action(session: Session, record: ActionRecord) -> None:
    """Adds the row to ``session``'s transaction (it stands or falls with the change it audits)."""
    session.add(AttendantAction(
        at=utcnow(), action=record.action.value, attendant_id=record.attendant_id, device_id=record.device_id,
        card_id=record.card_id, new_card_id=record.new_card_id, detail=record.detail, staff_id=record.staff_id,
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


@dataclass(frozen=True)
class AuditRow:
    """One row of the staff audit as the back office reads it (last four digits only)."""

    at: dt.datetime
    attendant: str | None
    """``code NAME`` of the attendant the row is about, if any."""
    staff: str | None
    """The console username who acted, if any."""
    device: str | None
    action: str
    number_last4: str | None
    new_number_last4: str | None
    detail: str | None


@dataclass(frozen=True)
class AuditQuery:
    """What the back office searches the audit for; every field narrows it."""

    card_id: int | None = None
    """Rows about this card, as the old or the new card."""
    staff: str | None = None
    """An attendant code or a console username (exactly)."""
    since: dt.datetime | None = None
    until: dt.datetime | None = None
    limit: int = 200


def search_actions(session: Session, query: AuditQuery) -> list[AuditRow]:
    """The newest rows matching ``query``."""
    card, new_card = aliased(Card), aliased(Card)
    statement = (
        select(AttendantAction.at, Attendant.code, Attendant.name, StaffAccount.username, Device.name,
               AttendantAction.action, card.number, new_card.number, AttendantAction.detail)
        .outerjoin(Attendant, Attendant.id == AttendantAction.attendant_id)
        .outerjoin(StaffAccount, StaffAccount.id == AttendantAction.staff_id)
        .outerjoin(Device, Device.id == AttendantAction.device_id)
        .outerjoin(card, card.id == AttendantAction.card_id)
        .outerjoin(new_card, new_card.id == AttendantAction.new_card_id)
        .order_by(AttendantAction.id.desc())
        .limit(query.limit)
    )
    if query.card_id is not None:
        statement = statement.where(or_(AttendantAction.card_id == query.card_id,
                                        AttendantAction.new_card_id == query.card_id))
    if query.staff:
        statement = statement.where(or_(Attendant.code == query.staff, StaffAccount.username == query.staff.casefold()))
    if query.since is not None:
        statement = statement.where(AttendantAction.at >= query.since)
    if query.until is not None:
        statement = statement.where(AttendantAction.at < query.until)
    return [
        AuditRow(at, f"{code} {name}" if code else None, username, device, action,
                 last4(number) if number else None, last4(new_number) if new_number else None, detail)
        for at, code, name, username, device, action, number, new_number, detail in session.execute(statement)
    ]
