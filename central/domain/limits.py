"""Spending a budget of central.storage.limits before the work it guards."""
from __future__ import annotations

import datetime as dt

from central.domain.errors import RateLimited
from central.storage.db import Database
from central.storage.limits import Budget, Scope, take


def spend(database: Database, scope: Scope, subject: str, budget: Budget, now: dt.datetime, message: str) -> None:
    """Takes one event of ``subject``'s budget in a transaction of its own, committed before the
    caller goes on; else :class:`RateLimited` (``message`` says what was too much)."""
    with database.transaction() as session:
        retry_after = take(session, scope, subject, budget, now)
    if retry_after is not None:
        raise RateLimited(scope.value, retry_after, message)
