"""The error shape ``{"error": {"code", "message"}}``, its OpenAPI models and its handlers.

Validation errors name the field and the rule, never the value that was sent.
"""
from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from central.errors import ApiError

log = logging.getLogger("central.errors")


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
