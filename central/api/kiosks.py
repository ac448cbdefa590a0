"""Kiosk liveness: ``POST /v1/kiosks/heartbeat``, and the fleet view ``GET /v1/kiosks``."""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request

from central.api.auth import AuthenticatedDevice, require_device
from central.api.deps import database
from central.api.errors import error_responses
from central.api.schemas import FleetView, HeartbeatAck, HeartbeatRequest, KioskView
from central.domain.fleet import fleet_health, record_heartbeat
from central.storage.models import DeviceKind

router = APIRouter(prefix="/v1/kiosks", tags=["kiosks"])


@router.post("/heartbeat", response_model=HeartbeatAck, responses=error_responses(401, 403, 422))
def heartbeat(
    request: Request,
    device: Annotated[AuthenticatedDevice, Depends(require_device(DeviceKind.KIOSK))],
    body: HeartbeatRequest,
) -> HeartbeatAck:
    """Notes that the kiosk is alive (shown in /metrics) and answers the server's time."""
    now = request.app.state.settings.clock()
    with database(request).transaction() as session:
        record_heartbeat(session, device.id, body.model_dump_json(), now)
    return HeartbeatAck(server_time=now)


@router.get("", response_model=FleetView, responses=error_responses(401, 403))
def fleet(
    request: Request,
    _device: Annotated[AuthenticatedDevice, Depends(require_device(DeviceKind.OPERATIONS))],
) -> FleetView:
    """Every kiosk: healthy, unhealthy (no reader, pcscd restarting) or silent (no beat lately)."""
    settings = request.app.state.settings
    with database(request).reader() as session:
        kiosks = fleet_health(session, settings.clock(), settings.kiosk_silent_after)
    return FleetView(
        kiosks=[
            KioskView(
                name=kiosk.name,
                state=kiosk.state.value,
                last_seen_at=kiosk.last_seen_at,
                reader_state=kiosk.reader_state,
                app_version=kiosk.app_version,
                errors_since_last_beat=kiosk.errors_since_last_beat,
            )
            for kiosk in kiosks
        ]
    )
