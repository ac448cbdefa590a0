"""Attendant mode: sign-in sessions, card look-ups and holder searches, and the attendant audit.

``/v1/attendant-sessions``, ``/v1/attendant/card-lookups``, ``/v1/attendant/holder-searches``,
``/v1/attendant-actions``. Every look-up and search is audited (a search by its result count)
and spends one of the attendant's budget (``attendant_lookups_per_hour``, all their sessions
together), before it is made.
"""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response

from central.api.attendants import (
    AuthenticatedAttendant,
    SessionHeader,
    check_attendant,
    kiosk_or_till,
    require_attendant_session,
    session_invalid,
)
from central.api.auth import AuthenticatedDevice, require_device
from central.api.deps import database
from central.api.errors import error_responses
from central.api.schemas import (
    AttendantActions,
    AttendantInfo,
    AttendantLogin,
    AttendantSessionOpened,
    CardLookupRequest,
    HolderCard,
    HolderCards,
    HolderSearchRequest,
)
from central.api.throttle import spend
from central.domain import holder_cards
from central.domain.attendant_sessions import end_session, open_session
from central.domain.audit import Action, list_actions
from central.domain.cards import Actor
from central.domain.errors import DomainError
from central.storage.limits import Scope
from central.storage.models import DeviceKind

router = APIRouter(prefix="/v1", tags=["attendant"])
KioskOrTill = Annotated[AuthenticatedDevice, Depends(kiosk_or_till)]
SessionAttendant = Annotated[AuthenticatedAttendant, Depends(require_attendant_session)]


@router.post(
    "/attendant-sessions", status_code=201, response_model=AttendantSessionOpened,
    responses=error_responses(401, 403, 422, 429),
)
def sign_in(request: Request, device: KioskOrTill, body: AttendantLogin) -> AttendantSessionOpened:
    """An attendant signs in with code and PIN and gets a session token for this device.

    A wrong PIN or an unknown code is 401 ``bad_attendant_pin`` with ``attempts_left``, alike; the
    last allowed wrong PIN, and any sign-in while locked, is 403 ``attendant_locked`` with
    ``retry_after_seconds``; too many sign-ins that were not right from this device, 429
    ``rate_limited``.
    """
    state = request.app.state
    try:
        attendant = check_attendant(state.database, state.settings, body.code, body.pin, device.id,
                                    Action.LOGIN_FAILED)
    except DomainError:
        state.metrics.attendant_refusals.inc()
        raise
    token, row = open_session(state.database, state.settings, attendant.id, device.id)
    return AttendantSessionOpened(
        session_token=token,
        attendant=AttendantInfo(code=attendant.code, name=attendant.name),
        expires_at=row.expires_at,
        idle_timeout_seconds=int(state.settings.attendant_idle_timeout.total_seconds()),
    )


@router.delete(
    "/attendant-sessions/current", status_code=204, response_class=Response,
    responses=error_responses(401, 403, 422),
)
def sign_out(request: Request, device: KioskOrTill, token: SessionHeader = None) -> Response:
    """Ends the session named by ``X-Attendant-Session``."""
    state = request.app.state
    if token is None or not end_session(state.database, state.settings, token, device.id):
        raise session_invalid()
    return Response(status_code=204)


def _spend_lookup(request: Request, attendant: AuthenticatedAttendant) -> None:
    spend(request, Scope.ATTENDANT_LOOKUP, str(attendant.id), request.app.state.settings.attendant_lookups(),
          "too many card look-ups and searches by this attendant; wait a little")


@router.post(
    "/attendant/card-lookups", response_model=HolderCard, responses=error_responses(401, 403, 404, 422, 429)
)
def look_up_card(
    request: Request, device: KioskOrTill, attendant: SessionAttendant, body: CardLookupRequest
) -> HolderCard:
    """A card with its masked holder details and a ``card_ref`` valid in this attendant session."""
    assert attendant.session_key is not None
    _spend_lookup(request, attendant)
    with database(request).transaction() as session:
        card = holder_cards.look_up_card(session, body.card_number, Actor(device.id, attendant.id),
                                         attendant.session_key)
    return HolderCard.model_validate(card, from_attributes=True)


@router.post(
    "/attendant/holder-searches", response_model=HolderCards, responses=error_responses(401, 403, 422, 429)
)
def search_holder_cards(
    request: Request, device: KioskOrTill, attendant: SessionAttendant, body: HolderSearchRequest
) -> HolderCards:
    """The cards (not replaced) of holders whose name and birth date match, and phone when one is
    given (a holder record without a phone is found by name and birth date); none says nothing more."""
    assert attendant.session_key is not None
    _spend_lookup(request, attendant)
    with database(request).transaction() as session:
        cards = holder_cards.search_holder_cards(session, body.full_name, body.birth_date, body.phone,
                                                 Actor(device.id, attendant.id), attendant.session_key)
    return HolderCards.model_validate({"cards": cards}, from_attributes=True)


@router.get("/attendant-actions", response_model=AttendantActions, responses=error_responses(401, 403, 422))
def attendant_actions(
    request: Request,
    _device: Annotated[AuthenticatedDevice, Depends(require_device(DeviceKind.TILL, DeviceKind.OPERATIONS))],
    attendant: Annotated[str | None, Query(pattern=r"^[A-Za-z0-9_-]{1,32}$", description="An attendant code")] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> AttendantActions:
    """The attendant audit, newest first: sign-ins, look-ups, searches, replacements, registrations."""
    # The session ends in this worker thread (as in the card audit trail): one held until the
    # response is validated on another thread could wait on a busy pool while holding a connection.
    with database(request).reader() as session:
        actions = list_actions(session, attendant, limit)
    return AttendantActions.model_validate({"actions": actions}, from_attributes=True)
