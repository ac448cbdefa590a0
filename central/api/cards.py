"""A card's balance (by number or by chip UID), its online activation and its audit trail:
``/v1/cards/{number}...`` and ``/v1/cards/by-uid/{uid_hex}``."""
from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request, Response
from sqlalchemy import select
from starlette.concurrency import run_in_threadpool
from starlette.routing import Route

from central.activation import ActivationOutcome, activate, budget_subject
from central.throttle import rate_limited, spend
from central.auth import BEARER_SECURITY, AuthenticatedDevice, admit, bearer_token_hash, require_device
from central.card_store import Actor, find_card, lock_cards
from central.deps import database
from central.error_handlers import error_responses
from central.errors import ApiError
from central.identity import IDENTITY_MESSAGES
from central.limits import Budget, Scope, give_back
from central.loop_reads import CardRow, LoopReader
from central.models import CardEvent, DeviceKind
from central.numbers import MalformedNumber, MalformedUid, parse_card_number, parse_uid
from central.schemas import ActivationRequest, CardEvents, CardEventView, CardView, Entry
from central.views import card_view
from opetcard.numbers import last4

router = APIRouter(prefix="/v1/cards", tags=["cards"])


NumberText = Annotated[str, Path(description="The 16-digit card number (spaces between groups allowed).")]
UidText = Annotated[str, Path(description="The card's contactless UID: 8, 14 or 20 hex digits, any case.")]


async def card_number(number: NumberText) -> str:
    """The path's card number, or 400 ``malformed_number``."""
    try:
        return parse_card_number(number)
    except MalformedNumber as exc:
        raise ApiError(400, "malformed_number", str(exc)) from None


Number = Annotated[str, Depends(card_number)]


def balance(request: Request, card: CardRow | None, what: str) -> Response:
    """The balance body of ``card`` (already JSON: the route's response model only documents it), or 404."""
    if card is None:
        raise ApiError(404, "unknown_card", f"no card with this {what}")
    view = card_view(card, request.app.state.settings.clock())
    return Response(view.model_dump_json(), media_type="application/json")


def loop_reads(request: Request) -> LoopReader:
    """The app's reads on the event loop's connection."""
    return request.app.state.loop_reads


LOOKUP_KINDS = (DeviceKind.KIOSK, DeviceKind.TILL, DeviceKind.OPERATIONS)


def _entry(request: Request) -> Entry:
    """The ``entry`` query parameter (default typed), or 422 ``invalid_request``."""
    try:
        return Entry(request.query_params.get("entry", Entry.TYPED.value))
    except ValueError:
        raise ApiError(422, "invalid_request", "query.entry: Input should be 'tapped' or 'typed'") from None


async def serve_look_up(request: Request) -> Response:
    """``GET /v1/cards/{number}`` (documented by :func:`look_up`)."""
    return await _look_up(request, "number", parse_card_number, "number")


async def serve_look_up_by_uid(request: Request) -> Response:
    """``GET /v1/cards/by-uid/{uid_hex}`` (documented by :func:`look_up_by_uid`)."""
    return await _look_up(request, "uid_hex", parse_uid, "UID")


def lookup_budget(request: Request, entry: Entry) -> tuple[Scope, Budget]:
    """The device budget a look-up spends: every look-up spends one, typed or tapped (as claimed)."""
    settings = request.app.state.settings
    if entry is Entry.TYPED:
        return Scope.TYPED_LOOKUP, settings.typed_lookups()
    return Scope.TAPPED_LOOKUP, settings.tapped_lookups()


async def _look_up(request: Request, parameter: str, parse: Callable[[str], str], what: str) -> Response:
    """The balance of the card named by the path's ``parameter`` (a card ``what``: number or UID).

    The device's look-up budget is charged before the answer (central.limits): from events
    this process charged ahead for a busy device (``Leases``), else in the read itself where the
    database allows (central.loop_reads), else in the thread pool.
    """
    entry = _entry(request)
    token_hash = bearer_token_hash(request)
    reads = loop_reads(request)
    try:
        key = parse(request.path_params[parameter])
    except (MalformedNumber, MalformedUid) as exc:
        admit(reads.device(token_hash), LOOKUP_KINDS)  # an unknown device hears 401 first
        raise ApiError(400, f"malformed_{what.lower()}", str(exc)) from None
    scope, budget = lookup_budget(request, entry)
    now, leases, by = request.app.state.settings.clock(), request.app.state.leases, parameter.removesuffix("_hex")
    lease = (scope, token_hash)
    if leases.spend(lease, now):
        found = reads.look_up(token_hash, by, key, None)
        admit(found.device, LOOKUP_KINDS)
        return balance(request, found.card, what)
    want = leases.want(lease, now)
    charge = budget.parameters(scope, "", now, want)
    del charge["subject"]
    found = reads.look_up(token_hash, by, key, charge)
    device = admit(found.device, LOOKUP_KINDS)
    granted, tat_us = found.charge or await run_in_threadpool(reads.charge_waiting, str(device.id), charge)
    leases.took(lease, want, granted, now)
    retry_after = budget.retry_after(granted, tat_us, now)
    if retry_after is not None:
        raise rate_limited(request, scope.value, retry_after,
                           "too many card look-ups from this device; wait a little")
    return balance(request, found.card, what)


LOOKUP_ROUTES = [
    Route("/v1/cards/by-uid/{uid_hex}", serve_look_up_by_uid, methods=["GET"]),
    Route("/v1/cards/{number}", serve_look_up, methods=["GET"]),
]
"""The two look-ups, every kiosk tap and till swipe, as plain Starlette routes placed ahead of
FastAPI's router (``create_app``). Profiled through the ASGI app, FastAPI's routing, dependency
solving and parameter validation were 43 % of a look-up's CPU (274 -> 155 us a look-up). They
parse with the same parsers as the other routes and raise the same ApiErrors, answered by
the app's handlers. FastAPI still documents them from the typed operations below, which answer
through the same functions if ever reached."""


@router.get(
    "/by-uid/{uid_hex}", response_model=CardView, responses=error_responses(400, 401, 403, 404, 422, 429),
    openapi_extra=BEARER_SECURITY,
)
async def look_up_by_uid(request: Request, uid_hex: UidText, entry: Entry = Entry.TYPED) -> Response:
    """The balance of the card whose chip has this UID (for cards whose number cannot be read).

    A UID stays with the card it was linked to (``opet-central link-uid``): the chip of a
    replaced card answers that card, status ``replaced``, exactly as its number does.
    """
    return await serve_look_up_by_uid(request)


@router.get(
    "/{number}", response_model=CardView, responses=error_responses(400, 401, 403, 404, 422, 429),
    openapi_extra=BEARER_SECURITY,
)
async def look_up(request: Request, number: NumberText, entry: Entry = Entry.TYPED) -> Response:
    """The card's status and both pots. Typed numbers are rate-limited per device."""
    return await serve_look_up(request)


_ACTIVATION_ERRORS = {
    ActivationOutcome.UNKNOWN_CARD: (404, "no card with this number"),
    ActivationOutcome.NOT_REGISTERED: (409, "the card has no holder record yet; register it first"),
    ActivationOutcome.CARD_REPLACED: (409, "this card was replaced by a new card"),
    ActivationOutcome.CARD_BLOCKED: (409, "this card is blocked"),
    **{ActivationOutcome(check.value): (422, message) for check, message in IDENTITY_MESSAGES.items()},
}


@router.post(
    "/{number}/activation", response_model=CardView, responses=error_responses(400, 401, 403, 404, 409, 422, 429)
)
def activate_online(
    request: Request,
    device: Annotated[AuthenticatedDevice, Depends(require_device(DeviceKind.KIOSK, DeviceKind.OPERATIONS))],
    number: Number,
    body: ActivationRequest,
) -> CardView:
    """Online activation with the holder's full name and birth date.

    Every attempt is first charged to the card's budget (``activation_failures_per_hour``, its
    last 10 digits, shared with SMS activation) and given back when it activates, so a birth
    date cannot be found by trying them all, however many requests run at once.
    """
    settings = request.app.state.settings
    subject = budget_subject(number)
    spend(request, Scope.ACTIVATION, subject, settings.activations(),
          "too many failed activations of this card; try again later")
    with database(request).transaction() as session:
        found = find_card(session, number)
        cards = list(lock_cards(session, [found.id]).values()) if found is not None else []
        outcome, card = activate(session, cards, body.full_name, body.birth_date, Actor(device.id), "online")
        view = card_view(card, settings.clock()) if card is not None else None
        succeeded = outcome in (ActivationOutcome.ACTIVATED, ActivationOutcome.ALREADY_ACTIVE)
        if succeeded:
            give_back(session, Scope.ACTIVATION, subject, settings.activations())
    request.app.state.metrics.activations.labels("online", outcome.value).inc()
    if succeeded and view is not None:
        return view
    status, message = _ACTIVATION_ERRORS[outcome]
    raise ApiError(status, outcome.value, message)


@router.get("/{number}/events", response_model=CardEvents, responses=error_responses(400, 401, 403, 404, 422))
def audit_trail(
    request: Request,
    _device: Annotated[AuthenticatedDevice, Depends(require_device(DeviceKind.TILL, DeviceKind.OPERATIONS))],
    number: Number,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> CardEvents:
    """Every change of the card's points or status, newest first."""
    # The session ends in this worker thread: one kept open until the response is validated
    # (another thread) could wait on a busy pool forever while holding a connection.
    with database(request).reader() as session:
        card = find_card(session, number)
        if card is None:
            raise ApiError(404, "unknown_card", "no card with this number")
        events = session.scalars(
            select(CardEvent).where(CardEvent.card_id == card.id).order_by(CardEvent.id.desc()).limit(limit)
        ).all()
    return CardEvents(
        number_last4=last4(card.number),
        events=[CardEventView.model_validate(event, from_attributes=True) for event in events],
    )
