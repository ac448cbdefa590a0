"""The fleet at a glance: each kiosk's state from its last heartbeat.

A kiosk is ``silent`` when its last beat is older than ``silent_after`` (or it never beat),
``unhealthy`` when its last beat reports no card reader or a restarting pcscd, else
``healthy``. Shared by ``GET /v1/kiosks`` and the ``opet_central_kiosks`` gauge.
"""
from __future__ import annotations

import datetime as dt
import enum
import json
from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from central.storage.models import Device, DeviceKind

UNHEALTHY_READER_STATES = frozenset({"no_reader", "service_down"})


class KioskState(str, enum.Enum):
    HEALTHY = "healthy"
    UNHEALTHY = "unhealthy"
    SILENT = "silent"


@dataclass(frozen=True)
class KioskHealth:
    name: str
    state: KioskState
    last_seen_at: dt.datetime | None
    reader_state: str | None
    app_version: str | None
    errors_since_last_beat: dict[str, int]


def fleet_health(session: Session, now: dt.datetime, silent_after: dt.timedelta) -> list[KioskHealth]:
    """Every unrevoked kiosk, by name."""
    kiosks = session.scalars(
        select(Device).where(Device.kind == DeviceKind.KIOSK.value, Device.revoked_at.is_(None)).order_by(Device.name)
    )
    return [_health(kiosk, now, silent_after) for kiosk in kiosks]


def _health(kiosk: Device, now: dt.datetime, silent_after: dt.timedelta) -> KioskHealth:
    beat = json.loads(kiosk.last_heartbeat) if kiosk.last_heartbeat else {}
    reader_state = beat.get("reader_state")
    if kiosk.last_seen_at is None or now - kiosk.last_seen_at > silent_after:
        state = KioskState.SILENT
    elif reader_state in UNHEALTHY_READER_STATES:
        state = KioskState.UNHEALTHY
    else:
        state = KioskState.HEALTHY
    return KioskHealth(
        name=kiosk.name,
        state=state,
        last_seen_at=kiosk.last_seen_at,
        reader_state=reader_state,
        app_version=beat.get("app_version"),
        errors_since_last_beat=beat.get("errors_since_last_beat") or {},
    )


def record_heartbeat(session: Session, device_id: int, report_json: str, now: dt.datetime) -> None:
    """Notes that the kiosk is alive, with its report (JSON) as the last heartbeat."""
    session.execute(update(Device).where(Device.id == device_id).values(last_seen_at=now, last_heartbeat=report_json))
