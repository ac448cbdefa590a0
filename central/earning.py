"""How many points a sale earns: the rule in force on the station's date, rounded down.

Rounding: ``points = floor(amount_kurus * rate_ppm / 1_000_000)`` in exact integers. A sale
never earns a fraction of a hundredth, and never more than its rate allows: 0.5 % of
199 kuruş (0.995) earns 0, of 200 kuruş earns 1, of 12 345 kuruş (61.725) earns 61.
"""
from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from central.models import EarnRule, FuelType

STATION_ZONE = ZoneInfo("Europe/Istanbul")
PPM = 1_000_000


def station_date(moment: dt.datetime) -> dt.date:
    """The calendar date at a Turkish station at ``moment`` (rules change at local midnight)."""
    return moment.astimezone(STATION_ZONE).date()


def earned_points(amount_kurus: int, rate_ppm: int) -> int:
    """Points in hundredths for ``amount_kurus`` at ``rate_ppm``, rounded down."""
    return amount_kurus * rate_ppm // PPM


def rule_in_force(session: Session, fuel_type: FuelType, moment: dt.datetime) -> EarnRule | None:
    """The newest rule for ``fuel_type`` effective on the station date of ``moment``, if any."""
    return session.scalars(
        select(EarnRule)
        .where(EarnRule.fuel_type == fuel_type.value, EarnRule.effective_from <= station_date(moment))
        .order_by(EarnRule.effective_from.desc())
        .limit(1)
    ).one_or_none()
