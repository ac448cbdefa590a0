"""The earn rates: which are in force, and a new rate from a date (``add-earn-rule``, the console)."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from sqlalchemy import select
from sqlalchemy.orm import Session

from central.audit import Action, ActionRecord, add_action
from central.earning import PPM
from central.models import EarnRule, FuelType


class EarnRuleError(ValueError):
    """A rate or date that cannot be a rule; the message says why."""


@dataclass(frozen=True)
class RuleRow:
    """One rule as people read it."""

    fuel_type: FuelType
    rate_ppm: int
    effective_from: dt.date
    in_force: bool

    @property
    def percent(self) -> Decimal:
        """The rate in per cent (5000 ppm -> 0.5)."""
        return (Decimal(self.rate_ppm) * 100 / PPM).normalize()


def rate_ppm(rate_percent: str) -> int:
    """Parts per million of a rate given in per cent (``"0.5"`` -> 5000); at most 4 decimals, 0-100."""
    try:
        ppm = Decimal(rate_percent.strip().replace(",", ".")) * PPM / 100
    except InvalidOperation:
        raise EarnRuleError("the rate must be a number such as 0.5") from None
    if ppm != ppm.to_integral_value() or not 0 <= ppm <= PPM:
        raise EarnRuleError("the rate must be between 0 and 100 per cent with at most 4 decimals")
    return int(ppm)


def add_earn_rule(session: Session, fuel_type: FuelType, rate_percent: str, effective_from: dt.date,
                  by_staff_id: int | None = None) -> None:
    """A new rate for ``fuel_type`` from ``effective_from`` (station date); one rule per type and date."""
    ppm = rate_ppm(rate_percent)
    taken = session.scalar(select(EarnRule.id).where(EarnRule.fuel_type == fuel_type.value,
                                                     EarnRule.effective_from == effective_from))
    if taken is not None:
        raise EarnRuleError("a rule for this fuel type already starts on that date")
    session.add(EarnRule(fuel_type=fuel_type.value, rate_ppm=ppm, effective_from=effective_from))
    if by_staff_id is not None:
        add_action(session, ActionRecord(Action.EARN_RULE_ADDED, None, staff_id=by_staff_id,
                                         detail=f"{fuel_type.value} {ppm} ppm from {effective_from.isoformat()}"))


def list_rules(session: Session, today: dt.date) -> list[RuleRow]:
    """Every rule by fuel type and date, marking the one in force on ``today`` for each fuel type."""
    rules = list(session.scalars(select(EarnRule).order_by(EarnRule.fuel_type, EarnRule.effective_from)))
    in_force: dict[str, int] = {}
    for rule in rules:
        if rule.effective_from <= today:
            in_force[rule.fuel_type] = rule.id
    return [RuleRow(FuelType(rule.fuel_type), rule.rate_ppm, rule.effective_from, in_force.get(rule.fuel_type) == rule.id)
            for rule in rules]
