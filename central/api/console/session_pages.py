"""Sign-in, sign-out, the home page and the language link."""
from __future__ import annotations

import math
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from central.api.console.web import (
    LANGUAGE_COOKIE,
    PREFIX,
    SESSION_COOKIE,
    SIGN_IN_COOKIE,
    PostedBy,
    SignedIn,
    clear_session_cookie,
    new_sign_in_token,
    redirect,
    render,
    same_token,
    set_session_cookie,
    set_sign_in_cookie,
)
from central.api.console.texts import LANGUAGES
from central.domain.console_accounts import SignInRefused, sign_in
from central.domain.console_sessions import end_session, open_session, resume_session

router = APIRouter(prefix=PREFIX, include_in_schema=False)


def _sign_in_page(request: Request, message: str | None = None, *, status: int = 200,
                  message_values: dict[str, object] | None = None, username: str = "") -> Response:
    token = new_sign_in_token()
    response = render(request, "sign_in.html", {
        "sign_in_token": token, "message": message, "message_values": message_values or {}, "username": username,
    }, status=status)
    set_sign_in_cookie(response, token)
    return response


@router.get("")
def console_root(request: Request) -> Response:
    """The home page when signed in, else the sign-in page."""
    state = request.app.state
    token = request.cookies.get(SESSION_COOKIE)
    if token and resume_session(state.database, state.settings, token) is not None:
        return redirect(f"{PREFIX}/home")
    return redirect(f"{PREFIX}/sign-in")


@router.get("/sign-in")
def sign_in_page(request: Request, ended: bool = False, signed_out: bool = False) -> Response:
    """The sign-in form."""
    message = "session_ended" if ended else "signed_out" if signed_out else None
    return _sign_in_page(request, message)


@router.post("/sign-in")
def sign_in_form(
    request: Request,
    username: Annotated[str, Form(max_length=200)] = "",
    password: Annotated[str, Form(max_length=200)] = "",
    csrf_token: Annotated[str, Form(max_length=100)] = "",
) -> Response:
    """Checks the password (charged to the username's lockout first) and opens a session."""
    if not same_token(csrf_token, request.cookies.get(SIGN_IN_COOKIE)):
        return _sign_in_page(request, "csrf_refused", status=403)
    state = request.app.state
    try:
        account = sign_in(state.database, state.settings, username, password)
    except SignInRefused as refused:
        if refused.locked_for is not None:
            return _sign_in_page(request, "sign_in_locked", status=403, username=username,
                                 message_values={"minutes": math.ceil(refused.locked_for / 60)})
        return _sign_in_page(request, "sign_in_wrong", status=401, username=username,
                             message_values={"left": refused.attempts_left})
    response = redirect(f"{PREFIX}/home")
    set_session_cookie(response, open_session(state.database, state.settings, account.id))
    response.delete_cookie(SIGN_IN_COOKIE, path=PREFIX)
    return response


@router.post("/sign-out")
def sign_out(request: Request, _staff: PostedBy) -> Response:
    """Ends the session and clears its cookie."""
    state = request.app.state
    end_session(state.database, state.settings, request.cookies.get(SESSION_COOKIE, ""))
    response = redirect(f"{PREFIX}/sign-in?signed_out=1")
    clear_session_cookie(response)
    return response


@router.get("/home")
def home(request: Request, staff: SignedIn) -> Response:
    """What this role can do."""
    return render(request, "home.html", staff=staff)


@router.get("/language/{lang}")
def choose_language(lang: str, back: str = PREFIX) -> Response:
    """Sets the console's language and goes back to the page (only a console page)."""
    if not back.startswith(PREFIX + "/") and back != PREFIX:
        back = PREFIX
    response = redirect(back)
    if lang in LANGUAGES:
        response.set_cookie(LANGUAGE_COOKIE, lang, path=PREFIX, secure=True, httponly=True, samesite="lax",
                            max_age=365 * 24 * 3600)
    return response
