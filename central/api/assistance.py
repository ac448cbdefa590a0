"""Calls for an attendant: a kiosk asks (``POST /v1/assistance``), the tills see the open
calls (``GET /v1/assistance``) and resolve them (``POST /v1/assistance/{id}/resolve``)."""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Request, Response

from central.api.auth import AuthenticatedDevice, require_device
from central.api.deps import database
from central.api.errors import error_responses
from central.api.schemas import (
    AssistanceList,
    AssistanceRequestBody,
    AssistanceView,
)
from central.domain import assistance
from central.domain.assistance import Call
from central.storage.models import DeviceKind, utcnow

router = APIRouter(prefix="/v1/assistance", tags=["assistance"])


def _view(call: Call) -> AssistanceView:
    return AssistanceView.model_validate(call, from_attributes=True)


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
        call, new = assistance.call_attendant(session, device.id, body.reason.value, utcnow())
    if not new:
        response.status_code = 200
    return _view(call)


@router.get("", response_model=AssistanceList, responses=error_responses(401, 403))
def open_calls(
    request: Request,
    _device: Annotated[AuthenticatedDevice, Depends(require_device(DeviceKind.TILL))],
) -> AssistanceList:
    """The calls no attendant has resolved yet, oldest first."""
    with database(request).reader() as session:
        calls = assistance.open_calls(session)
    return AssistanceList(requests=[_view(call) for call in calls])


@router.post("/{request_id}/resolve", response_model=AssistanceView, responses=error_responses(401, 403, 404, 422))
def resolve_call(
    request: Request,
    request_id: Annotated[int, Path(ge=1, le=2**63 - 1)],
    _device: Annotated[AuthenticatedDevice, Depends(require_device(DeviceKind.TILL))],
) -> AssistanceView:
    """An attendant went to the kiosk; resolving twice is harmless."""
    with database(request).transaction() as session:
        call = assistance.resolve_call(session, request_id, utcnow())
    return _view(call)
