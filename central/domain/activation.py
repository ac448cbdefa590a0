"""Activation: a holder proves name and birth date, and the card may spend points from then on.

Used online (the card's full number) and by SMS (its last 10 digits, which two cards may
share: the holder's name and birth date then pick the card).
"""
from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import select
from sqlalchemy.orm import Session

from central.domain.cards import Actor, balance, change_status
from central.domain.errors import Conflict, DomainError, Invalid, NotFound
from central.domain.identity import IDENTITY_MESSAGES, IdentityCheck, check_identity
from central.domain.limits import spend
from central.domain.settings import Settings
from central.domain.values import Balance
from central.storage.cards import find_card, lock_cards
from central.storage.db import Database
from central.storage.limits import Budget, Scope, give_back
from central.storage.models import Card, CardStatus


class ActivationOutcome(str, enum.Enum):
    """What an activation attempt came to."""

    ACTIVATED = "activated"
    ALREADY_ACTIVE = "already_active"
    UNKNOWN_CARD = "unknown_card"
    NOT_REGISTERED = "not_registered"
    WRONG_NAME = "wrong_name"
    WRONG_BIRTH_DATE = "wrong_birth_date"
    WRONG_NAME_AND_BIRTH_DATE = "wrong_name_and_birth_date"
    CARD_REPLACED = "card_replaced"
    CARD_BLOCKED = "card_blocked"


# When no card matches fully, the nearest miss decides what the holder is told to fix.
_MISS_ORDER = (IdentityCheck.WRONG_BIRTH_DATE, IdentityCheck.WRONG_NAME, IdentityCheck.WRONG_NAME_AND_BIRTH_DATE)
_RETIRED = {CardStatus.REPLACED.value: ActivationOutcome.CARD_REPLACED,
            CardStatus.BLOCKED.value: ActivationOutcome.CARD_BLOCKED}


def budget_subject(number_or_last10: str) -> str:
    """Whose activation budget an attempt spends: the card number's last 10 digits, what an SMS
    names too, so online and SMS attempts share one budget (central.storage.limits ``activation``)."""
    return number_or_last10[-10:]


def lock_cards_by_last10(session: Session, last10: str) -> list[Card]:
    """Every card whose number ends in ``last10``, locked."""
    ids = list(session.scalars(select(Card.id).where(Card.last10 == last10)))
    return list(lock_cards(session, ids).values()) if ids else []


def activate(
    session: Session, candidates: list[Card], full_name: str, birth_date: dt.date, actor: Actor, channel: str
) -> tuple[ActivationOutcome, Card | None]:
    """Activates the candidate whose holder has this name and birth date; the card is None when none fits."""
    if not candidates:
        return ActivationOutcome.UNKNOWN_CARD, None
    checks = {
        card.id: check_identity(holder, full_name, birth_date)
        for card in candidates
        if (holder := card.holder) is not None
    }
    if not checks:
        return ActivationOutcome.NOT_REGISTERED, None
    matching = [card for card in candidates if checks.get(card.id) is IdentityCheck.MATCH]
    if not matching:
        nearest = min(checks.values(), key=_MISS_ORDER.index)
        return ActivationOutcome(nearest.value), None
    live = [card for card in matching if card.status not in _RETIRED]
    if not live:
        return _RETIRED[matching[0].status], matching[0]
    card = live[0]
    if card.status == CardStatus.ACTIVE.value:
        return ActivationOutcome.ALREADY_ACTIVE, card
    change_status(session, card, CardStatus.ACTIVE, "activated", actor, reference=f"activation:{channel}")
    return ActivationOutcome.ACTIVATED, card


SUCCEEDED = (ActivationOutcome.ACTIVATED, ActivationOutcome.ALREADY_ACTIVE)
_REFUSALS: dict[ActivationOutcome, tuple[type[DomainError], str]] = {
    ActivationOutcome.UNKNOWN_CARD: (NotFound, "no card with this number"),
    ActivationOutcome.NOT_REGISTERED: (Conflict, "the card has no holder record yet; register it first"),
    ActivationOutcome.CARD_REPLACED: (Conflict, "this card was replaced by a new card"),
    ActivationOutcome.CARD_BLOCKED: (Conflict, "this card is blocked"),
    **{ActivationOutcome(check.value): (Invalid, message) for check, message in IDENTITY_MESSAGES.items()},
}


def refusal(outcome: ActivationOutcome) -> DomainError:
    """The error of an online activation that did not succeed."""
    kind, message = _REFUSALS[outcome]
    return kind(outcome.value, message)


def activate_online(
    database: Database, settings: Settings, number: str, full_name: str, birth_date: dt.date, actor: Actor
) -> tuple[ActivationOutcome, Balance | None]:
    """Online activation of the card ``number``, charged first to the card's budget and given back
    when it activates (so a birth date cannot be found by trying them all, however many
    requests run at once); :class:`RateLimited` when the budget is spent.
    Returns the outcome and, when it succeeded, the card's balance.
    """
    subject = budget_subject(number)
    spend(database, Scope.ACTIVATION, subject, settings.activations(), settings.clock(),
          "too many failed activations of this card; try again later")
    with database.transaction() as session:
        found = find_card(session, number)
        cards = list(lock_cards(session, [found.id]).values()) if found is not None else []
        outcome, card = activate(session, cards, full_name, birth_date, actor, "online")
        if outcome not in SUCCEEDED or card is None:
            return outcome, None
        give_back(session, Scope.ACTIVATION, subject, settings.activations())
        return outcome, balance(card, settings.clock())


def activate_by_sms(
    database: Database, budgets: list[tuple[Scope, str, Budget]], last10: str, full_name: str,
    birth_date: dt.date, actor: Actor,
) -> ActivationOutcome:
    """An SMS activation, after its ``budgets`` were spent: they are given back when it activates."""
    with database.transaction() as session:
        outcome, _card = activate(session, lock_cards_by_last10(session, last10), full_name, birth_date, actor, "sms")
        if outcome in SUCCEEDED:
            for scope, subject, budget in budgets:
                give_back(session, scope, subject, budget)
    return outcome
