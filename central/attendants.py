"""Attendant sign-in: by session (``X-Attendant-Session``, kiosks) or by code and PIN headers
(``X-Attendant-Code``/``X-Attendant-Pin``, tills only), with limits in the database.

Every sign-in is charged before its PIN is hashed (central.limits), in one transaction: first to
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

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Header, Request
from sqlalchemy import select

from central.throttle import rate_limited
from central.attendant_sessions import resume_session
from central.audit import Action, ActionRecord, write_action
from central.auth import AuthenticatedDevice, require_device
from central.db import Database
from central.errors import ApiError
from central.limits import Scope, clear, give_back, strike, take
from central.models import Attendant, DeviceKind
from central.pins import unknown_attendant_hash, verify_pin
from central.settings import Settings

BAD_PIN_MESSAGE = "unknown attendant code or wrong PIN"


@dataclass(frozen=True)
class AuthenticatedAttendant:
    """The attendant signed in for this request."""

    id: int
    code: str
    session_key: str | None = None
    """The session's token hash, which keys its card refs; None when signed in by code and PIN."""


def _locked(retry_after: int, message: str) -> ApiError:
    return ApiError(403, "attendant_locked", message, headers={"Retry-After": str(retry_after)},
                    extra={"retry_after_seconds": retry_after})


def check_attendant(
    request: Request, code: str, pin: str, device_id: int, failed_action: Action
) -> Attendant:
    """The attendant for ``code`` if ``pin`` is right and neither the code nor the device is held back.

    Otherwise 401 ``bad_attendant_pin`` with ``attempts_left``, 403 ``attendant_locked`` (with
    ``retry_after_seconds`` and ``Retry-After``; also for the wrong PIN that locked the code) or
    429 ``rate_limited`` (this device's budget); a wrong PIN and a lockout are audited as
    ``failed_action``.
    """
    state = request.app.state
    database: Database = state.database
    settings: Settings = state.settings
    now, device = settings.clock(), str(device_id)
    with database.transaction() as session:
        throttled = take(session, Scope.SIGNIN_DEVICE, device, settings.signin_devices(), now)
        if throttled is None:
            attempt = strike(session, Scope.ATTENDANT_CODE, code, settings.pin_max_failures, settings.pin_lockout, now)
            # a disabled attendant is answered as an unknown code
            attendant = session.scalars(
                select(Attendant).where(Attendant.code == code, Attendant.disabled_at.is_(None))).one_or_none()
    if throttled is not None:
        raise rate_limited(request, Scope.SIGNIN_DEVICE.value, throttled,
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
    raise ApiError(401, "bad_attendant_pin", BAD_PIN_MESSAGE, extra={"attempts_left": attempt.attempts_left})


kiosk_or_till = require_device(DeviceKind.KIOSK, DeviceKind.TILL)
"""The device dependency of attendant calls; one object, so FastAPI checks the token once per request."""

SessionHeader = Annotated[str | None, Header(
    alias="X-Attendant-Session", max_length=200,
    description="The session_token of POST /v1/attendant-sessions made by this same device")]
CodeHeader = Annotated[str | None, Header(alias="X-Attendant-Code", pattern=r"^[A-Za-z0-9_-]{1,32}$")]
PinHeader = Annotated[str | None, Header(alias="X-Attendant-Pin", pattern=r"^\d{4,8}$")]


def session_invalid() -> ApiError:
    """401 for an unknown, ended, expired or other device's session token."""
    return ApiError(401, "attendant_session_invalid", "the attendant session has ended or is not this device's")


def _signed_in(
    request: Request, device: AuthenticatedDevice, token: str | None, code: str | None, pin: str | None
) -> AuthenticatedAttendant | None:
    """The attendant of the session or of the code and PIN headers; None when neither was sent."""
    state = request.app.state
    if token is not None:
        resumed = resume_session(state.database, state.settings, token, device.id)
        if resumed is None:
            raise session_invalid()
        attendant_id, attendant_code, session_key = resumed
        return AuthenticatedAttendant(attendant_id, attendant_code, session_key)
    if code is None and pin is None:
        return None
    if device.kind is not DeviceKind.TILL:
        raise ApiError(403, "forbidden", "only a till may send X-Attendant-Code and X-Attendant-Pin; "
                                         "a kiosk signs the attendant in (POST /v1/attendant-sessions)")
    if code is None or pin is None:
        raise ApiError(401, "attendant_required", "send X-Attendant-Code together with X-Attendant-Pin")
    try:
        attendant = check_attendant(request, code, pin, device.id, Action.PIN_FAILED)
    except ApiError:
        state.metrics.attendant_refusals.inc()
        raise
    return AuthenticatedAttendant(attendant.id, attendant.code)


def require_attendant(
    request: Request,
    device: Annotated[AuthenticatedDevice, Depends(kiosk_or_till)],
    token: SessionHeader = None,
    code: CodeHeader = None,
    pin: PinHeader = None,
) -> AuthenticatedAttendant:
    """Dependency: the signed-in attendant, by ``X-Attendant-Session`` or by code and PIN headers."""
    attendant = _signed_in(request, device, token, code, pin)
    if attendant is None:
        raise ApiError(401, "attendant_required",
                       "an attendant must sign in: X-Attendant-Session, or X-Attendant-Code and X-Attendant-Pin")
    return attendant


def require_attendant_session(
    request: Request,
    device: Annotated[AuthenticatedDevice, Depends(kiosk_or_till)],
    token: SessionHeader = None,
) -> AuthenticatedAttendant:
    """Dependency: the attendant of this device's ``X-Attendant-Session`` (card refs need a session)."""
    attendant = _signed_in(request, device, token, None, None) if token is not None else None
    if attendant is None:
        raise session_invalid()
    return attendant


def optional_attendant(
    request: Request,
    device: Annotated[AuthenticatedDevice, Depends(kiosk_or_till)],
    token: SessionHeader = None,
    code: CodeHeader = None,
    pin: PinHeader = None,
) -> AuthenticatedAttendant | None:
    """Dependency: the attendant when the request names one (a wrong one is refused), else None."""
    return _signed_in(request, device, token, code, pin)
