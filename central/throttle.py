"""Spending a budget of central.limits within a request: 429 ``rate_limited`` when it is spent."""
from __future__ import annotations

from fastapi import Request

from central.deps import database
from central.errors import ApiError
from central.limits import Budget, Scope, take


def rate_limited(request: Request, limit: str, retry_after: int, message: str) -> ApiError:
    """429 ``rate_limited`` with ``Retry-After``, counted in /metrics under ``limit``."""
    request.app.state.metrics.rate_limited.labels(limit).inc()
    return ApiError(429, "rate_limited", message, headers={"Retry-After": str(retry_after)})


def spend(request: Request, scope: Scope, subject: str, budget: Budget, message: str) -> None:
    """Takes one event of ``subject``'s budget in a transaction of its own, committed before the
    caller goes on; else raises 429 (``message`` says what was too much)."""
    with database(request).transaction() as session:
        retry_after = take(session, scope, subject, budget, request.app.state.settings.clock())
    if retry_after is not None:
        raise rate_limited(request, scope.value, retry_after, message)
