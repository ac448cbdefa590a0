"""A card's balance (by number or by chip UID), its online activation and its audit trail:
``/v1/cards/{number}...`` and ``/v1/cards/by-uid/{uid_hex}``."""
from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request, Response
from sqlalchemy import select
from starlette.routing import Route

from central.activation import ActivationOutcome, activate
from central.auth import BEARER_SECURITY, AuthenticatedDevice, admit, bearer_token_hash, require_device
from central.card_store import Actor, find_card, lock_cards
from central.deps import database
from central.error_handlers import error_responses
from central.errors import ApiError
from central.identity import IDENTITY_MESSAGES
from central.loop_reads import CardRow, DeviceRow, LoopReader
from central.models import CardEvent, DeviceKind, utcnow
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


def spend_typed_attempt(request: Request, device: AuthenticatedDevice) -> None:
    """Takes one typed-number attempt from the device's budget, or 429 ``rate_limited``."""
    retry_after = request.app.state.typed_limiter.acquire(device.id)
    if retry_after is not None:
        request.app.state.metrics.rate_limited.labels("typed_number").inc()
        raise ApiError(429, "rate_limited", "too many typed card numbers from this device; wait a little",
                       headers={"Retry-After": str(retry_after)})


Number = Annotated[str, Depends(card_number)]


def balance(card: CardRow | None, what: str) -> Response:
    """The balance body of ``card`` (already JSON: the route's response model only documents it), or 404."""
    if card is None:
        raise ApiError(404, "unknown_card", f"no card with this {what}")
    return Response(card_view(card, utcnow()).model_dump_json(), media_type="application/json")


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
    return _look_up(request, "number", parse_card_number, "number", LoopReader.device_and_card)


async def serve_look_up_by_uid(request: Request) -> Response:
    """``GET /v1/cards/by-uid/{uid_hex}`` (documented by :func:`look_up_by_uid`)."""
    return _look_up(request, "uid_hex", parse_uid, "UID", LoopReader.device_and_card_by_uid)


def _look_up(
    request: Request, parameter: str, parse: Callable[[str], str], what: str,
    read: Callable[[LoopReader, str, str], tuple[DeviceRow | None, CardRow | None]],
) -> Response:
    """The balance of the card named by the path's ``parameter`` (a card ``what``: number or UID)."""
    entry = _entry(request)
    token_hash = bearer_token_hash(request)
    reads = loop_reads(request)
    try:
        key = parse(request.path_params[parameter])
    except (MalformedNumber, MalformedUid) as exc:
        admit(reads.device(token_hash), LOOKUP_KINDS)  # an unknown device hears 401 first
        raise ApiError(400, f"malformed_{what.lower()}", str(exc)) from None
    device_row, card = read(reads, token_hash, key)
    device = admit(device_row, LOOKUP_KINDS)
    if entry is Entry.TYPED:
        spend_typed_attempt(request, device)
    return balance(card, what)


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

    Failed attempts are limited per card (``activation_failures_per_hour``), so a birth date
    cannot be found by trying them all.
    """
    limiter = request.app.state.activation_limiter
    retry_after = limiter.blocked(number)
    if retry_after is not None:
        request.app.state.metrics.rate_limited.labels("activation_failures").inc()
        raise ApiError(429, "rate_limited", "too many failed activations of this card; try again later",
                       headers={"Retry-After": str(retry_after)})
    with database(request).transaction() as session:
        found = find_card(session, number)
        cards = list(lock_cards(session, [found.id]).values()) if found is not None else []
        outcome, card = activate(session, cards, body.full_name, body.birth_date, Actor(device.id), "online")
        view = card_view(card, utcnow()) if card is not None else None
    request.app.state.metrics.activations.labels("online", outcome.value).inc()
    if outcome in (ActivationOutcome.ACTIVATED, ActivationOutcome.ALREADY_ACTIVE) and view is not None:
        return view
    status, message = _ACTIVATION_ERRORS[outcome]
    if status == 422:
        limiter.acquire(number)
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
