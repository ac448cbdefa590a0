"""A card's balance (by number or by chip UID), its online activation and its audit trail:
``/v1/cards/{number}...`` and ``/v1/cards/by-uid/{uid_hex}``."""
from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request, Response
from fastapi.routing import APIRoute
from starlette.concurrency import run_in_threadpool

from central.api.auth import (
    BEARER_SECURITY,
    AuthenticatedDevice,
    admit,
    bearer_token_hash,
    require_device,
)
from central.api.deps import database
from central.api.errors import ApiError, error_responses
from central.api.schemas import (
    ActivationRequest,
    CardEvents,
    CardEventView,
    CardView,
    Entry,
)
from central.api.views import card_view
from central.domain import activation
from central.domain.cards import Actor, card_events
from central.domain.errors import RateLimited
from central.domain.numbers import (
    MalformedNumber,
    MalformedUid,
    parse_card_number,
    parse_uid,
)
from central.storage.limits import Budget, Scope
from central.storage.loop_reads import CardRow, LoopReader
from central.storage.models import DeviceKind
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
    """The app's reads for the event loop (central.storage.loop_reads)."""
    return request.app.state.loop_reads


LOOKUP_KINDS = (DeviceKind.KIOSK, DeviceKind.TILL, DeviceKind.OPERATIONS)


def lookup_budget(request: Request, entry: Entry) -> tuple[Scope, Budget]:
    """The device budget a look-up spends: every look-up spends one, typed or tapped (as claimed)."""
    settings = request.app.state.settings
    if entry is Entry.TYPED:
        return Scope.TYPED_LOOKUP, settings.typed_lookups()
    return Scope.TAPPED_LOOKUP, settings.tapped_lookups()


async def _look_up(request: Request, entry: Entry, text: str, parse: Callable[[str], str], by: str) -> Response:
    """The balance of the card whose ``by`` (``number`` or ``uid``) is ``text``.

    The device's look-up budget is charged before the answer (central.storage.limits): from events
    this process charged ahead for a busy device (``Leases``), else in the read itself where the
    database allows (central.storage.loop_reads), else in the thread pool.
    """
    what = "number" if by == "number" else "UID"
    token_hash = bearer_token_hash(request)
    reads = loop_reads(request)
    try:
        key = parse(text)
    except (MalformedNumber, MalformedUid) as exc:
        admit(await reads.device(token_hash), LOOKUP_KINDS)  # an unknown device hears 401 first
        raise ApiError(400, f"malformed_{what.lower()}", str(exc)) from None
    scope, budget = lookup_budget(request, entry)
    now, leases = request.app.state.settings.clock(), request.app.state.leases
    lease = (scope, token_hash)
    if leases.spend(lease, now):
        found = await reads.look_up(token_hash, by, key, None)
        admit(found.device, LOOKUP_KINDS)
        return balance(request, found.card, what)
    want = leases.want(lease, now)
    charge = budget.parameters(scope, "", now, want)
    del charge["subject"]
    found = await reads.look_up(token_hash, by, key, charge)
    device = admit(found.device, LOOKUP_KINDS)
    granted, tat_us = found.charge or await run_in_threadpool(reads.charge_waiting, str(device.id), charge)
    leases.took(lease, want, granted, now)
    retry_after = budget.retry_after(granted, tat_us, now)
    if retry_after is not None:
        raise RateLimited(scope.value, retry_after, "too many card look-ups from this device; wait a little")
    return balance(request, found.card, what)


def _entry(request: Request) -> Entry:
    """The ``entry`` query parameter (default typed), or 422 ``invalid_request`` as FastAPI words it."""
    try:
        return Entry(request.query_params.get("entry", Entry.TYPED.value))
    except ValueError:
        raise ApiError(422, "invalid_request", "query.entry: Input should be 'tapped' or 'typed'") from None


class LookUpRoute(APIRoute):
    """The route of a look-up, every kiosk tap and till swipe: one FastAPI operation, documented
    from its endpoint's typed signature like any other, whose requests skip FastAPI's dependency
    solving and parameter validation (profiled, 43 % of a look-up's CPU): the handler passes the
    path's text and the parsed ``entry`` to the endpoint, which parses the rest itself."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        endpoint = self.endpoint

        async def handler(request: Request) -> Response:
            response: Response = await endpoint(request, *request.path_params.values(), entry=_entry(request))
            return response

        return handler


lookups = APIRouter(prefix="/v1/cards", tags=["cards"], route_class=LookUpRoute)
"""The two look-ups (:class:`LookUpRoute`); the app includes it beside :data:`router`."""


@lookups.get(
    "/by-uid/{uid_hex}", response_model=CardView, responses=error_responses(400, 401, 403, 404, 422, 429),
    openapi_extra=BEARER_SECURITY,
)
async def look_up_by_uid(request: Request, uid_hex: UidText, entry: Entry = Entry.TYPED) -> Response:
    """The balance of the card whose chip has this UID (for cards whose number cannot be read).

    A UID stays with the card it was linked to (``opet-central link-uid``): the chip of a
    replaced card answers that card, status ``replaced``, exactly as its number does.
    """
    return await _look_up(request, entry, uid_hex, parse_uid, "uid")


@lookups.get(
    "/{number}", response_model=CardView, responses=error_responses(400, 401, 403, 404, 422, 429),
    openapi_extra=BEARER_SECURITY,
)
async def look_up(request: Request, number: NumberText, entry: Entry = Entry.TYPED) -> Response:
    """The card's status and both pots. Typed numbers are rate-limited per device."""
    return await _look_up(request, entry, number, parse_card_number, "number")


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
    state = request.app.state
    outcome, view = activation.activate_online(state.database, state.settings, number, body.full_name, body.birth_date,
                                    Actor(device.id))
    state.metrics.activations.labels("online", outcome.value).inc()
    if view is None:
        raise activation.refusal(outcome)
    return CardView.model_validate(view, from_attributes=True)


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
        events = card_events(session, number, limit)
    return CardEvents(
        number_last4=last4(number),
        events=[CardEventView.model_validate(event, from_attributes=True) for event in events],
    )
