"""Attendant sign-in: by session (``X-Attendant-Session``, kiosks) or by code and PIN headers
(``X-Attendant-Code``/``X-Attendant-Pin``, tills), with a lockout after repeated wrong PINs.

Every wrong PIN, unknown code and lockout is written to the attendant audit. An unknown code
costs the same scrypt work and the same audit write as a wrong PIN, so timing does not tell
which codes exist.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Header, Request
from sqlalchemy import select, update

from central.attendant_sessions import resume_session
from central.audit import Action, ActionRecord, add_action, write_action
from central.auth import AuthenticatedDevice, require_device
from central.db import Database
from central.errors import ApiError
from central.models import Attendant, DeviceKind, utcnow
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


def _record_failure(database: Database, settings: Settings, attendant_id: int, device_id: int,
                    action: Action) -> int | None:
    """Counts and audits a wrong PIN; returns the attempts left, or None when this one locked the attendant."""
    with database.transaction() as session:
        failures = session.execute(
            update(Attendant).where(Attendant.id == attendant_id)
            .values(failed_pin_attempts=Attendant.failed_pin_attempts + 1)
            .returning(Attendant.failed_pin_attempts)
        ).scalar_one()
        left = settings.pin_max_failures - failures
        if left > 0:
            add_action(session, ActionRecord(action, device_id, attendant_id, detail=f"wrong PIN, {left} left"))
            return left
        session.execute(
            update(Attendant).where(Attendant.id == attendant_id)
            .values(failed_pin_attempts=0, locked_until=utcnow() + settings.pin_lockout)
        )
        lockout = int(settings.pin_lockout.total_seconds())
        add_action(session, ActionRecord(Action.LOCKED_OUT, device_id, attendant_id,
                                         detail=f"{settings.pin_max_failures} wrong PINs, locked for {lockout} s"))
        return None


def check_attendant(
    database: Database, settings: Settings, code: str, pin: str, device_id: int, failed_action: Action
) -> Attendant:
    """The attendant for ``code`` if ``pin`` is right and they are not locked out.

    Otherwise 401 ``bad_attendant_pin`` (with ``attempts_left`` for a known code) or 403
    ``attendant_locked`` (with ``retry_after_seconds`` and ``Retry-After``); the failure is
    audited as ``failed_action``.
    """
    with database.reader() as session:  # a disabled attendant is answered as an unknown code
        attendant = session.scalars(
            select(Attendant).where(Attendant.code == code, Attendant.disabled_at.is_(None))).one_or_none()
    if attendant is None:
        verify_pin(pin, unknown_attendant_hash())
        write_action(database, ActionRecord(failed_action, device_id, detail="unknown attendant code"))
        raise ApiError(401, "bad_attendant_pin", BAD_PIN_MESSAGE)
    now = utcnow()
    if attendant.locked_until is not None and attendant.locked_until > now:
        write_action(database, ActionRecord(failed_action, device_id, attendant.id, detail="locked out"))
        raise _locked(int((attendant.locked_until - now).total_seconds()) + 1, "too many wrong PINs; try again later")
    if not verify_pin(pin, attendant.pin_hash):
        left = _record_failure(database, settings, attendant.id, device_id, failed_action)
        if left is None:
            raise _locked(int(settings.pin_lockout.total_seconds()),
                          "too many wrong PINs; the attendant is locked for a while")
        raise ApiError(401, "bad_attendant_pin", BAD_PIN_MESSAGE, extra={"attempts_left": left})
    if attendant.failed_pin_attempts:
        with database.transaction() as session:
            session.execute(update(Attendant).where(Attendant.id == attendant.id).values(failed_pin_attempts=0))
    return attendant


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
    if code is None or pin is None:
        raise ApiError(401, "attendant_required", "send X-Attendant-Code together with X-Attendant-Pin")
    try:
        attendant = check_attendant(state.database, state.settings, code, pin, device.id, Action.PIN_FAILED)
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
