"""Tills report sales and spend points: ``POST /v1/sales``, ``POST /v1/redemptions``."""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from central.api.auth import (
    BEARER_SECURITY,
    AuthenticatedDevice,
    admit,
    bearer_token_hash,
    require_device,
)
from central.api.deps import database
from central.api.errors import error_responses
from central.api.idempotency import (
    REPLAYED_HEADER,
    IdempotencyKey,
    request_hash,
    run_once,
)
from central.api.schemas import (
    RedemptionReceipt,
    RedemptionRequest,
    SaleReceipt,
    SaleRequest,
)
from central.domain.ledger import book_sale_once, record_sale, redeem
from central.storage.models import POT_OF_FUEL, DeviceKind

router = APIRouter(prefix="/v1", tags=["ledger"])
Till = Annotated[AuthenticatedDevice, Depends(require_device(DeviceKind.TILL))]


async def _token_hash(request: Request) -> str:
    """The hash of the bearer token (401 without one), for a route that admits its device itself."""
    return bearer_token_hash(request)


@router.post("/sales", status_code=201, response_model=SaleReceipt, responses=error_responses(401, 403, 409, 422),
             openapi_extra=BEARER_SECURITY)
async def create_sale(
    request: Request, token_hash: Annotated[str, Depends(_token_hash)], key: IdempotencyKey, body: SaleRequest,
) -> Response:
    """Books a fuel sale and its points; a retry with the same Idempotency-Key books nothing again."""
    # PostgreSQL: the till's token check and the whole sale are one statement awaited on the event
    # loop (opet_sale, migration 0008), so a request with an unknown token but a malformed body
    # hears 422 before 401; SQLite: the device read, then the thread pool behind the one writer.
    metrics = request.app.state.metrics
    reads = request.app.state.loop_reads
    pool = reads.write_pool
    if pool is None:
        till = admit(await reads.device(token_hash), (DeviceKind.TILL,))
        response, receipt = await run_in_threadpool(
            run_once, database(request), till.id, key, "sale", body, lambda session: record_sale(
                session, till.id, card_number=body.card_number, fuel_type=body.fuel_type, amount=body.amount,
                station=body.station, sold_at=body.sold_at), SaleReceipt)
        replayed, points = receipt is None, receipt.points_earned if receipt is not None else 0
    else:
        answer = await book_sale_once(
            pool, token_hash, key, request_hash("sale", body), card_number=body.card_number, fuel_type=body.fuel_type,
            amount=body.amount, station=body.station, sold_at=body.sold_at, now=request.app.state.settings.clock())
        response = Response(answer.body, status_code=answer.status, media_type="application/json",
                            headers={REPLAYED_HEADER: "true"} if answer.replayed else None)
        replayed, points = answer.replayed, answer.points or 0
    if replayed:
        metrics.idempotent_replays.labels("sale").inc()
    else:
        metrics.sales.labels(body.fuel_type.value).inc()
        metrics.points_earned.labels(POT_OF_FUEL[body.fuel_type].value).inc(points)
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

