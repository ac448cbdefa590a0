"""Per-request log line and metrics, with card numbers and UIDs in paths cut to their last four.

Every request is counted and timed in the metrics. A log line is written for what an operator
acts on: every request that changes something (not GET or HEAD), every failure (status 400
and up) and every request slower than :data:`SLOW_REQUEST_S`. Successful reads are only
counted unless ``log_every_request`` is set: at the fleet's rate (1,500 look-ups a second) a
line each would be 130 million lines a day, and journald's default rate limit (10,000 lines
in 30 s) would drop the lines that matter with them.

Uvicorn's own access log is switched off (it would log full numbers and UIDs from the path).
"""
from __future__ import annotations

import logging
import sys
import time

from prometheus_client.metrics import Counter, Histogram
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from central.api.metrics import Metrics
from central.domain.numbers import mask_path

log = logging.getLogger("central.access")

SLOW_REQUEST_S = 1.0
_READS = frozenset({"GET", "HEAD"})


def configure_logging() -> None:
    """INFO and up to stderr, one line each (every command, and every ``serve --workers`` process)."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s", stream=sys.stderr)


class RequestObserver:
    """Counts and times every request by route template; logs ``METHOD masked-path status duration``."""

    def __init__(self, app: ASGIApp, metrics: Metrics, log_every_request: bool = False) -> None:
        self.app = app
        self.metrics = metrics
        self.log_every_request = log_every_request
        self._counters: dict[tuple[str, str, int], Counter] = {}
        self._timers: dict[tuple[str, str], Histogram] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500
        observed = False

        def observe() -> None:
            nonlocal observed
            observed = True
            elapsed = time.perf_counter() - started
            route = getattr(scope.get("route"), "path", "unmatched")
            method = scope["method"]
            self._counter(method, route, status).inc()
            self._timer(method, route).observe(elapsed)
            if self.log_every_request or status >= 400 or method not in _READS or elapsed >= SLOW_REQUEST_S:
                log.info("%s %s %d %.1fms", method, mask_path(scope["path"]), status, elapsed * 1000)

        async def send_and_note(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            elif message["type"] == "http.response.body" and not message.get("more_body", False):
                # Noted before the last byte leaves: whoever holds the answer finds its log line.
                observe()
            await send(message)

        try:
            await self.app(scope, receive, send_and_note)
        finally:
            if not observed:  # the app failed or the client left before the answer was complete
                observe()

    def _counter(self, method: str, route: str, status: int) -> Counter:
        # prometheus_client's labels() costs more than the rest of this observer: children are kept.
        key = (method, route, status)
        counter = self._counters.get(key)
        if counter is None:
            counter = self._counters[key] = self.metrics.requests.labels(method, route, str(status))
        return counter

    def _timer(self, method: str, route: str) -> Histogram:
        key = (method, route)
        timer = self._timers.get(key)
        if timer is None:
            timer = self._timers[key] = self.metrics.latency.labels(method, route)
        return timer
