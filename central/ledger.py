"""Sales earn points and redemptions spend them: the only two ways a card's total changes."""
from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from central.card_store import Actor, change_points, lock_card, refuse_if_retired
from central.earning import earned_points, rule_in_force
from central.errors import ApiError
from central.models import POT_OF_FUEL, CardStatus, FuelType, Redemption, Sale, utcnow
from central.numbers import last4
from central.schemas import Pots, RedemptionReceipt, RedemptionRequest, SaleReceipt, SaleRequest

CLOCK_SKEW = dt.timedelta(minutes=10)


def _refuse_future(moment: dt.datetime, field: str) -> None:
    if moment > utcnow() + CLOCK_SKEW:
        raise ApiError(422, "invalid_request", f"{field}: lies in the future")


def record_sale(session: Session, device_id: int, request: SaleRequest) -> SaleReceipt:
    """Books a sale and the points it earns (a card seen for the first time is created)."""
    _refuse_future(request.sold_at, "sold_at")
    card = lock_card(session, request.card_number, create=True, device_id=device_id)
    refuse_if_retired(card)
    fuel_type = FuelType(request.fuel_type)
    pot = POT_OF_FUEL[fuel_type]
    rule = rule_in_force(session, fuel_type, request.sold_at)
    points = earned_points(request.amount, rule.rate_ppm) if rule else 0
    sale = Sale(
        card_id=card.id, device_id=device_id, fuel_type=fuel_type.value, amount=request.amount,
        station=request.station, sold_at=request.sold_at, earn_rule_id=rule.id if rule else None, points=points,
    )
    session.add(sale)
    session.flush()
    if points:
        change_points(session, card, pot, points, "sale", Actor(device_id), reference=f"sale:{sale.id}")
    return SaleReceipt(
        sale_id=sale.id, number_last4=last4(card.number), fuel_type=fuel_type, amount=request.amount, pot=pot,
        points_earned=points, rate_ppm=rule.rate_ppm if rule else None,
        pots=Pots(fuel=card.fuel_points, autogas=card.autogas_points),
    )


def redeem(session: Session, device_id: int, request: RedemptionRequest) -> RedemptionReceipt:
    """Spends points of an activated card from the pot matching the fuel; never below zero."""
    _refuse_future(request.redeemed_at, "redeemed_at")
    card = lock_card(session, request.card_number)
    refuse_if_retired(card)
    if card.status != CardStatus.ACTIVE.value:
        raise ApiError(409, "card_not_activated", "only an activated card can spend points; activate it first")
    fuel_type = FuelType(request.fuel_type)
    pot = POT_OF_FUEL[fuel_type]
    redemption = Redemption(
        card_id=card.id, device_id=device_id, fuel_type=fuel_type.value, points=request.points,
        station=request.station, redeemed_at=request.redeemed_at,
    )
    session.add(redemption)
    session.flush()
    change_points(session, card, pot, -request.points, "redemption", Actor(device_id),
                  reference=f"redemption:{redemption.id}")
    return RedemptionReceipt(
        redemption_id=redemption.id, number_last4=last4(card.number), pot=pot, points=request.points,
        pots=Pots(fuel=card.fuel_points, autogas=card.autogas_points),
    )
