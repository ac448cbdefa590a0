"""The one error of the API: raise :class:`ApiError` anywhere in a request.

It becomes ``{"error": {"code", "message"}}`` (see central.error_handlers), plus the
documented optional fields of ``extra``. Messages never echo request values: a request may
hold a full card number.
"""
from __future__ import annotations


class ApiError(Exception):
    """Raised anywhere in a request to answer with ``status`` and the error shape."""

    def __init__(
        self, status: int, code: str, message: str, headers: dict[str, str] | None = None,
        extra: dict[str, int] | None = None,
    ) -> None:
        super().__init__(f"{code}: {message}")
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers
        self.extra = extra or {}
