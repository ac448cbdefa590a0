"""Devices (kiosks, tills, the SMS gateway, operations) and their tokens: only hashes are stored.

A token is made by the caller (``central.domain.tokens.new_token``), handed out once and
stored here as its SHA-256. Rotation keeps the previous token working for a grace period.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from central.domain.errors import Conflict, NotFound
from central.domain.tokens import hash_token
from central.storage.models import Device, DeviceKind


@dataclass(frozen=True)
class DeviceInfo:
    """A device as listed (never its token)."""

    id: int
    kind: str
    name: str
    revoked: bool
    last_seen_at: dt.datetime | None
    previous_token_until: dt.datetime | None


def add_device(session: Session, kind: DeviceKind, name: str, token: str) -> None:
    """Registers a device whose token is ``token``."""
    session.add(Device(kind=DeviceKind(kind).value, name=name, token_hash=hash_token(token)))


def rotate_device(session: Session, name: str, token: str, grace: dt.timedelta, now: dt.datetime) -> None:
    """Gives the one unrevoked device ``name`` the token ``token``; its current token keeps working
    for ``grace`` (the one before that stops at once)."""
    devices = session.scalars(
        select(Device).where(Device.name == name, Device.revoked_at.is_(None)).with_for_update()).all()
    if len(devices) != 1:
        raise Conflict("conflict", f"{len(devices)} active devices are named {name!r}; exactly one can be rotated")
    device = devices[0]
    device.previous_token_hash = device.token_hash
    device.previous_token_expires_at = now + grace
    device.token_hash = hash_token(token)


def revoke_device(session: Session, name: str, now: dt.datetime) -> int:
    """Revokes every token of the devices named ``name``; how many devices; ``NotFound`` if none."""
    revoked = session.execute(
        update(Device).where(Device.name == name, Device.revoked_at.is_(None)).values(revoked_at=now)
    ).rowcount
    if not revoked:
        raise NotFound("not_found", f"no active device named {name!r}")
    return revoked


def list_devices(session: Session) -> list[DeviceInfo]:
    """Every device, oldest first."""
    return [
        DeviceInfo(d.id, d.kind, d.name, d.revoked_at is not None, d.last_seen_at,
                   d.previous_token_expires_at if d.previous_token_hash else None)
        for d in session.scalars(select(Device).order_by(Device.id))
    ]
