"""Web-console staff accounts: call-centre agents and head-office admins.

Passwords are stored as argon2id hashes (argon2-cffi, memory-hard). A sign-in is charged
before its password is hashed (central.limits, scope ``staff_username``, by the username as
typed and case-folded): the strike that reaches ``console_max_failures`` locks the username at
once, for ``console_lockout`` doubled with each lockout in a row, and attempts arriving while it
is locked are refused unchecked. An unknown or disabled username is counted, hashed against a
dummy and answered exactly like a wrong password. Every sign-in, failure and lockout is audited.
"""
from __future__ import annotations

import functools
import hashlib
import re
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from central.domain.audit import Action, ActionRecord, add_action, write_action
from central.domain.errors import Invalid
from central.domain.settings import Settings
from central.storage.db import Database
from central.storage.limits import Scope, clear, strike
from central.storage.models import Device, StaffAccount, StaffRole, StaffSession, utcnow

USERNAME_PATTERN = re.compile(r"^[a-z0-9._-]{3,64}$")
MIN_PASSWORD_LENGTH = 10
_hasher = PasswordHasher()


class StaffError(Invalid):
    """An account change that cannot be made; the message says why (no secret in it)."""

    def __init__(self, message: str) -> None:
        super().__init__("invalid_request", message)


@dataclass(frozen=True)
class SignInRefused(Exception):
    """A sign-in that did not succeed: wrong or unknown, or locked (``locked_for`` seconds)."""

    attempts_left: int
    locked_for: int | None = None


def hash_password(password: str) -> str:
    """The stored form of a password (argon2id with a random salt)."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise StaffError(f"a password has at least {MIN_PASSWORD_LENGTH} characters")
    return _hasher.hash(password)


def verify_password(password: str, stored: str) -> bool:
    """True when ``password`` matches ``stored``."""
    try:
        return _hasher.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False


@functools.cache
def _unknown_account_hash() -> str:
    """Checked against for unknown usernames, so they cost as much time as a wrong password."""
    return _hasher.hash("no such account, no such password")


def normalized_username(username: str) -> str:
    """Usernames are kept and compared in lower case."""
    return username.strip().casefold()


def lockout_subject(username: str) -> str:
    """The ``limits`` subject of a username as typed: its SHA-256, so a password typed into the
    username field by mistake is never stored readable."""
    return hashlib.sha256(normalized_username(username).encode()).hexdigest()


def add_staff(session: Session, username: str, display_name: str, role: StaffRole, password: str,
              by_staff_id: int | None = None) -> StaffAccount:
    """A new account; :class:`StaffError` for a malformed or taken username or a short password."""
    username = normalized_username(username)
    if not USERNAME_PATTERN.match(username):
        raise StaffError("a username is 3-64 of a-z, 0-9, '.', '_' and '-'")
    display_name = " ".join(display_name.split())
    if not display_name or any(not char.isprintable() for char in display_name):
        raise StaffError("a display name is printable text")
    if session.scalar(select(StaffAccount.id).where(StaffAccount.username == username)) is not None:
        raise StaffError("this username is taken")
    account = StaffAccount(username=username, display_name=display_name[:100], role=role.value,
                           password_hash=hash_password(password), created_at=utcnow())
    session.add(account)
    session.flush()
    add_action(session, ActionRecord(Action.STAFF_ADDED, None, staff_id=by_staff_id,
                                     detail=f"{role.value} {username}"))
    return account


def sign_in(database: Database, settings: Settings, username: str, password: str) -> StaffAccount:
    """The account if the password is right and the username is not locked; else :class:`SignInRefused`."""
    subject = lockout_subject(username)
    with database.transaction() as session:
        attempt = strike(session, Scope.STAFF_USERNAME, subject, settings.console_max_failures,
                         settings.console_lockout, settings.clock())
        account = session.scalars(select(StaffAccount).where(
            StaffAccount.username == normalized_username(username), StaffAccount.disabled_at.is_(None))).one_or_none()
    staff_id = account.id if account is not None else None
    if not attempt.checked:
        write_action(database, ActionRecord(Action.CONSOLE_SIGN_IN_FAILED, None, staff_id=staff_id,
                                            detail="locked out"))
        raise SignInRefused(0, attempt.locked_for)
    right = verify_password(password, account.password_hash if account is not None else _unknown_account_hash())
    if right and account is not None:
        with database.transaction() as session:
            clear(session, Scope.STAFF_USERNAME, subject)
        return account
    if attempt.locked_for is not None:
        write_action(database, ActionRecord(Action.CONSOLE_LOCKED_OUT, None, staff_id=staff_id, detail=(
            f"{settings.console_max_failures} wrong passwords, locked for {attempt.locked_for} s")))
        raise SignInRefused(0, attempt.locked_for)
    detail = f"wrong password, {attempt.attempts_left} left" if account is not None else "unknown username"
    write_action(database, ActionRecord(Action.CONSOLE_SIGN_IN_FAILED, None, staff_id=staff_id, detail=detail))
    raise SignInRefused(attempt.attempts_left)


CONSOLE_DEVICE_KIND = "console"
CONSOLE_DEVICE_TOKEN_HASH = "web-console: no bearer token"
"""Not a SHA-256 hex digest, so no bearer token can ever match the console's device."""


def find_console_device(session: Session) -> int | None:
    """The id of the console's device, if it was made already."""
    return session.scalar(select(Device.id).where(Device.token_hash == CONSOLE_DEVICE_TOKEN_HASH))


def console_device_id(session: Session) -> int:
    """The device the console's changes are booked under (replacements and idempotency keys name a
    device), made the first time it is needed (in a write transaction); it has no token."""
    found = find_console_device(session)
    if found is not None:
        return found
    device = Device(kind=CONSOLE_DEVICE_KIND, name="web-console", token_hash=CONSOLE_DEVICE_TOKEN_HASH,
                    created_at=utcnow())
    session.add(device)
    session.flush()
    return device.id


def list_staff(session: Session) -> list[StaffAccount]:
    """Every account, by username."""
    return list(session.scalars(select(StaffAccount).order_by(StaffAccount.username)))


def _account(session: Session, username: str) -> StaffAccount:
    account = session.scalars(select(StaffAccount).where(
        StaffAccount.username == normalized_username(username)).with_for_update()).one_or_none()
    if account is None:
        raise StaffError("no such account")
    return account


def _end_sessions(session: Session, staff_id: int, reason: str) -> int:
    return session.execute(
        update(StaffSession).where(StaffSession.staff_id == staff_id, StaffSession.ended_at.is_(None))
        .values(ended_at=utcnow(), end_reason=reason)
    ).rowcount


def disable_staff(session: Session, username: str, by_staff_id: int | None = None) -> int:
    """No more sign-ins for the account; its live sessions end at once (returns how many)."""
    account = _account(session, username)
    account.disabled_at = account.disabled_at or utcnow()
    ended = _end_sessions(session, account.id, "disabled")
    add_action(session, ActionRecord(Action.STAFF_DISABLED, None, staff_id=by_staff_id,
                                     detail=f"{account.username}, {ended} session(s) ended"))
    return ended


def reset_password(session: Session, username: str, password: str, by_staff_id: int | None = None) -> int:
    """A new password; the account's live sessions end at once (returns how many)."""
    account = _account(session, username)
    account.password_hash = hash_password(password)
    ended = _end_sessions(session, account.id, "password_reset")
    add_action(session, ActionRecord(Action.PASSWORD_RESET, None, staff_id=by_staff_id,
                                     detail=f"{account.username}, {ended} session(s) ended"))
    return ended


def unlock_staff(session: Session, username: str, by_staff_id: int | None = None) -> bool:
    """Forgets the username's wrong passwords and lockout; False when it was not locked."""
    account = _account(session, username)
    unlocked = clear(session, Scope.STAFF_USERNAME, lockout_subject(account.username))
    add_action(session, ActionRecord(Action.UNLOCKED, None, staff_id=by_staff_id,
                                     detail=f"console account {account.username}"))
    return unlocked
