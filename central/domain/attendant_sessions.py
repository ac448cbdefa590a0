"""Attendant sessions: a random bearer token per sign-in, stored only as its SHA-256.

A session belongs to the device that opened it and ends on logout, after
``settings.attendant_idle_timeout`` without a request (each request starts the wait again), or
``settings.attendant_session_max`` after sign-in, by the service's clock (``settings.clock``).
The database holds all of it, so any number of service processes share the sessions.
"""
from __future__ import annotations

import datetime as dt
import secrets

from sqlalchemy import select
from sqlalchemy.orm import Session

from central.domain.audit import Action, ActionRecord, add_action
from central.domain.settings import Settings
from central.domain.tokens import hash_token
from central.storage.db import Database
from central.storage.models import Attendant, AttendantSession

IDLE, MAX_AGE, LOGOUT = "idle", "max_age", "logout"


def open_session(
    database: Database, settings: Settings, attendant_id: int, device_id: int
) -> tuple[str, AttendantSession]:
    """A new session of ``attendant_id`` on ``device_id``; returns the token (shown once) and the row."""
    token = secrets.token_urlsafe(32)
    now = settings.clock()
    row = AttendantSession(token_hash=hash_token(token), attendant_id=attendant_id, device_id=device_id,
                           created_at=now, last_used_at=now, expires_at=now + settings.attendant_session_max)
    with database.transaction() as session:
        session.add(row)
        add_action(session, ActionRecord(Action.LOGIN, device_id, attendant_id, detail="session opened"))
    return token, row


def _live_session(
    session: Session, settings: Settings, token: str, device_id: int, now: dt.datetime
) -> AttendantSession | None:
    """The locked session row of ``token`` on ``device_id`` if it has not ended.

    A session found past its idle or absolute end is ended here, and audited as expired.
    """
    row = session.scalars(
        select(AttendantSession).where(AttendantSession.token_hash == hash_token(token)).with_for_update()
    ).one_or_none()
    if row is None or row.ended_at is not None or row.device_id != device_id:
        return None
    idle_end = row.last_used_at + settings.attendant_idle_timeout
    if now < idle_end and now < row.expires_at:
        return row
    row.ended_at, row.end_reason = (idle_end, IDLE) if idle_end <= row.expires_at else (row.expires_at, MAX_AGE)
    add_action(session, ActionRecord(Action.SESSION_EXPIRED, device_id, row.attendant_id, detail=row.end_reason))
    return None


def resume_session(
    database: Database, settings: Settings, token: str, device_id: int
) -> tuple[int, str, str] | None:
    """(attendant id, attendant code, session key) of a live session, refreshed; None if it has ended."""
    now = settings.clock()
    with database.transaction() as session:
        row = _live_session(session, settings, token, device_id, now)
        if row is None:
            return None
        row.last_used_at = now
        code = session.scalar(select(Attendant.code).where(Attendant.id == row.attendant_id))
        assert code is not None
        return row.attendant_id, code, row.token_hash


def end_session(database: Database, settings: Settings, token: str, device_id: int) -> bool:
    """Logs the session out; False when it had already ended (or is not this device's)."""
    now = settings.clock()
    with database.transaction() as session:
        row = _live_session(session, settings, token, device_id, now)
        if row is None:
            return False
        row.ended_at, row.end_reason = now, LOGOUT
        add_action(session, ActionRecord(Action.LOGOUT, device_id, row.attendant_id))
        return True
