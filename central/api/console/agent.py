"""The call centre's pages: find the caller, confirm who they are, move the points, block, register.

Each action calls the domain function the API uses (look-up masks and refs of
central.domain: holder_cards, replacement, registration, cards), as
the console's device with the agent named (``Actor.staff_id``). Card numbers arrive only in
POST bodies; pages and URLs name a card by its last four digits and a ref valid only in this
console session. A look-up, a search and an identity check spend the agent's budget (the
attendants' one, ``attendant_lookups_per_hour``) before they are made, and are audited.
"""
from __future__ import annotations

import datetime as dt
import json
import uuid
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response
from pydantic import BaseModel, ValidationError

from central.api.console.web import PREFIX, Agent, PostingAgent, render, status_of
from central.api.deps import database
from central.api.idempotency import run_once
from central.api.schemas import HolderSearchRequest, RegistrationRequest, ReplacementReceipt
from central.domain.audit import Action, ActionRecord, write_action
from central.domain.cards import Actor, block_card, card_events
from central.domain.console_accounts import console_device_id, find_console_device
from central.domain.console_sessions import SignedInStaff
from central.domain.errors import DomainError, NotFound
from central.domain.holder_cards import card_id_of_ref, card_ref, holder_card, look_up_card, search_holder_cards
from central.domain.identity import caller_matches
from central.domain.limits import spend
from central.domain.numbers import MalformedNumber, parse_card_number
from central.domain.registration import register
from central.domain.replacement import replace_card_for_caller
from central.storage.cards import find_card
from central.storage.limits import Scope
from central.storage.models import Card

router = APIRouter(prefix=f"{PREFIX}/agent", include_in_schema=False)
Field = Annotated[str, Form(max_length=200)]
LAST_MOVEMENTS = 10


class CallerReplacement(BaseModel):
    """What an agent's replacement form asked for (its idempotency record's request)."""

    old_card_id: int
    new_card_number: str
    birth_date: dt.date
    phone_last4: str
    call_reference: str


def _actor(request: Request, staff: SignedInStaff) -> Actor:
    """The agent, acting through the console's device (read; written once, the first time)."""
    with database(request).reader() as session:
        device_id = find_console_device(session)
    if device_id is None:
        with database(request).transaction() as session:
            device_id = console_device_id(session)
    return Actor(device_id=device_id, staff_id=staff.id)


def _spend_lookup(request: Request, staff: SignedInStaff) -> None:
    settings = request.app.state.settings
    spend(database(request), Scope.ATTENDANT_LOOKUP, f"staff-{staff.id}", settings.attendant_lookups(),
          settings.clock(), "too many card look-ups and searches by this agent; wait a little")


def _find_page(request: Request, staff: SignedInStaff, error: str | None = None, *, status: int = 200,
               cards: list[object] | None = None, searched: bool = False) -> Response:
    return render(request, "agent_find.html", {"message": error, "cards": cards or [], "searched": searched},
                  status=status, staff=staff)


@router.get("/find")
def find_page(request: Request, staff: Agent) -> Response:
    """The two ways to find a caller's card."""
    return _find_page(request, staff)


@router.post("/find/number")
def find_by_number(request: Request, staff: PostingAgent, card_number: Field = "") -> Response:
    """By the card number the caller reads out (in the POST body only)."""
    try:
        number = parse_card_number(card_number)
    except MalformedNumber:
        return _find_page(request, staff, "error.malformed_number", status=422)
    try:
        _spend_lookup(request, staff)
        actor = _actor(request, staff)
        with database(request).transaction() as session:
            view = look_up_card(session, number, actor, staff.session_key)
    except DomainError as refusal:
        return _find_page(request, staff, f"error.{refusal.code}", status=status_of(refusal))
    return _find_page(request, staff, cards=[view], searched=True)


@router.post("/find/holder")
def find_by_holder(request: Request, staff: PostingAgent, full_name: Field = "", birth_date: Field = "",
                   phone: Field = "") -> Response:
    """By name, birth date and mobile number, all three matching (names Turkish-folded)."""
    try:
        query = HolderSearchRequest(full_name=full_name, birth_date=birth_date, phone=phone.replace(" ", ""))
    except ValidationError:
        return _find_page(request, staff, "error.search_fields", status=422)
    try:
        _spend_lookup(request, staff)
    except DomainError as refusal:
        return _find_page(request, staff, f"error.{refusal.code}", status=status_of(refusal))
    actor = _actor(request, staff)
    with database(request).transaction() as session:
        views = search_holder_cards(session, query.full_name, query.birth_date, query.phone, actor,
                                    staff.session_key)
    return _find_page(request, staff, "no_cards_found" if not views else None, cards=views, searched=True)


def _card_of(staff: SignedInStaff, ref: str) -> int:
    card_id = card_id_of_ref(staff.session_key, ref)
    if card_id is None:
        raise NotFound("unknown_card", "no such card in this console session")
    return card_id


def _card_page(request: Request, staff: SignedInStaff, ref: str, message: str | None = None, *,
               status: int = 200, message_kind: str = "error") -> Response:
    try:
        card_id = _card_of(staff, ref)
    except DomainError:
        return _find_page(request, staff, "error.unknown_card", status=404)
    with database(request).reader() as session:
        card = session.get(Card, card_id)
        assert card is not None
        view = holder_card(card, staff.session_key)
        events = card_events(session, card.number, LAST_MOVEMENTS)
    return render(request, "agent_card.html", {"card": view, "events": events, "message": message,
                                               "message_kind": message_kind}, status=status, staff=staff)


@router.get("/card/{ref}")
def card_page(request: Request, staff: Agent, ref: str) -> Response:
    """The caller's card, masked: what the agent needs to ask their questions."""
    return _card_page(request, staff, ref)


@router.post("/card/{ref}/identity")
def confirm_identity(request: Request, staff: PostingAgent, ref: str, birth_date: Field = "",
                     phone_last4: Field = "") -> Response:
    """The caller's answers, checked by the server; right: the form to move the points."""
    try:
        card_id = _card_of(staff, ref)
        answered = dt.date.fromisoformat(birth_date)
        _spend_lookup(request, staff)  # guessing answers costs the agent's budget like a look-up
    except DomainError as refusal:
        return _card_page(request, staff, ref, f"error.{refusal.code}", status=status_of(refusal))
    except ValueError:
        return _card_page(request, staff, ref, "error.wrong_identity", status=422)
    with database(request).reader() as session:  # the replacement checks the same again
        card = session.get(Card, card_id)
        assert card is not None
        matches = card.holder is not None and caller_matches(card.holder, answered, phone_last4.strip())
    if not matches:
        write_action(database(request), ActionRecord(Action.REPLACEMENT_REFUSED, None, card_id=card_id,
                                                       staff_id=staff.id, detail="wrong_identity"))
        return _card_page(request, staff, ref, "error.wrong_identity", status=422)
    return _move_page(request, staff, ref, answered, phone_last4.strip())


def _move_page(request: Request, staff: SignedInStaff, ref: str, birth_date: dt.date, phone_last4: str,
               message: str | None = None, *, status: int = 200, key: str | None = None) -> Response:
    card_id = _card_of(staff, ref)
    with database(request).reader() as session:
        card = session.get(Card, card_id)
        assert card is not None
        view = holder_card(card, staff.session_key)
    return render(request, "agent_move.html", {
        "card": view, "birth_date": birth_date.isoformat(), "phone_last4": phone_last4, "message": message,
        "idempotency_key": key or uuid.uuid4().hex,
    }, status=status, staff=staff)


@router.post("/card/{ref}/replacement")
def move_points(request: Request, staff: PostingAgent, ref: str, birth_date: Field = "", phone_last4: Field = "",
                new_card_number: Field = "", call_reference: Field = "", idempotency_key: Field = "") -> Response:
    """Moves both pots to the new card in one transaction (central.domain.replacement), at most once per form."""
    try:
        card_id = _card_of(staff, ref)
        answered = dt.date.fromisoformat(birth_date)
    except (DomainError, ValueError):
        return _card_page(request, staff, ref, "error.wrong_identity", status=422)
    reference = " ".join(call_reference.split())[:32]
    try:
        new_number = parse_card_number(new_card_number)
    except MalformedNumber:
        return _move_page(request, staff, ref, answered, phone_last4, "error.malformed_number", status=422,
                          key=idempotency_key)
    if not reference:
        return _move_page(request, staff, ref, answered, phone_last4, "error.call_reference", status=422,
                          key=idempotency_key)
    actor = _actor(request, staff)
    body = CallerReplacement(old_card_id=card_id, new_card_number=new_number, birth_date=answered,
                             phone_last4=phone_last4, call_reference=reference)
    try:
        response, done = run_once(
            database(request), actor.device_id or 0, f"console:{staff.id}:{idempotency_key[:64]}", "replacement",
            body, lambda session: replace_card_for_caller(
                session, actor, card_id, new_card_number=new_number, birth_date=answered, phone_last4=phone_last4,
                call_reference=reference),
            ReplacementReceipt)
    except DomainError as refusal:
        write_action(database(request), ActionRecord(Action.REPLACEMENT_REFUSED, actor.device_id, card_id=card_id,
                                                       staff_id=staff.id, detail=refusal.code))
        return _move_page(request, staff, ref, answered, phone_last4, f"error.{refusal.code}",
                          status=status_of(refusal), key=idempotency_key)
    receipt = ReplacementReceipt.model_validate(json.loads(bytes(response.body)))  # the first answer on a replay
    if done is not None:
        request.app.state.metrics.replacements.inc()
    return render(request, "agent_moved.html", {"receipt": receipt, "call_reference": reference}, staff=staff)


@router.post("/card/{ref}/block")
def block(request: Request, staff: PostingAgent, ref: str, confirm: Field = "") -> Response:
    """Blocks a card the caller reports stolen (it may still be replaced later)."""
    if confirm != "yes":
        return _card_page(request, staff, ref, "error.confirm_block", status=422)
    try:
        card_id = _card_of(staff, ref)
        actor = _actor(request, staff)
        with database(request).transaction() as session:
            card = session.get(Card, card_id)
            assert card is not None
            block_card(session, card.number, actor, reference="call centre")
    except DomainError as refusal:
        return _card_page(request, staff, ref, f"error.{refusal.code}", status=status_of(refusal))
    return _card_page(request, staff, ref, "card_blocked", message_kind="ok")


@router.get("/register")
def register_page(request: Request, staff: Agent) -> Response:
    """The customer information form, filled in from what the caller says."""
    return render(request, "agent_register.html", {"form": {}}, staff=staff)


@router.post("/register")
def register_holder(request: Request, staff: PostingAgent, card_number: Field = "", full_name: Field = "",
                    birth_date: Field = "", phone: Field = "", consent: Field = "") -> Response:
    """Registers the holder of a card (central.registration), as a till or an attendant does."""
    form = {"full_name": full_name, "birth_date": birth_date, "phone": phone, "consent": consent == "yes"}
    try:
        body = RegistrationRequest(card_number=card_number.replace(" ", ""), full_name=full_name,
                                   birth_date=birth_date, phone=phone.replace(" ", ""), consent=consent == "yes")
    except ValidationError as invalid:
        field = str(invalid.errors()[0]["loc"][0]) if invalid.errors() else "form"
        return render(request, "agent_register.html", {"form": form, "message": f"error.field.{field}"},
                      status=422, staff=staff)
    actor = _actor(request, staff)
    try:
        with database(request).transaction() as session:
            view = register(session, actor, card_number=body.card_number, full_name=body.full_name,
                            birth_date=body.birth_date, phone=body.phone, consent=body.consent)
            card = find_card(session, body.card_number)
            assert card is not None
            ref = card_ref(staff.session_key, card.id)
    except DomainError as refusal:
        return render(request, "agent_register.html", {"form": form, "message": f"error.{refusal.code}"},
                      status=status_of(refusal), staff=staff)
    request.app.state.metrics.registrations.inc()
    return render(request, "agent_registered.html", {"card": view, "ref": ref}, staff=staff)
