"""Attendant sign-in by code and PIN, with limits in the database (the API's headers that carry
them, ``X-Attendant-Session`` or ``X-Attendant-Code``/``X-Attendant-Pin``: central.api.attendants).

Every sign-in is charged before its PIN is hashed (central.storage.limits), in one transaction: first to
the device's budget of sign-ins that were not right (``signin_failures_per_device_per_hour``,
smaller than the lockout, so one device is throttled before it can lock anyone out), then as a
strike on the code as typed. The strike that reaches ``pin_max_failures`` locks the code at once,
before its PIN is checked, so concurrent guesses find it locked and are never checked; each
lockout in a row lasts twice the one before. A right PIN clears the code's strikes and gives the
device its attempt back.

An unknown code is counted, hashed against a dummy, audited and answered exactly like a wrong
PIN of a real code (``attempts_left`` included), so neither answers nor timing tell which codes
exist.
"""
from __future__ import annotations

from sqlalchemy import select

from central.domain.audit import Action, ActionRecord, write_action
from central.domain.errors import Forbidden, RateLimited, Unauthenticated
from central.domain.pins import unknown_attendant_hash, verify_pin
from central.domain.settings import Settings
from central.storage.db import Database
from central.storage.limits import Scope, clear, give_back, strike, take
from central.storage.models import Attendant

BAD_PIN_MESSAGE = "unknown attendant code or wrong PIN"


def _locked(retry_after: int, message: str) -> Forbidden:
    return Forbidden("attendant_locked", message, retry_after=retry_after,
                     extra={"retry_after_seconds": retry_after})


def check_attendant(
    database: Database, settings: Settings, code: str, pin: str, device_id: int, failed_action: Action
) -> Attendant:
    """The attendant for ``code`` if ``pin`` is right and neither the code nor the device is held back.

    Otherwise ``bad_attendant_pin`` with ``attempts_left``, ``attendant_locked`` (with
    ``retry_after_seconds`` and ``retry_after``; also for the wrong PIN that locked the code) or
    ``rate_limited`` (this device's budget); a wrong PIN and a lockout are audited as
    ``failed_action``.
    """
    now, device = settings.clock(), str(device_id)
    with database.transaction() as session:
        throttled = take(session, Scope.SIGNIN_DEVICE, device, settings.signin_devices(), now)
        if throttled is None:
            attempt = strike(session, Scope.ATTENDANT_CODE, code, settings.pin_max_failures, settings.pin_lockout, now)
            # a disabled attendant is answered as an unknown code
            attendant = session.scalars(
                select(Attendant).where(Attendant.code == code, Attendant.disabled_at.is_(None))).one_or_none()
    if throttled is not None:
        raise RateLimited(Scope.SIGNIN_DEVICE.value, throttled,
                          "too many attendant sign-ins from this device; wait a little")
    attendant_id = attendant.id if attendant is not None else None
    if not attempt.checked:
        assert attempt.locked_for is not None
        write_action(database, ActionRecord(failed_action, device_id, attendant_id, detail="locked out"))
        raise _locked(attempt.locked_for, "too many wrong PINs; try again later")
    right = verify_pin(pin, attendant.pin_hash if attendant is not None else unknown_attendant_hash())
    if right and attendant is not None:
        with database.transaction() as session:
            clear(session, Scope.ATTENDANT_CODE, code)
            give_back(session, Scope.SIGNIN_DEVICE, device, settings.signin_devices())
        return attendant
    if attempt.locked_for is not None:
        write_action(database, ActionRecord(Action.LOCKED_OUT, device_id, attendant_id, detail=(
            f"{settings.pin_max_failures} wrong PINs, locked for {attempt.locked_for} s")))
        raise _locked(attempt.locked_for, "too many wrong PINs; the attendant is locked for a while")
    detail = f"wrong PIN, {attempt.attempts_left} left" if attendant is not None else "unknown attendant code"
    write_action(database, ActionRecord(failed_action, device_id, attendant_id, detail=detail))
    raise Unauthenticated("bad_attendant_pin", BAD_PIN_MESSAGE, extra={"attempts_left": attempt.attempts_left})
