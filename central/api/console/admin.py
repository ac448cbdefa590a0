"""Head office's pages: the kiosk fleet, attendants, console accounts, the audit, the earn rates.

Each change is a call of the domain function the CLI runs too (
central.domain.staff, central.domain.console_accounts, central.domain.earning), with the admin named
in the audit. A new PIN or password
is made here at random and shown once, on the answer to the form; it is stored only hashed.
"""
from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Callable
from typing import Annotated, TypeVar

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from central.api.console.web import PREFIX, Admin, PostingAdmin, render
from central.api.deps import database
from central.domain.audit import AuditQuery, search_actions
from central.domain.cards import card_events
from central.domain.console_accounts import StaffError, add_staff, disable_staff, list_staff, reset_password, unlock_staff
from central.domain.console_sessions import SignedInStaff
from central.domain.earning import add_earn_rule, in_force_on, list_earn_rules, station_date
from central.domain.errors import DomainError
from central.domain.fleet import KioskState, fleet_health
from central.domain.numbers import MalformedNumber, parse_card_number
from central.domain.staff import add_attendant, disable_attendant, list_attendants, new_pin, set_pin, unlock_attendant
from central.storage.cards import find_card
from central.storage.models import FuelType, StaffRole

router = APIRouter(prefix=f"{PREFIX}/admin", include_in_schema=False)
Field = Annotated[str, Form(max_length=200)]
T = TypeVar("T")
FLEET_REFRESH_SECONDS = 15
_STATE_ORDER = {KioskState.SILENT: 0, KioskState.UNHEALTHY: 1, KioskState.HEALTHY: 2}


def now(request: Request) -> dt.datetime:
    """The service's time (``Settings.clock``)."""
    return request.app.state.settings.clock()


def _change(request: Request, change: Callable[[Session], T]) -> T:
    with database(request).transaction() as session:
        return change(session)


def _fleet(request: Request) -> list[object]:
    settings = request.app.state.settings
    with database(request).reader() as session:
        kiosks = fleet_health(session, settings.clock(), settings.kiosk_silent_after)
    return sorted(kiosks, key=lambda kiosk: (_STATE_ORDER[kiosk.state], kiosk.name))


@router.get("/fleet")
def fleet_page(request: Request, staff: Admin) -> Response:
    """Every kiosk, silent ones first in red; the page refreshes its table every few seconds."""
    settings = request.app.state.settings
    return render(request, "admin_fleet.html", {
        "kiosks": _fleet(request), "refresh_seconds": FLEET_REFRESH_SECONDS,
        "silent_minutes": int(settings.kiosk_silent_after.total_seconds() // 60), "now": settings.clock(),
    }, staff=staff)


@router.get("/fleet/rows")
def fleet_rows(request: Request, staff: Admin) -> Response:
    """The fleet table's body alone (what the page's script swaps in)."""
    return render(request, "admin_fleet_rows.html", {"kiosks": _fleet(request), "now": request.app.state.settings.clock()},
                  staff=staff)


def _attendants_page(request: Request, staff: SignedInStaff, message: str | None = None, *, status: int = 200,
                     message_kind: str = "error", shown_once: dict[str, str] | None = None) -> Response:
    with database(request).reader() as session:
        attendants = list_attendants(session, request.app.state.settings.clock())
    return render(request, "admin_attendants.html", {
        "attendants": attendants, "message": message, "message_kind": message_kind, "shown_once": shown_once,
    }, status=status, staff=staff)


@router.get("/attendants")
def attendants_page(request: Request, staff: Admin) -> Response:
    """Attendants, with a form to add one and buttons to disable, unlock or give a new PIN."""
    return _attendants_page(request, staff)


@router.post("/attendants")
def attendants_form(request: Request, staff: PostingAdmin, action: Field = "", code: Field = "",
                    name: Field = "") -> Response:
    """One change to an attendant: ``add``, ``disable``, ``unlock`` or ``new_pin``."""
    code = code.strip()
    try:
        if action == "add":
            pin = new_pin()
            _change(request, lambda session: add_attendant(session, code, name, pin, staff.id))
            return _attendants_page(request, staff, "attendant.added", message_kind="ok",
                                    shown_once={"code": code, "pin": pin})
        if action == "new_pin":
            pin = new_pin()
            _change(request, lambda session: set_pin(session, code, pin, now(request), staff.id))
            return _attendants_page(request, staff, "attendant.new_pin", message_kind="ok",
                                    shown_once={"code": code, "pin": pin})
        if action == "disable":
            _change(request, lambda session: disable_attendant(session, code, now(request), staff.id))
            return _attendants_page(request, staff, "attendant.disabled", message_kind="ok")
        if action == "unlock":
            _change(request, lambda session: unlock_attendant(session, code, staff.id))
            return _attendants_page(request, staff, "attendant.unlocked", message_kind="ok")
    except DomainError:
        return _attendants_page(request, staff, "error.attendant_form", status=422)
    return _attendants_page(request, staff, "error.attendant_form", status=422)


def _staff_page(request: Request, staff: SignedInStaff, message: str | None = None, *, status: int = 200,
                message_kind: str = "error", shown_once: dict[str, str] | None = None) -> Response:
    with database(request).reader() as session:
        accounts = list_staff(session)
    return render(request, "admin_staff.html", {
        "accounts": accounts, "message": message, "message_kind": message_kind, "shown_once": shown_once,
        "roles": [role.value for role in StaffRole],
    }, status=status, staff=staff)


def _new_password() -> str:
    return secrets.token_urlsafe(12)


@router.get("/staff")
def staff_page(request: Request, staff: Admin) -> Response:
    """Console accounts (agents and admins), with a form to add one and buttons to disable, unlock or reset."""
    return _staff_page(request, staff)


@router.post("/staff")
def staff_form(request: Request, staff: PostingAdmin, action: Field = "", username: Field = "", name: Field = "",
               role: Field = "") -> Response:
    """One change to a console account: ``add``, ``disable``, ``unlock`` or ``reset``."""
    try:
        if action == "add":
            password = _new_password()
            account_role = StaffRole(role) if role in {r.value for r in StaffRole} else None
            if account_role is None:
                raise StaffError("no such role")
            _change(request, lambda session: add_staff(session, username, name, account_role, password, staff.id))
            return _staff_page(request, staff, "staff.added", message_kind="ok",
                               shown_once={"username": username.strip().casefold(), "password": password})
        if action == "reset":
            password = _new_password()
            _change(request, lambda session: reset_password(session, username, password, staff.id))
            return _staff_page(request, staff, "staff.reset", message_kind="ok",
                               shown_once={"username": username, "password": password})
        if action == "disable" and username.casefold() != staff.username:
            _change(request, lambda session: disable_staff(session, username, staff.id))
            return _staff_page(request, staff, "staff.disabled", message_kind="ok")
        if action == "unlock":
            _change(request, lambda session: unlock_staff(session, username, staff.id))
            return _staff_page(request, staff, "staff.unlocked", message_kind="ok")
    except DomainError:
        return _staff_page(request, staff, "error.staff_form", status=422)
    return _staff_page(request, staff, "error.staff_form", status=422)


def _day(text: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text) if text else None
    except ValueError:
        return None


def _audit_page(request: Request, staff: SignedInStaff, query: AuditQuery | None = None,
                message: str | None = None, *, status: int = 200, form: dict[str, str] | None = None,
                number: str | None = None) -> Response:
    with database(request).reader() as session:
        rows = search_actions(session, query or AuditQuery())
        events = card_events(session, number, 100) if number is not None else None
    return render(request, "admin_audit.html", {"rows": rows, "events": events, "message": message,
                                                "form": form or {}}, status=status, staff=staff)


@router.get("/audit")
def audit_page(request: Request, staff: Admin) -> Response:
    """The newest staff actions, and the search form."""
    return _audit_page(request, staff)


@router.post("/audit")
def audit_search(request: Request, staff: PostingAdmin, card_number: Field = "", staff_member: Field = "",
                 since: Field = "", until: Field = "") -> Response:
    """Searches by card (the full number only as input, in the POST body), by staff member, by dates."""
    form = {"staff_member": staff_member, "since": since, "until": until}
    card_id, number = None, None
    if card_number.strip():
        try:
            number = parse_card_number(card_number)
        except MalformedNumber:
            return _audit_page(request, staff, None, "error.malformed_number", status=422, form=form)
        with database(request).reader() as session:
            card = find_card(session, number)
            card_id = card.id if card is not None else None
        if card_id is None:
            return _audit_page(request, staff, None, "error.unknown_card", status=404, form=form)
        form["card_last4"] = number[-4:]
    first, last = _day(since), _day(until)
    if (since and first is None) or (until and last is None):
        return _audit_page(request, staff, None, "error.audit_dates", status=422, form=form)
    zone = dt.timezone(dt.timedelta(hours=3))  # the stations' dates (Türkiye is UTC+3 all year)
    query = AuditQuery(
        card_id=card_id, staff=staff_member.strip() or None,
        since=dt.datetime.combine(first, dt.time(), zone) if first else None,
        until=dt.datetime.combine(last + dt.timedelta(days=1), dt.time(), zone) if last else None,
    )
    return _audit_page(request, staff, query, form=form, number=number)


def _rules_page(request: Request, staff: SignedInStaff, message: str | None = None, *, status: int = 200,
                message_kind: str = "error") -> Response:
    today = station_date(request.app.state.settings.clock())
    with database(request).reader() as session:
        rules = list_earn_rules(session)
    in_force = in_force_on(rules, today)
    return render(request, "admin_earn_rules.html", {
        "rules": rules, "in_force": in_force, "today": today, "fuel_types": [fuel.value for fuel in FuelType], "message": message,
        "message_kind": message_kind,
    }, status=status, staff=staff)


@router.get("/earn-rules")
def earn_rules_page(request: Request, staff: Admin) -> Response:
    """The rates in force and every rate by date, with a form for a new rate from a date."""
    return _rules_page(request, staff)


@router.post("/earn-rules")
def earn_rules_form(request: Request, staff: PostingAdmin, fuel_type: Field = "", rate_percent: Field = "",
                    effective_from: Field = "") -> Response:
    """A new rate from a date (``add-earn-rule``)."""
    start = _day(effective_from)
    if fuel_type not in {fuel.value for fuel in FuelType} or start is None:
        return _rules_page(request, staff, "error.earn_rule", status=422)
    rate = rate_percent.strip().replace(",", ".")  # a Turkish decimal comma as typed
    try:
        _change(request, lambda session: add_earn_rule(session, FuelType(fuel_type), rate, start, staff.id))
    except DomainError:
        return _rules_page(request, staff, "error.earn_rule", status=422)
    return _rules_page(request, staff, "earn_rule.added", message_kind="ok")
