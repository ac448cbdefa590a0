"""Per-request log line and metrics, with card numbers and UIDs in paths cut to their last four.

Uvicorn's own access log is switched off (it would log full numbers and UIDs from the path).
"""
from __future__ import annotations

import logging
import sys
import time

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from central.metrics import Metrics
from central.numbers import mask_path

log = logging.getLogger("central.access")


def configure_logging() -> None:
    """INFO and up to stderr, one line each (every command, and every ``serve --workers`` process)."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s", stream=sys.stderr)


class RequestObserver:
    """Logs ``METHOD masked-path status duration`` and counts it by route template."""

    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

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
            elapsed = time.perf_counter() - started
            route = getattr(scope.get("route"), "path", "unmatched")
            method = scope["method"]
            self.metrics.requests.labels(method, route, str(status)).inc()
            self.metrics.latency.labels(method, route).observe(elapsed)
            log.info("%s %s %d %.1fms", method, mask_path(scope["path"]), status, elapsed * 1000)
