"""How many points a sale earns: the rule in force on the station's date, rounded down.

Rounding: ``points = floor(amount_kurus * rate_ppm / 1_000_000)`` in exact integers. A sale
never earns a fraction of a hundredth, and never more than its rate allows: 0.5 % of
199 kuruş (0.995) earns 0, of 200 kuruş earns 1, of 12 345 kuruş (61.725) earns 61.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import NamedTuple
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, bindparam, select
from sqlalchemy.orm import Session

from central.domain.errors import Invalid
from central.storage.models import EarnRule, FuelType

STATION_ZONE = ZoneInfo("Europe/Istanbul")
PPM = 1_000_000


def station_date(moment: dt.datetime) -> dt.date:
    """The calendar date at a Turkish station at ``moment`` (rules change at local midnight)."""
    return moment.astimezone(STATION_ZONE).date()


def earned_points(amount_kurus: int, rate_ppm: int) -> int:
    """Points in hundredths for ``amount_kurus`` at ``rate_ppm``, rounded down."""
    return amount_kurus * rate_ppm // PPM


class RuleInForce(NamedTuple):
    """The id and rate of the earn rule a sale is booked under."""

    id: int
    rate_ppm: int


_RULE_IN_FORCE = (
    select(EarnRule.id, EarnRule.rate_ppm)
    .where(EarnRule.fuel_type == bindparam("fuel_type"), EarnRule.effective_from <= bindparam("day"))
    .order_by(EarnRule.effective_from.desc())
    .limit(1)
)


def rule_in_force(connection: Connection, fuel_type: FuelType, moment: dt.datetime) -> RuleInForce | None:
    """The newest rule for ``fuel_type`` effective on the station date of ``moment``, if any."""
    row = connection.execute(_RULE_IN_FORCE, {"fuel_type": fuel_type.value, "day": station_date(moment)}).first()
    return None if row is None else RuleInForce(*row)


def add_earn_rule(session: Session, fuel_type: FuelType, rate_percent: str, effective_from: dt.date) -> None:
    """A new earn rate (``rate_percent`` such as ``"0.5"``, at most 4 decimals) in force from a station date."""
    try:
        rate_ppm = Decimal(rate_percent) * PPM / 100
    except InvalidOperation:
        raise Invalid("invalid_request", "the rate must be a number such as 0.5") from None
    if rate_ppm != rate_ppm.to_integral_value() or not 0 <= rate_ppm <= PPM:
        raise Invalid("invalid_request", "the rate must be between 0 and 100 percent with at most 4 decimals")
    session.add(EarnRule(fuel_type=FuelType(fuel_type).value, rate_ppm=int(rate_ppm), effective_from=effective_from))


@dataclass(frozen=True)
class EarnRuleRow:
    """An earn rate and the station date it is in force from."""

    id: int
    fuel_type: str
    rate_ppm: int
    effective_from: dt.date


def list_earn_rules(session: Session) -> list[EarnRuleRow]:
    """Every earn rule, by fuel type and date."""
    rules = session.scalars(select(EarnRule).order_by(EarnRule.fuel_type, EarnRule.effective_from, EarnRule.id))
    return [EarnRuleRow(rule.id, rule.fuel_type, rule.rate_ppm, rule.effective_from) for rule in rules]
