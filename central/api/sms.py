"""SMS activation: ``POST /v1/sms/inbound`` from the SMS gateway, answering the reply to send.

The text is parsed by :mod:`central.domain.sms`; the cards sharing its last 10 digits are resolved
by the holder's name and birth date (:func:`central.domain.activation.activate`). The ``outcome``
is a parse rejection code or an :class:`ActivationOutcome` value; a name or birth-date mismatch
is answered with what to fix.

Every well-formed SMS is first charged to two budgets (central.storage.limits), given back when it
activates a card: its sender's (``sms_per_sender_per_hour``) and its card's
(``activation_failures_per_hour``, the last 10 digits, shared with online activation). When
either is spent the reply says "too many attempts", the same whether the card exists or not.
"""
from __future__ import annotations

import hashlib
from typing import Annotated

from fastapi import APIRouter, Depends, Request

from central.api.auth import AuthenticatedDevice, require_device
from central.api.deps import database
from central.api.errors import error_responses
from central.api.schemas import SmsInbound, SmsReply
from central.api.throttle import spend
from central.domain.activation import ActivationOutcome, activate_by_sms, budget_subject
from central.domain.cards import Actor
from central.domain.errors import RateLimited
from central.domain.sms import Outcome, SmsRejection, parse_activation_sms, reply_for
from central.storage.limits import Scope
from central.storage.models import DeviceKind
from opetcard.station_time import station_today

router = APIRouter(prefix="/v1/sms", tags=["activation"])

_REPLY_OUTCOME = {
    ActivationOutcome.ACTIVATED: Outcome.ACTIVATED,
    ActivationOutcome.ALREADY_ACTIVE: Outcome.ALREADY_ACTIVE,
    ActivationOutcome.UNKNOWN_CARD: Outcome.NO_CARD,
    ActivationOutcome.NOT_REGISTERED: Outcome.NOT_REGISTERED,
    ActivationOutcome.WRONG_NAME: Outcome.WRONG_NAME,
    ActivationOutcome.WRONG_BIRTH_DATE: Outcome.WRONG_BIRTH_DATE,
    ActivationOutcome.WRONG_NAME_AND_BIRTH_DATE: Outcome.WRONG_NAME_AND_BIRTH_DATE,
    ActivationOutcome.CARD_REPLACED: Outcome.CARD_REPLACED,
    ActivationOutcome.CARD_BLOCKED: Outcome.CARD_BLOCKED,
}


@router.post("/inbound", response_model=SmsReply, responses=error_responses(401, 403, 422))
def sms_inbound(
    request: Request,
    gateway: Annotated[AuthenticatedDevice, Depends(require_device(DeviceKind.SMS_GATEWAY))],
    body: SmsInbound,
) -> SmsReply:
    """Handles one SMS to 6738 (``PARO <last 10 digits> AD SOYAD GG.AA.YYYY``)."""
    settings = request.app.state.settings
    # A birth date is checked against the date at the stations, not the server's own.
    parsed = parse_activation_sms(body.text, today=station_today(settings.clock()))
    metrics = request.app.state.metrics
    if isinstance(parsed, SmsRejection):
        metrics.activations.labels("sms", "malformed").inc()
        return SmsReply(reply=parsed.reply, outcome=parsed.code)
    budgets = ((Scope.SMS_SENDER, hashlib.sha256(body.from_.encode()).hexdigest(), settings.sms_senders()),
               (Scope.ACTIVATION, budget_subject(parsed.last10), settings.activations()))
    try:
        for scope, subject, budget in budgets:
            spend(request, scope, subject, budget, "too many activation attempts")
    except RateLimited:
        metrics.activations.labels("sms", Outcome.TOO_MANY_ATTEMPTS.value).inc()
        return SmsReply(reply=reply_for(Outcome.TOO_MANY_ATTEMPTS, parsed.last4),
                        outcome=Outcome.TOO_MANY_ATTEMPTS.value)
    outcome = activate_by_sms(database(request), list(budgets), parsed.last10, parsed.full_name, parsed.birth_date,
                              Actor(gateway.id))
    metrics.activations.labels("sms", outcome.value).inc()
    return SmsReply(reply=reply_for(_REPLY_OUTCOME[outcome], parsed.last4), outcome=outcome.value)
