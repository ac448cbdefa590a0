"""Calls for an attendant: a kiosk asks (``POST /v1/assistance``), the tills see the open
calls (``GET /v1/assistance``) and resolve them (``POST /v1/assistance/{id}/resolve``)."""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Request, Response
from sqlalchemy import Select, select

from central.auth import AuthenticatedDevice, require_device
from central.deps import database
from central.error_handlers import error_responses
from central.errors import ApiError
from central.models import AssistanceRequest, Device, DeviceKind, utcnow
from central.schemas import AssistanceList, AssistanceReason, AssistanceRequestBody, AssistanceView

router = APIRouter(prefix="/v1/assistance", tags=["assistance"])


def _calls_with_kiosk_name() -> Select[tuple[AssistanceRequest, str]]:
    return select(AssistanceRequest, Device.name).join(Device, Device.id == AssistanceRequest.device_id)


def _view(request: AssistanceRequest, kiosk: str) -> AssistanceView:
    return AssistanceView(
        id=request.id,
        kiosk=kiosk,
        reason=AssistanceReason(request.reason),
        created_at=request.created_at,
        resolved_at=request.resolved_at,
    )


@router.post("", status_code=201, response_model=AssistanceView, responses=error_responses(401, 403, 422))
def call_attendant(
    request: Request,
    response: Response,
    device: Annotated[AuthenticatedDevice, Depends(require_device(DeviceKind.KIOSK))],
    body: AssistanceRequestBody,
) -> AssistanceView:
    """Opens a call for an attendant at this kiosk; while one for the same reason is still
    open, that one is answered again (200), so a driver pressing twice calls once."""
    with database(request).transaction() as session:
        open_call = session.scalars(
            select(AssistanceRequest).where(
                AssistanceRequest.device_id == device.id,
                AssistanceRequest.reason == body.reason.value,
                AssistanceRequest.resolved_at.is_(None),
            )
        ).first()
        if open_call is not None:
            response.status_code = 200
            return _view(open_call, device.name)
        call = AssistanceRequest(device_id=device.id, reason=body.reason.value, created_at=utcnow())
        session.add(call)
        session.flush()
        return _view(call, device.name)


@router.get("", response_model=AssistanceList, responses=error_responses(401, 403))
def open_calls(
    request: Request,
    _device: Annotated[AuthenticatedDevice, Depends(require_device(DeviceKind.TILL))],
) -> AssistanceList:
    """The calls no attendant has resolved yet, oldest first."""
    with database(request).reader() as session:
        rows = session.execute(
            _calls_with_kiosk_name()
            .where(AssistanceRequest.resolved_at.is_(None))
            .order_by(AssistanceRequest.created_at, AssistanceRequest.id)
        )
        return AssistanceList(requests=[_view(call, kiosk) for call, kiosk in rows])


@router.post("/{request_id}/resolve", response_model=AssistanceView, responses=error_responses(401, 403, 404, 422))
def resolve_call(
    request: Request,
    request_id: Annotated[int, Path(ge=1, le=2**63 - 1)],
    _device: Annotated[AuthenticatedDevice, Depends(require_device(DeviceKind.TILL))],
) -> AssistanceView:
    """An attendant went to the kiosk; resolving twice is harmless."""
    with database(request).transaction() as session:
        row = session.execute(_calls_with_kiosk_name().where(AssistanceRequest.id == request_id)).one_or_none()
        if row is None:
            raise ApiError(404, "unknown_assistance_request", "no such call for an attendant")
        call, kiosk = row
        if call.resolved_at is None:
            call.resolved_at = utcnow()
        return _view(call, kiosk)
