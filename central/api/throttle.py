"""Spending a budget of central.storage.limits within a request (central.domain.limits)."""
from __future__ import annotations

from fastapi import Request

from central.api.deps import database
from central.domain.limits import spend as spend_budget
from central.storage.limits import Budget, Scope


def spend(request: Request, scope: Scope, subject: str, budget: Budget, message: str) -> None:
    """Takes one event of ``subject``'s budget before the request's work; else 429 ``rate_limited``."""
    spend_budget(database(request), scope, subject, budget, request.app.state.settings.clock(), message)
