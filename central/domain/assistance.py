"""Calls for an attendant: a kiosk asks, the tills see the open calls and resolve them.

While a kiosk's call for one reason is open, asking again answers that call (a driver pressing
twice calls once); resolving twice is harmless.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from central.domain.errors import NotFound
from central.storage.models import AssistanceRequest, Device


@dataclass(frozen=True)
class Call:
    """A call for an attendant at a kiosk."""

    id: int
    kiosk: str
    reason: str
    created_at: dt.datetime
    resolved_at: dt.datetime | None


def _with_kiosk_name() -> Select[tuple[AssistanceRequest, str]]:
    return select(AssistanceRequest, Device.name).join(Device, Device.id == AssistanceRequest.device_id)


def _call(row: AssistanceRequest, kiosk: str) -> Call:
    return Call(row.id, kiosk, row.reason, row.created_at, row.resolved_at)


def call_attendant(session: Session, device_id: int, reason: str, now: dt.datetime) -> tuple[Call, bool]:
    """The kiosk's open call for ``reason``, opened now if there is none; True when it is new."""
    row = session.execute(_with_kiosk_name().where(
        AssistanceRequest.device_id == device_id, AssistanceRequest.reason == reason,
        AssistanceRequest.resolved_at.is_(None))).first()
    if row is not None:
        return _call(*row), False
    call = AssistanceRequest(device_id=device_id, reason=reason, created_at=now)
    session.add(call)
    session.flush()
    kiosk = session.scalar(select(Device.name).where(Device.id == device_id))
    assert kiosk is not None
    return _call(call, kiosk), True


def open_calls(session: Session) -> list[Call]:
    """The calls no attendant has resolved yet, oldest first."""
    rows = session.execute(_with_kiosk_name().where(AssistanceRequest.resolved_at.is_(None))
                           .order_by(AssistanceRequest.created_at, AssistanceRequest.id))
    return [_call(row, kiosk) for row, kiosk in rows]


def resolve_call(session: Session, call_id: int, now: dt.datetime) -> Call:
    """Marks the call resolved (once); ``unknown_assistance_request`` when there is none."""
    row = session.execute(_with_kiosk_name().where(AssistanceRequest.id == call_id)).one_or_none()
    if row is None:
        raise NotFound("unknown_assistance_request", "no such call for an attendant")
    call, kiosk = row
    if call.resolved_at is None:
        call.resolved_at = now
    return _call(call, kiosk)
