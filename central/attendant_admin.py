"""Looking after attendants: add, disable, unlock, new PIN (the CLI's commands and the console's page).

A change that makes a live session untrustworthy (disabled, new PIN) ends every session of the
attendant at once, in the same transaction, and is audited with how many it ended and, from
the console, the admin who made it.
"""
from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from central.audit import Action, ActionRecord, add_action
from central.limits import Scope, clear
from central.models import Attendant, AttendantSession, Limit, utcnow
from central.pins import hash_pin
from central.schemas import visible_text


class AttendantAdminError(ValueError):
    """A change that cannot be made; the message says why."""


@dataclass(frozen=True)
class AttendantRow:
    """An attendant as the back office sees them (never the PIN)."""

    code: str
    name: str
    disabled: bool
    locked: bool


def new_pin() -> str:
    """A random 6-digit PIN, to be shown once."""
    return f"{secrets.randbelow(10**6):06d}"


def list_attendants(session: Session, now: dt.datetime) -> list[AttendantRow]:
    """Every attendant by code, with whether the code is locked out now."""
    now_us = int(now.timestamp() * 1_000_000)
    locked = set(session.scalars(select(Limit.subject).where(
        Limit.scope == Scope.ATTENDANT_CODE.value, Limit.locked_until_us > now_us)))
    return [AttendantRow(a.code, a.name, a.disabled_at is not None, a.code in locked)
            for a in session.scalars(select(Attendant).order_by(Attendant.code))]


def add_attendant(session: Session, code: str, name: str, pin: str, by_staff_id: int | None = None) -> None:
    """A new attendant; :class:`AttendantAdminError` for a taken or malformed code, name or PIN."""
    try:
        visible_text(name)
        pin_hash = hash_pin(pin)
    except ValueError as exc:
        raise AttendantAdminError(str(exc)) from None
    if not code or not code.replace("-", "").replace("_", "").isalnum() or len(code) > 32 or not code.isascii():
        raise AttendantAdminError("a code is 1-32 of A-Z, a-z, 0-9, '-' and '_'")
    if session.scalar(select(Attendant.id).where(Attendant.code == code)) is not None:
        raise AttendantAdminError("this attendant code is taken")
    attendant = Attendant(code=code, name=" ".join(name.split()), pin_hash=pin_hash)
    session.add(attendant)
    session.flush()
    if by_staff_id is not None:
        add_action(session, ActionRecord(Action.ATTENDANT_ADDED, None, attendant.id, staff_id=by_staff_id))


def _attendant(session: Session, code: str) -> Attendant:
    attendant = session.scalars(select(Attendant).where(Attendant.code == code).with_for_update()).one_or_none()
    if attendant is None:
        raise AttendantAdminError(f"no attendant {code!r}")
    return attendant


def _end_sessions(session: Session, attendant_id: int, reason: str) -> int:
    return session.execute(
        update(AttendantSession)
        .where(AttendantSession.attendant_id == attendant_id, AttendantSession.ended_at.is_(None))
        .values(ended_at=utcnow(), end_reason=reason)
    ).rowcount


def _changed(session: Session, attendant: Attendant, action: Action, by_staff_id: int | None) -> int:
    ended = _end_sessions(session, attendant.id, action.value)
    by = "the console" if by_staff_id is not None else "opet-central"
    add_action(session, ActionRecord(action, None, attendant.id, staff_id=by_staff_id,
                                     detail=f"by {by}, {ended} session(s) ended"))
    return ended


def disable_attendant(session: Session, code: str, by_staff_id: int | None = None) -> int:
    """No more sign-ins for the attendant; their live sessions end (returns how many)."""
    attendant = _attendant(session, code)
    attendant.disabled_at = attendant.disabled_at or utcnow()
    return _changed(session, attendant, Action.DISABLED, by_staff_id)


def set_pin(session: Session, code: str, pin: str, by_staff_id: int | None = None) -> int:
    """A new PIN for the attendant; their live sessions end (returns how many)."""
    try:
        pin_hash = hash_pin(pin)
    except ValueError as exc:
        raise AttendantAdminError(str(exc)) from None
    attendant = _attendant(session, code)
    attendant.pin_hash = pin_hash
    return _changed(session, attendant, Action.PIN_CHANGED, by_staff_id)


def unlock_attendant(session: Session, code: str, by_staff_id: int | None = None) -> bool:
    """Forgets the code's wrong PINs and lockouts; False when it was not locked."""
    attendant = _attendant(session, code)
    unlocked = clear(session, Scope.ATTENDANT_CODE, code)
    if by_staff_id is not None:
        add_action(session, ActionRecord(Action.UNLOCKED, None, attendant.id, staff_id=by_staff_id,
                                         detail="attendant code"))
    return unlocked
