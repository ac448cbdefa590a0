"""Errors over HTTP: the error shape ``{"error": {"code", "message"}}``, its OpenAPI models, the
one mapping of domain refusals (central.domain.errors) to HTTP statuses, and the handlers.

The API raises :class:`ApiError` for what only HTTP knows (a malformed path, a missing token);
the domain raises its own errors, mapped here by kind. Validation errors name the field and the
rule, never the value that was sent; messages never echo request values.
"""
from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from central.domain.errors import (
    Conflict,
    DomainError,
    Forbidden,
    Invalid,
    NotFound,
    RateLimited,
    Unauthenticated,
)

log = logging.getLogger("central.errors")

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


class ErrorDetail(BaseModel):
    """A machine-readable code and a sentence for people; some codes add a field (omitted otherwise)."""

    code: str
    message: str
    attempts_left: int | None = Field(
        default=None, description="bad_attendant_pin: wrong PINs left before the code is locked (unknown codes count alike)")
    retry_after_seconds: int | None = Field(
        default=None, description="attendant_locked: seconds until the lockout ends (also in Retry-After)")


class ErrorBody(BaseModel):
    """Every non-2xx response body."""

    error: ErrorDetail



def error_response(
    status: int, code: str, message: str, headers: dict[str, str] | None = None, extra: dict[str, int] | None = None
) -> JSONResponse:
    """A JSON response in the error shape (fields of ``extra`` added to ``error``)."""
    body = ErrorBody(error=ErrorDetail(code=code, message=message, **(extra or {})))
    return JSONResponse(body.model_dump(exclude_none=True), status_code=status, headers=headers)


def error_responses(*statuses: int) -> dict[int | str, dict[str, object]]:
    """OpenAPI ``responses`` entries documenting the error shape for ``statuses``."""
    return {status: {"model": ErrorBody} for status in statuses}

STATUS_OF: dict[type[DomainError], int] = {
    Invalid: 422, NotFound: 404, Conflict: 409, Unauthenticated: 401, Forbidden: 403, RateLimited: 429,
}
"""The HTTP status of each kind of domain refusal (the only place that decides it)."""


def domain_response(request: Request, exc: DomainError) -> JSONResponse:
    """The answer to a domain refusal: its status, code, extra fields and ``Retry-After``."""
    status = next(status for kind, status in STATUS_OF.items() if isinstance(exc, kind))
    if isinstance(exc, RateLimited):
        request.app.state.metrics.rate_limited.labels(exc.limit).inc()
    headers = {"Retry-After": str(exc.retry_after)} if exc.retry_after is not None else None
    return error_response(status, exc.code, exc.message, headers, exc.extra)


def _describe_validation(exc: RequestValidationError) -> str:
    parts = []
    for error in exc.errors():
        location = ".".join(str(item) for item in error.get("loc", ()) if item not in ("body",)) or "body"
        parts.append(f"{location}: {error.get('msg', 'invalid')}")
    return "; ".join(parts) or "invalid request"


_HTTP_CODES = {404: "not_found", 405: "method_not_allowed", 401: "unauthorized", 403: "forbidden"}


def install_error_handlers(app: FastAPI) -> None:
    """Route every failure, including unexpected ones, to the error shape."""

    @app.exception_handler(ApiError)
    async def _api_error(_request: Request, exc: ApiError) -> JSONResponse:
        return error_response(exc.status, exc.code, exc.message, exc.headers, exc.extra)

    @app.exception_handler(DomainError)
    async def _domain_error(request: Request, exc: DomainError) -> JSONResponse:
        return domain_response(request, exc)

    @app.exception_handler(RequestValidationError)
    async def _validation(_request: Request, exc: RequestValidationError) -> JSONResponse:
        return error_response(422, "invalid_request", _describe_validation(exc))

    @app.exception_handler(StarletteHTTPException)
    async def _http(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = _HTTP_CODES.get(exc.status_code, "http_error")
        message = exc.detail if isinstance(exc.detail, str) else "request failed"
        return error_response(exc.status_code, code, message, getattr(exc, "headers", None))

    @app.exception_handler(Exception)
    async def _unexpected(_request: Request, exc: Exception) -> JSONResponse:
        log.error("unexpected %s", type(exc).__name__, exc_info=exc)
        return error_response(500, "internal_error", "the service failed; the request had no effect")
