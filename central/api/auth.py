"""Device authentication: the bearer token of every request, checked against its stored hash.

The check is one indexed read awaited by the event loop (central.storage.loop_reads: an async
connection on PostgreSQL, the reads' own thread on SQLite), made on every request: nothing is cached, so a revoked token (``opet-central revoke-device``) is
refused from the next request on, by every worker process.
"""
from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from central.api.errors import ApiError
from central.domain.tokens import hash_token
from central.storage.loop_reads import DeviceRow, LoopReader
from central.storage.models import DeviceKind

_bearer = HTTPBearer(auto_error=False, description="Device token made by `opet-central add-device`.")
BEARER_SECURITY = {"security": [{_bearer.scheme_name: []}]}
"""``openapi_extra`` of a route that uses :func:`bearer_token_hash` instead of depending on :func:`require_device`."""


@dataclass(frozen=True)
class AuthenticatedDevice:
    """The device behind the request's bearer token."""

    id: int
    kind: DeviceKind
    name: str


def _missing_token() -> ApiError:
    return ApiError(401, "unauthorized", "a device token is required (Authorization: Bearer ...)")


def admit(device: DeviceRow | None, kinds: tuple[DeviceKind, ...]) -> AuthenticatedDevice:
    """The device found by a token's hash if it is unrevoked and of one of ``kinds``; else 401 or 403."""
    if device is None or device.revoked:
        raise ApiError(401, "unauthorized", "the device token is unknown or revoked")
    kind = DeviceKind(device.kind)
    if kind not in kinds:
        raise ApiError(403, "forbidden", f"a {kind.value} may not do this")
    return AuthenticatedDevice(device.id, kind, device.name)


def require_device(*kinds: DeviceKind) -> Callable[..., Awaitable[AuthenticatedDevice]]:
    """A dependency that admits a valid, unrevoked token of one of ``kinds``."""

    async def dependency(
        request: Request, credentials: HTTPAuthorizationCredentials | None = Depends(_bearer)
    ) -> AuthenticatedDevice:
        if credentials is None or credentials.scheme.lower() != "bearer":
            raise _missing_token()
        reads: LoopReader = request.app.state.loop_reads
        return admit(await reads.device(hash_token(credentials.credentials)), kinds)

    return dependency


def bearer_token_hash(request: Request) -> str:
    """The hash of the request's bearer token, or 401: for a route that reads its device itself.

    The balance look-ups, the service's hottest routes, read the device and the card in one
    statement (``LoopReader.device_and_card``) and :func:`admit` the device from it, instead of
    depending on :func:`require_device`. Such a route documents its security with
    :data:`BEARER_SECURITY`.
    """
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        raise _missing_token()
    return hash_token(token)
