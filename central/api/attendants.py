"""The attendant of a request: by session (``X-Attendant-Session``, kiosks) or by code and PIN
headers (``X-Attendant-Code``/``X-Attendant-Pin``, tills only); FastAPI dependencies over
central.domain.attendants and central.domain.attendant_sessions.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Header, Request

from central.api.auth import AuthenticatedDevice, require_device
from central.api.errors import ApiError
from central.domain.attendant_sessions import resume_session
from central.domain.attendants import check_attendant
from central.domain.audit import Action
from central.domain.errors import DomainError
from central.storage.models import DeviceKind


@dataclass(frozen=True)
class AuthenticatedAttendant:
    """The attendant signed in for this request."""

    id: int
    code: str
    session_key: str | None = None
    """The session's token hash, which keys its card refs; None when signed in by code and PIN."""


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
        attendant = check_attendant(state.database, state.settings, code, pin, device.id, Action.PIN_FAILED)
    except DomainError:
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
