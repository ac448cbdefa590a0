"""SMS activation: ``POST /v1/sms/inbound`` from the SMS gateway, answering the reply to send.

The text is parsed by :mod:`central.sms`; the cards sharing its last 10 digits are resolved
by the holder's name and birth date (:func:`central.activation.activate`). The ``outcome``
is a parse rejection code or an :class:`ActivationOutcome` value; a name or birth-date mismatch
is answered with what to fix (failed attempts are rate-limited per card, see activation).
"""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request

from central.activation import ActivationOutcome, activate, lock_cards_by_last10
from central.auth import AuthenticatedDevice, require_device
from central.card_store import Actor
from central.deps import database
from central.error_handlers import error_responses
from central.models import DeviceKind
from central.schemas import SmsInbound, SmsReply
from central.sms import Outcome, SmsRejection, parse_activation_sms, reply_for

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
    parsed = parse_activation_sms(body.text)
    metrics = request.app.state.metrics
    if isinstance(parsed, SmsRejection):
        metrics.activations.labels("sms", "malformed").inc()
        return SmsReply(reply=parsed.reply, outcome=parsed.code)
    with database(request).transaction() as session:
        candidates = lock_cards_by_last10(session, parsed.last10)
        outcome, _card = activate(session, candidates, parsed.full_name, parsed.birth_date, Actor(gateway.id), "sms")
    metrics.activations.labels("sms", outcome.value).inc()
    return SmsReply(reply=reply_for(_REPLY_OUTCOME[outcome], parsed.last4), outcome=outcome.value)
