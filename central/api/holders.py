"""Holder records and card replacement: ``POST /v1/registrations``, ``POST /v1/replacements``."""
from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Annotated

from fastapi import APIRouter, Depends, Header, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from central.api.attendants import (
    AuthenticatedAttendant,
    kiosk_or_till,
    optional_attendant,
    require_attendant,
)
from central.api.auth import AuthenticatedDevice
from central.api.deps import database
from central.api.errors import ApiError, error_responses
from central.api.idempotency import IdempotencyKey, answer_of, response, run_once
from central.api.schemas import (
    CardRefReplacementRequest,
    CardView,
    RegistrationRequest,
    ReplacementReceipt,
    ReplacementRequest,
)
from central.domain.audit import Action, ActionRecord, write_action
from central.domain.cards import Actor
from central.domain.errors import DomainError, NotFound
from central.domain.holder_cards import card_id_of_ref
from central.domain.registration import register
from central.domain.replacement import replace_card, replace_card_by_ref
from central.domain.values import Balance
from central.storage.models import DeviceKind

router = APIRouter(prefix="/v1", tags=["holders"])

OptionalIdempotencyKey = Annotated[
    str | None,
    Header(alias="Idempotency-Key", pattern=r"^[\x21-\x7e]{1,128}$",
           description="Optional; a retry with the same key gets the first answer instead of 409"),
]


@router.post(
    "/registrations", status_code=201, response_model=CardView, responses=error_responses(401, 403, 409, 422)
)
def create_registration(
    request: Request,
    device: Annotated[AuthenticatedDevice, Depends(kiosk_or_till)],
    attendant: Annotated[AuthenticatedAttendant | None, Depends(optional_attendant)],
    body: RegistrationRequest,
    key: OptionalIdempotencyKey = None,
) -> Response:
    """Stores the customer information form of a card (before or after its first use).

    A kiosk registers only inside an attendant session (``X-Attendant-Session``): a kiosk's
    token alone is 401 ``attendant_required``. A till registers the form handed in at its
    counter; an attendant may sign it (session or code and PIN headers). The card's event and
    the attendant audit name the attendant.
    """
    if device.kind is DeviceKind.KIOSK and (attendant is None or attendant.session_key is None):
        raise ApiError(401, "attendant_required",
                       "a kiosk registers a card only inside an attendant session (X-Attendant-Session)")
    actor = Actor(device.id, attendant.id if attendant else None)
    with _refusals_audited(request, actor, Action.REGISTRATION_REFUSED, None):
        def change(session: Session) -> Balance:
            return register(session, actor, card_number=body.card_number, full_name=body.full_name,
                            birth_date=body.birth_date, phone=body.phone, consent=body.consent)

        if key is None:
            with database(request).transaction() as session:
                view: Balance | None = change(session)
            answered = response(answer_of(CardView, view), replayed=False)
        else:
            answered, view = run_once(database(request), device.id, key, "registration", body, change, CardView)
    metrics = request.app.state.metrics
    if view is not None:
        metrics.registrations.inc()
    else:
        metrics.idempotent_replays.labels("registration").inc()
    return answered


@router.post(
    "/replacements", status_code=201, response_model=ReplacementReceipt,
    responses=error_responses(401, 403, 404, 409, 422),
)
def create_replacement(
    request: Request,
    device: Annotated[AuthenticatedDevice, Depends(kiosk_or_till)],
    attendant: Annotated[AuthenticatedAttendant, Depends(require_attendant)],
    key: IdempotencyKey,
    body: ReplacementRequest | CardRefReplacementRequest,
) -> Response:
    """An attendant moves both pots from an old card to a new one after checking the holder's identity.

    Either the old card's number with the holder's name and birth date, or (attendant session
    only) the ``card_ref`` of a look-up or search after comparing the holder's ID document.
    """
    actor = Actor(device.id, attendant.id)
    if isinstance(body, CardRefReplacementRequest):
        old_card_id = card_id_of_ref(attendant.session_key, body.old_card_ref)
        with _refusals_audited(request, actor, Action.REPLACEMENT_REFUSED, old_card_id):
            if old_card_id is None:
                raise NotFound("unknown_card", "no such card in this attendant session")
            answered, receipt = run_once(
                database(request), device.id, key, "replacement", body,
                lambda session: replace_card_by_ref(session, actor, old_card_id, new_card_number=body.new_card_number,
                                                    birth_date=body.birth_date),
                ReplacementReceipt)
    else:
        with _refusals_audited(request, actor, Action.REPLACEMENT_REFUSED, None):
            answered, receipt = run_once(
                database(request), device.id, key, "replacement", body,
                lambda session: replace_card(session, actor, old_card_number=body.old_card_number,
                                             new_card_number=body.new_card_number, full_name=body.full_name,
                                             birth_date=body.birth_date),
                ReplacementReceipt)
    metrics = request.app.state.metrics
    if receipt is not None:
        metrics.replacements.inc()
    else:
        metrics.idempotent_replays.labels("replacement").inc()
    return answered


@contextlib.contextmanager
def _refusals_audited(request: Request, actor: Actor, action: Action, card_id: int | None) -> Iterator[None]:
    """A change an attendant asked for and the service refused goes into the attendant audit
    too (with the error code), in a transaction of its own: the refused change wrote nothing."""
    try:
        yield
    except (ApiError, DomainError) as refusal:
        if actor.attendant_id is not None:
            write_action(database(request), ActionRecord(action, actor.device_id, actor.attendant_id,
                                                         card_id=card_id, detail=refusal.code))
        raise
