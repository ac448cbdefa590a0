"""The domain's refusals: a rule says no with one of these, never with an HTTP status.

Each carries the error code of ``opetcard.errors`` (what clients read) and a sentence for
people; messages never echo request values, which may hold a full card number. Which HTTP
status each kind becomes is decided once, in ``central.api.errors``.
"""
from __future__ import annotations


class DomainError(Exception):
    """A refusal: ``code``, ``message``, and for some codes documented extra fields."""

    def __init__(self, code: str, message: str, *, retry_after: int | None = None,
                 extra: dict[str, int] | None = None) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.retry_after = retry_after
        """Seconds until trying again may succeed (rate limits and lockouts)."""
        self.extra = extra or {}


class Invalid(DomainError):
    """The request breaks a rule of its own content (a date in the future, the same card twice...)."""


class NotFound(DomainError):
    """What the request names does not exist (or is not the caller's to see)."""


class Conflict(DomainError):
    """The request is well-formed but the state of things refuses it."""


class Unauthenticated(DomainError):
    """Who is asking could not be established (wrong PIN, ended session, no attendant)."""


class Forbidden(DomainError):
    """Who is asking is known but may not do this (now)."""


class RateLimited(DomainError):
    """A budget of central.storage.limits is spent; ``limit`` names it."""

    def __init__(self, limit: str, retry_after: int, message: str) -> None:
        super().__init__("rate_limited", message, retry_after=retry_after)
        self.limit = limit
