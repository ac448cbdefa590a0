"""One log line per request, with card numbers in the path cut to their last four digits.

Uvicorn's own access log is switched off (it would log full numbers from the path).
"""
from __future__ import annotations

import logging
import time

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from central.numbers import mask_digits

log = logging.getLogger("central.access")


class AccessLogMiddleware:
    """Logs ``METHOD masked-path status duration`` for every HTTP request."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def send_and_note(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_and_note)
        finally:
            elapsed_ms = (time.perf_counter() - started) * 1000
            log.info("%s %s %d %.1fms", scope["method"], mask_digits(scope["path"]), status, elapsed_ms)
