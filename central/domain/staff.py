"""Administering attendants: adding them, disabling them, changing PINs, lifting lockouts.

Disabling an attendant or changing their PIN ends every live session of theirs at once, in the
same transaction, and is audited.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from central.domain.audit import Action, ActionRecord, add_action
from central.domain.errors import Invalid, NotFound
from central.domain.pins import hash_pin
from central.domain.text import visible_text
from central.storage.limits import Scope, clear
from central.storage.models import Attendant, AttendantSession


def _no_attendant(code: str) -> NotFound:
    return NotFound("not_found", f"no attendant {code!r}")


def add_attendant(session: Session, code: str, name: str, pin: str) -> None:
    """Adds an attendant; the PIN (4-8 digits) is stored as a salted scrypt hash; ``invalid_request``
    for a name with a control or format character or a PIN of the wrong shape."""
    try:
        visible_text(name)
        pin_hash = hash_pin(pin)
    except ValueError as exc:
        raise Invalid("invalid_request", str(exc)) from None
    session.add(Attendant(code=code, name=name, pin_hash=pin_hash))


def _end_sessions(session: Session, attendant_id: int, reason: str, now: dt.datetime) -> int:
    """Ends every live session of the attendant at once; returns how many."""
    return session.execute(
        update(AttendantSession)
        .where(AttendantSession.attendant_id == attendant_id, AttendantSession.ended_at.is_(None))
        .values(ended_at=now, end_reason=reason)
    ).rowcount


def _change(session: Session, code: str, action: Action, change: Callable[[Attendant], None],
            now: dt.datetime) -> int:
    """Applies ``change`` to the attendant ``code``, ends their sessions and audits it; sessions ended."""
    attendant = session.scalars(select(Attendant).where(Attendant.code == code).with_for_update()).one_or_none()
    if attendant is None:
        raise _no_attendant(code)
    change(attendant)
    ended = _end_sessions(session, attendant.id, action.value, now)
    add_action(session, ActionRecord(action, None, attendant.id, detail=f"by opet-central, {ended} session(s) ended"))
    return ended


def disable_attendant(session: Session, code: str, now: dt.datetime) -> int:
    """The attendant can no longer sign in (answered as an unknown code); returns the sessions ended."""
    def disable(attendant: Attendant) -> None:
        attendant.disabled_at = attendant.disabled_at or now

    return _change(session, code, Action.DISABLED, disable, now)


def set_pin(session: Session, code: str, pin: str, now: dt.datetime) -> int:
    """A new PIN for the attendant; returns the sessions ended."""
    try:
        pin_hash = hash_pin(pin)
    except ValueError as exc:
        raise Invalid("invalid_request", str(exc)) from None

    def change(attendant: Attendant) -> None:
        attendant.pin_hash = pin_hash

    return _change(session, code, Action.PIN_CHANGED, change, now)


def unlock_attendant(session: Session, code: str) -> bool:
    """Forgets the code's wrong PINs and lockouts; False when it was not locked."""
    if session.scalar(select(Attendant.id).where(Attendant.code == code)) is None:
        raise _no_attendant(code)
    return clear(session, Scope.ATTENDANT_CODE, code)
