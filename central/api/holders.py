"""Holder records and card replacement: ``POST /v1/registrations``, ``POST /v1/replacements``."""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse

from central.attendants import AuthenticatedAttendant, require_attendant
from central.auth import AuthenticatedDevice, require_device
from central.card_store import Actor
from central.deps import database
from central.error_handlers import error_responses
from central.idempotency import IdempotencyKey, run_once
from central.models import DeviceKind
from central.registration import register
from central.replacement import replace_card
from central.schemas import CardView, RegistrationRequest, ReplacementReceipt, ReplacementRequest

router = APIRouter(prefix="/v1", tags=["holders"])


@router.post("/registrations", status_code=201, response_model=CardView, responses=error_responses(401, 403, 409, 422))
def create_registration(
    request: Request,
    device: Annotated[
        AuthenticatedDevice, Depends(require_device(DeviceKind.KIOSK, DeviceKind.TILL, DeviceKind.GATEWAY))
    ],
    body: RegistrationRequest,
) -> CardView:
    """Stores the customer information form of a card (before or after its first use)."""
    with database(request).transaction() as session:
        view = register(session, Actor(device.id), body)
    request.app.state.metrics.registrations.inc()
    return view


@router.post(
    "/replacements", status_code=201, response_model=ReplacementReceipt,
    responses=error_responses(401, 403, 404, 409, 422),
)
def create_replacement(
    request: Request,
    device: Annotated[AuthenticatedDevice, Depends(require_device(DeviceKind.KIOSK, DeviceKind.TILL))],
    attendant: Annotated[AuthenticatedAttendant, Depends(require_attendant)],
    key: IdempotencyKey,
    body: ReplacementRequest,
) -> JSONResponse:
    """An attendant moves both pots from an old card to a new one after checking the holder's identity."""
    actor = Actor(device.id, attendant.id)
    response, receipt = run_once(database(request), device.id, key, "replacement", body,
                                 lambda session: replace_card(session, actor, body))
    metrics = request.app.state.metrics
    if receipt is not None:
        metrics.replacements.inc()
    else:
        metrics.idempotent_replays.labels("replacement").inc()
    return response
