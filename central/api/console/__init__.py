"""The web console of the call centre and head office: server-rendered pages under ``/console``.

Every action is a call of the same domain functions the API and the CLI use; the console adds
no rule of its own. :func:`install` adds its routes, static files and error pages to the app.
"""
from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import Response
from fastapi.staticfiles import StaticFiles

from central.api.console import admin, agent, session_pages
from central.api.console.web import HERE, PREFIX, NotSignedIn, Refused, clear_session_cookie, redirect, render


def install(app: FastAPI) -> None:
    """Adds the console to ``app``."""
    app.include_router(session_pages.router)
    app.include_router(agent.router)
    app.include_router(admin.router)
    app.mount(f"{PREFIX}/static", StaticFiles(directory=HERE / "static"), name="console-static")

    @app.exception_handler(NotSignedIn)
    async def _not_signed_in(_request: Request, _exc: NotSignedIn) -> Response:
        response = redirect(f"{PREFIX}/sign-in?ended=1")
        clear_session_cookie(response)
        return response

    @app.exception_handler(Refused)
    async def _refused(request: Request, exc: Refused) -> Response:
        return render(request, "refused.html", {"message_key": exc.message_key}, status=exc.status)
