"""Administering attendants: adding them, disabling them, changing PINs, lifting lockouts.

Disabling an attendant or changing their PIN ends every live session of theirs at once, in the
same transaction, and is audited.
"""
from __future__ import annotations

import datetime as dt
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from central.domain.audit import Action, ActionRecord, add_action
from central.clock import epoch_us
from central.domain.errors import Conflict, Invalid, NotFound
from central.domain.pins import hash_pin
from central.domain.text import visible_text
from central.storage.limits import Scope, clear
from central.storage.models import Attendant, AttendantSession, Limit


def _no_attendant(code: str) -> NotFound:
    return NotFound("not_found", f"no attendant {code!r}")


CODE_PATTERN = re.compile(r"^[A-Za-z0-9_-]{1,32}$")
"""What a kiosk or till can send as an attendant code (the API's header and body pattern)."""


@dataclass(frozen=True)
class AttendantRow:
    """An attendant as the back office sees them (never the PIN)."""

    code: str
    name: str
    disabled: bool
    locked: bool


def list_attendants(session: Session, now: dt.datetime) -> list[AttendantRow]:
    """Every attendant by code, with whether the code is locked out at ``now``."""
    locked = set(session.scalars(select(Limit.subject).where(
        Limit.scope == Scope.ATTENDANT_CODE.value, Limit.locked_until_us > epoch_us(now))))
    return [AttendantRow(a.code, a.name, a.disabled_at is not None, a.code in locked)
            for a in session.scalars(select(Attendant).order_by(Attendant.code))]


def new_pin() -> str:
    """A random 6-digit PIN, to be shown once."""
    return f"{secrets.randbelow(10**6):06d}"


def add_attendant(session: Session, code: str, name: str, pin: str, by_staff_id: int | None = None) -> None:
    """Adds an attendant; the PIN (4-8 digits) is stored as a salted scrypt hash; ``invalid_request``
    for a code no kiosk could send, a name with a control or format character or a PIN of the
    wrong shape, ``conflict`` for a code taken. Added from the console, the admin is audited."""
    try:
        visible_text(name)
        pin_hash = hash_pin(pin)
    except ValueError as exc:
        raise Invalid("invalid_request", str(exc)) from None
    if not CODE_PATTERN.match(code):
        raise Invalid("invalid_request", "an attendant code is 1-32 of A-Z, a-z, 0-9, '-' and '_'")
    if session.scalar(select(Attendant.id).where(Attendant.code == code)) is not None:
        raise Conflict("conflict", "this attendant code is taken")
    attendant = Attendant(code=code, name=" ".join(name.split()), pin_hash=pin_hash)
    session.add(attendant)
    if by_staff_id is not None:
        session.flush()
        add_action(session, ActionRecord(Action.ATTENDANT_ADDED, None, attendant.id, staff_id=by_staff_id))


def _end_sessions(session: Session, attendant_id: int, reason: str, now: dt.datetime) -> int:
    """Ends every live session of the attendant at once; returns how many."""
    return session.execute(
        update(AttendantSession)
        .where(AttendantSession.attendant_id == attendant_id, AttendantSession.ended_at.is_(None))
        .values(ended_at=now, end_reason=reason)
    ).rowcount


def _change(session: Session, code: str, action: Action, change: Callable[[Attendant], None],
            now: dt.datetime, by_staff_id: int | None = None) -> int:
    """Applies ``change`` to the attendant ``code``, ends their sessions and audits it; sessions ended."""
    attendant = session.scalars(select(Attendant).where(Attendant.code == code).with_for_update()).one_or_none()
    if attendant is None:
        raise _no_attendant(code)
    change(attendant)
    ended = _end_sessions(session, attendant.id, action.value, now)
    by = "the console" if by_staff_id is not None else "opet-central"
    add_action(session, ActionRecord(action, None, attendant.id, detail=f"by {by}, {ended} session(s) ended",
                                     staff_id=by_staff_id))
    return ended


def disable_attendant(session: Session, code: str, now: dt.datetime, by_staff_id: int | None = None) -> int:
    """The attendant can no longer sign in (answered as an unknown code); returns the sessions ended."""
    def disable(attendant: Attendant) -> None:
        attendant.disabled_at = attendant.disabled_at or now

    return _change(session, code, Action.DISABLED, disable, now, by_staff_id)


def set_pin(session: Session, code: str, pin: str, now: dt.datetime, by_staff_id: int | None = None) -> int:
    """A new PIN for the attendant; returns the sessions ended."""
    try:
        pin_hash = hash_pin(pin)
    except ValueError as exc:
        raise Invalid("invalid_request", str(exc)) from None

    def change(attendant: Attendant) -> None:
        attendant.pin_hash = pin_hash

    return _change(session, code, Action.PIN_CHANGED, change, now, by_staff_id)


def unlock_attendant(session: Session, code: str, by_staff_id: int | None = None) -> bool:
    """Forgets the code's wrong PINs and lockouts; False when it was not locked."""
    attendant_id = session.scalar(select(Attendant.id).where(Attendant.code == code))
    if attendant_id is None:
        raise _no_attendant(code)
    if by_staff_id is not None:
        add_action(session, ActionRecord(Action.UNLOCKED, None, attendant_id, staff_id=by_staff_id,
                                         detail="attendant code"))
    return clear(session, Scope.ATTENDANT_CODE, code)
