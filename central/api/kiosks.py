"""Kiosk liveness: ``POST /v1/kiosks/heartbeat``."""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from sqlalchemy import update

from central.auth import AuthenticatedDevice, require_device
from central.deps import database
from central.error_handlers import error_responses
from central.models import Device, DeviceKind, utcnow
from central.schemas import HeartbeatAck, HeartbeatRequest

router = APIRouter(prefix="/v1/kiosks", tags=["kiosks"])


@router.post("/heartbeat", response_model=HeartbeatAck, responses=error_responses(401, 403, 422))
def heartbeat(
    request: Request,
    device: Annotated[AuthenticatedDevice, Depends(require_device(DeviceKind.KIOSK))],
    body: HeartbeatRequest,
) -> HeartbeatAck:
    """Notes that the kiosk is alive (shown in /metrics) and answers the server's time."""
    now = utcnow()
    with database(request).transaction() as session:
        session.execute(
            update(Device).where(Device.id == device.id).values(last_seen_at=now, last_heartbeat=body.model_dump_json())
        )
    return HeartbeatAck(server_time=now)
