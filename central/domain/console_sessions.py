"""Web-console sessions: a random token in the browser's cookie, only its SHA-256 stored.

A session ends on sign-out, after ``settings.console_idle_timeout`` without a request (each
request starts the wait again), ``settings.console_session_max`` after sign-in, or when its
account is disabled or its password reset, all by the service's clock and in the database, so
every service process agrees. Each session also has a CSRF token derived from its stored hash
(HMAC), which the console puts in every form and checks on every POST.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from central.domain.audit import Action, ActionRecord, add_action
from central.domain.settings import Settings
from central.domain.tokens import hash_token
from central.storage.db import Database
from central.storage.models import StaffAccount, StaffRole, StaffSession

IDLE, MAX_AGE, SIGN_OUT = "idle", "max_age", "sign_out"


@dataclass(frozen=True)
class SignedInStaff:
    """The account behind a live console session."""

    id: int
    username: str
    display_name: str
    role: StaffRole
    csrf_token: str
    session_key: str
    """The session's token hash: keys the session's CSRF token and card refs."""


def csrf_token(session_key: str) -> str:
    """The CSRF token of the session keyed by ``session_key``."""
    return hmac.new(session_key.encode(), b"console-csrf", hashlib.sha256).hexdigest()[:40]


def open_session(database: Database, settings: Settings, staff_id: int) -> str:
    """A new session of ``staff_id``; returns the cookie's token (never stored)."""
    token = secrets.token_urlsafe(32)
    now = settings.clock()
    with database.transaction() as session:
        session.add(StaffSession(token_hash=hash_token(token), staff_id=staff_id, created_at=now, last_used_at=now,
                                 expires_at=now + settings.console_session_max))
        add_action(session, ActionRecord(Action.CONSOLE_SIGN_IN, None, staff_id=staff_id))
    return token


def _live(session: Session, settings: Settings, token: str, now: dt.datetime) -> StaffSession | None:
    """The locked row of ``token`` if the session has not ended (one found past its end is ended here)."""
    row = session.scalars(
        select(StaffSession).where(StaffSession.token_hash == hash_token(token)).with_for_update()).one_or_none()
    if row is None or row.ended_at is not None:
        return None
    idle_end = row.last_used_at + settings.console_idle_timeout
    if now < idle_end and now < row.expires_at:
        return row
    row.ended_at, row.end_reason = (idle_end, IDLE) if idle_end <= row.expires_at else (row.expires_at, MAX_AGE)
    add_action(session, ActionRecord(Action.CONSOLE_SESSION_EXPIRED, None, staff_id=row.staff_id,
                                     detail=row.end_reason))
    return None


def resume_session(database: Database, settings: Settings, token: str) -> SignedInStaff | None:
    """The signed-in account of a live session, its idle wait restarted; None if it has ended."""
    now = settings.clock()
    with database.transaction() as session:
        row = _live(session, settings, token, now)
        if row is None:
            return None
        account = session.get(StaffAccount, row.staff_id)
        if account is None or account.disabled_at is not None:
            return None
        row.last_used_at = now
        return SignedInStaff(account.id, account.username, account.display_name, StaffRole(account.role),
                             csrf_token(row.token_hash), row.token_hash)


def end_session(database: Database, settings: Settings, token: str) -> bool:
    """Signs the session out; False when it had already ended."""
    now = settings.clock()
    with database.transaction() as session:
        row = _live(session, settings, token, now)
        if row is None:
            return False
        row.ended_at, row.end_reason = now, SIGN_OUT
        add_action(session, ActionRecord(Action.CONSOLE_SIGN_OUT, None, staff_id=row.staff_id))
        return True
