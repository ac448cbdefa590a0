"""Attendant sign-in for replacements: code and PIN headers, lockout after repeated failures."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Header, Request
from sqlalchemy import select, update

from central.db import Database
from central.errors import ApiError
from central.models import Attendant, utcnow
from central.pins import unknown_attendant_hash, verify_pin
from central.settings import Settings


@dataclass(frozen=True)
class AuthenticatedAttendant:
    """The attendant whose PIN was checked for this request."""

    id: int
    code: str


def _record_failure(database: Database, attendant_id: int, settings: Settings) -> bool:
    """Counts a failed PIN; returns True when this failure locked the attendant."""
    with database.transaction() as session:
        failures = session.execute(
            update(Attendant).where(Attendant.id == attendant_id)
            .values(failed_pin_attempts=Attendant.failed_pin_attempts + 1)
            .returning(Attendant.failed_pin_attempts)
        ).scalar_one()
        if failures < settings.pin_max_failures:
            return False
        session.execute(
            update(Attendant).where(Attendant.id == attendant_id)
            .values(failed_pin_attempts=0, locked_until=utcnow() + settings.pin_lockout)
        )
        return True


def check_attendant(database: Database, settings: Settings, code: str, pin: str) -> AuthenticatedAttendant:
    """The attendant for ``code`` if ``pin`` is right and they are not locked out, else 401/403."""
    with database.reader() as session:
        attendant = session.scalars(select(Attendant).where(Attendant.code == code)).one_or_none()
    if attendant is None:
        verify_pin(pin, unknown_attendant_hash())
        raise ApiError(401, "bad_attendant_pin", "unknown attendant code or wrong PIN")
    now = utcnow()
    if attendant.locked_until is not None and attendant.locked_until > now:
        retry_after = int((attendant.locked_until - now).total_seconds()) + 1
        raise ApiError(403, "attendant_locked", "too many wrong PINs; try again later",
                       headers={"Retry-After": str(retry_after)})
    if not verify_pin(pin, attendant.pin_hash):
        if _record_failure(database, attendant.id, settings):
            raise ApiError(403, "attendant_locked", "too many wrong PINs; the attendant is locked for a while",
                           headers={"Retry-After": str(int(settings.pin_lockout.total_seconds()))})
        raise ApiError(401, "bad_attendant_pin", "unknown attendant code or wrong PIN")
    if attendant.failed_pin_attempts:
        with database.transaction() as session:
            session.execute(update(Attendant).where(Attendant.id == attendant.id).values(failed_pin_attempts=0))
    return AuthenticatedAttendant(attendant.id, attendant.code)


def require_attendant(
    request: Request,
    code: Annotated[str, Header(alias="X-Attendant-Code", pattern=r"^[A-Za-z0-9_-]{1,32}$")],
    pin: Annotated[str, Header(alias="X-Attendant-Pin", pattern=r"^\d{4,8}$")],
) -> AuthenticatedAttendant:
    """Dependency: the signed-in attendant (headers ``X-Attendant-Code`` and ``X-Attendant-Pin``)."""
    try:
        return check_attendant(request.app.state.database, request.app.state.settings, code, pin)
    except ApiError:
        request.app.state.metrics.attendant_refusals.inc()
        raise
