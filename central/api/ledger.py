"""Tills report sales and spend points: ``POST /v1/sales``, ``POST /v1/redemptions``."""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from central.api.auth import AuthenticatedDevice, require_device
from central.api.deps import database
from central.api.errors import error_responses
from central.api.idempotency import IdempotencyKey, run_once
from central.api.schemas import (
    RedemptionReceipt,
    RedemptionRequest,
    SaleReceipt,
    SaleRequest,
)
from central.domain.ledger import record_sale, redeem
from central.storage.models import DeviceKind

router = APIRouter(prefix="/v1", tags=["ledger"])
Till = Annotated[AuthenticatedDevice, Depends(require_device(DeviceKind.TILL))]


@router.post("/sales", status_code=201, response_model=SaleReceipt, responses=error_responses(401, 403, 409, 422))
def create_sale(request: Request, till: Till, key: IdempotencyKey, body: SaleRequest) -> Response:
    """Books a fuel sale and its points; a retry with the same Idempotency-Key books nothing again."""
    response, receipt = run_once(database(request), till.id, key, "sale", body, lambda session: record_sale(
        session, till.id, card_number=body.card_number, fuel_type=body.fuel_type, amount=body.amount,
        station=body.station, sold_at=body.sold_at), SaleReceipt)
    metrics = request.app.state.metrics
    if receipt is not None:
        metrics.sales.labels(receipt.fuel_type.value).inc()
        metrics.points_earned.labels(receipt.pot.value).inc(receipt.points_earned)
    else:
        metrics.idempotent_replays.labels("sale").inc()
    return response


@router.post(
    "/redemptions", status_code=201, response_model=RedemptionReceipt,
    responses=error_responses(401, 403, 404, 409, 422),
)
def create_redemption(request: Request, till: Till, key: IdempotencyKey, body: RedemptionRequest) -> Response:
    """Spends points of an activated card from the pot matching the fuel; never below zero."""
    response, receipt = run_once(database(request), till.id, key, "redemption", body, lambda session: redeem(
        session, till.id, card_number=body.card_number, fuel_type=body.fuel_type, points=body.points,
        station=body.station, redeemed_at=body.redeemed_at), RedemptionReceipt)
    metrics = request.app.state.metrics
    if receipt is not None:
        metrics.points_redeemed.labels(receipt.pot.value).inc(receipt.points)
    else:
        metrics.idempotent_replays.labels("redemption").inc()
    return response

