"""What every console page shares: templates, language, the session cookie and CSRF.

- Pages are Jinja2 templates (``templates/``), Turkish first; the language is a cookie set by
  the language link (``/console/language/en``), and every text comes from
  :mod:`central.api.console.texts` in that language.
- The session cookie (:data:`SESSION_COOKIE`) holds a random token the database knows only as
  its SHA-256 (central.domain.console_sessions); it is ``Secure``, ``HttpOnly`` and ``SameSite=Strict``
  and lives only on ``/console``.
- Every form carries a CSRF token: the session's (derived from its stored hash) once signed in,
  and a double-submit cookie (:data:`SIGN_IN_COOKIE`) on the sign-in form. A POST without the
  right one is refused with 403 and changes nothing.
- Card numbers travel only in POST bodies, never in a URL; pages show the last four digits.
"""
from __future__ import annotations

import datetime as dt
import hmac
import secrets
from collections.abc import Callable
from pathlib import Path
from decimal import Decimal
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jinja2 import Environment, FileSystemLoader, select_autoescape

from central.api.console.texts import LANGUAGES, TEXTS, text
from central.api.errors import STATUS_OF
from central.domain.console_sessions import SignedInStaff, resume_session
from central.domain.errors import DomainError
from central.storage.models import StaffRole

PREFIX = "/console"
SESSION_COOKIE = "opk_console"
SIGN_IN_COOKIE = "opk_console_signin"
LANGUAGE_COOKIE = "opk_console_lang"
HERE = Path(__file__).parent
SECURITY_HEADERS = {
    "Content-Security-Policy": ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; "
                                "frame-ancestors 'none'; form-action 'self'; base-uri 'none'"),
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}

_templates = Environment(loader=FileSystemLoader(HERE / "templates"), autoescape=select_autoescape(["html"]),
                         trim_blocks=True, lstrip_blocks=True)
STATION_ZONE = ZoneInfo("Europe/Istanbul")


def points(hundredths: int, lang: str) -> str:
    """Points in hundredths as people read them: ``1.234,56`` in Turkish, ``1,234.56`` in English."""
    text = f"{hundredths / 100:,.2f}"
    return text.translate(str.maketrans(",.", ".,")) if lang == "tr" else text


def when(moment: dt.datetime | None, lang: str) -> str:
    """A time at the stations' clock: ``07.12.2026 18:20`` (Turkish) or ``2026-12-07 18:20`` (English)."""
    if moment is None:
        return "—"
    local = moment.astimezone(STATION_ZONE)
    return local.strftime("%d.%m.%Y %H:%M" if lang == "tr" else "%Y-%m-%d %H:%M")


def day(value: dt.date, lang: str) -> str:
    """A date: ``20.03.2026`` (Turkish) or ``2026-03-20`` (English)."""
    return value.strftime("%d.%m.%Y") if lang == "tr" else value.isoformat()


def percent(rate_ppm: int, lang: str) -> str:
    """A rate in parts per million as people write it: 5000 -> ``%0,5`` (Turkish) or ``0.5%`` (English)."""
    text = f"{Decimal(rate_ppm) / 10_000:f}"
    text = text.rstrip("0").rstrip(".") if "." in text else text
    return f"%{text.replace('.', ',')}" if lang == "tr" else f"{text}%"


_templates.filters.update(points=points, when=when, day=day, percent=percent)


class NotSignedIn(Exception):
    """No live session: the browser is sent to the sign-in page."""


class Refused(Exception):
    """A page or form this browser may not have: a 403 (or other) page saying why."""

    def __init__(self, status: int, message_key: str) -> None:
        super().__init__(message_key)
        self.status = status
        self.message_key = message_key


def language(request: Request) -> str:
    """The page's language: the cookie's, else Turkish."""
    chosen = request.cookies.get(LANGUAGE_COOKIE, "tr")
    return chosen if chosen in LANGUAGES else "tr"


def render(request: Request, template: str, context: dict[str, Any] | None = None, *, status: int = 200,
           staff: SignedInStaff | None = None) -> HTMLResponse:
    """The page ``template`` in the browser's language, with the security headers."""
    lang = language(request)
    translate: Callable[..., str] = lambda key, **values: text(lang, key, **values)  # noqa: E731
    translate_or: Callable[[str, str], str] = lambda key, fallback: text(lang, key) if key in TEXTS else fallback  # noqa: E731
    page = _templates.get_template(template).render(
        request=request, lang=lang, t=translate, t_or=translate_or, staff=staff, path=request.url.path, back=page_to_return_to(request),
        **(context or {}))
    return secure(HTMLResponse(page, status_code=status))


def page_to_return_to(request: Request) -> str:
    """Where the language link comes back to: this page, or after a form the page that shows its form."""
    path = request.url.path
    if request.method == "GET":
        return path
    parts = path.split("/")  # "", "console", "agent", "card", ref, action
    if parts[2:4] == ["agent", "card"] and len(parts) > 5:
        return "/".join(parts[:5])
    if parts[2:4] == ["agent", "find"]:
        return f"{PREFIX}/agent/find"
    return path if path != f"{PREFIX}/sign-out" else f"{PREFIX}/sign-in"


def status_of(refusal: DomainError) -> int:
    """The HTTP status of a domain refusal (the API's mapping), for the page that says it."""
    return next(status for kind, status in STATUS_OF.items() if isinstance(refusal, kind))


def secure(response: Response) -> Response:
    """Adds the console's security headers to ``response``."""
    response.headers.update(SECURITY_HEADERS)
    return response


def redirect(url: str) -> RedirectResponse:
    """303 to ``url`` (after a POST, the browser GETs the next page)."""
    response = RedirectResponse(url, status_code=303)
    secure(response)
    return response


def set_session_cookie(response: Response, token: str) -> None:
    """The session cookie: Secure, HttpOnly, SameSite=Strict, on /console only, gone when the browser closes."""
    response.set_cookie(SESSION_COOKIE, token, path=PREFIX, secure=True, httponly=True, samesite="strict")


def clear_session_cookie(response: Response) -> None:
    """Removes the session cookie."""
    response.delete_cookie(SESSION_COOKIE, path=PREFIX, secure=True, httponly=True, samesite="strict")


def new_sign_in_token() -> str:
    """A fresh double-submit token for the sign-in form."""
    return secrets.token_urlsafe(24)


def set_sign_in_cookie(response: Response, token: str) -> None:
    """The sign-in form's double-submit cookie."""
    response.set_cookie(SIGN_IN_COOKIE, token, path=PREFIX, secure=True, httponly=True, samesite="strict")


def same_token(given: str, expected: str | None) -> bool:
    """Constant-time comparison of a form's token with the expected one (False when none is expected)."""
    return bool(expected) and hmac.compare_digest(given.encode(), str(expected).encode())


def signed_in(request: Request) -> SignedInStaff:
    """Dependency: the account of the browser's live session, else :class:`NotSignedIn`."""
    token = request.cookies.get(SESSION_COOKIE)
    state = request.app.state
    staff = resume_session(state.database, state.settings, token) if token else None
    if staff is None:
        raise NotSignedIn()
    return staff


SignedIn = Annotated[SignedInStaff, Depends(signed_in)]
CsrfField = Annotated[str, Form(alias="csrf_token")]


def posted_by(staff: SignedIn, csrf_token: CsrfField = "") -> SignedInStaff:
    """Dependency of every console POST: the session's account, if the form carries its CSRF token."""
    if not same_token(csrf_token, staff.csrf_token):
        raise Refused(403, "csrf_refused")
    return staff


PostedBy = Annotated[SignedInStaff, Depends(posted_by)]


def require_role(staff: SignedInStaff, role: StaffRole) -> SignedInStaff:
    """``staff`` if they have ``role``, else a 403 page."""
    if staff.role is not role:
        raise Refused(403, "wrong_role")
    return staff


def agent(staff: SignedIn) -> SignedInStaff:
    """Dependency: a signed-in agent."""
    return require_role(staff, StaffRole.AGENT)


def admin(staff: SignedIn) -> SignedInStaff:
    """Dependency: a signed-in admin."""
    return require_role(staff, StaffRole.ADMIN)


def posting_agent(staff: PostedBy) -> SignedInStaff:
    """Dependency: an agent's form with its CSRF token."""
    return require_role(staff, StaffRole.AGENT)


def posting_admin(staff: PostedBy) -> SignedInStaff:
    """Dependency: an admin's form with its CSRF token."""
    return require_role(staff, StaffRole.ADMIN)


Agent = Annotated[SignedInStaff, Depends(agent)]
Admin = Annotated[SignedInStaff, Depends(admin)]
PostingAgent = Annotated[SignedInStaff, Depends(posting_agent)]
PostingAdmin = Annotated[SignedInStaff, Depends(posting_admin)]
