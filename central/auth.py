"""Device authentication: the bearer token of every request, checked against its stored hash."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import select

from central.errors import ApiError
from central.models import Device, DeviceKind
from central.tokens import hash_token

_bearer = HTTPBearer(auto_error=False, description="Device token made by `opet-central add-device`.")


@dataclass(frozen=True)
class AuthenticatedDevice:
    """The device behind the request's bearer token."""

    id: int
    kind: DeviceKind
    name: str


def require_device(*kinds: DeviceKind) -> Callable[..., AuthenticatedDevice]:
    """A dependency that admits a valid, unrevoked token of one of ``kinds``."""

    def dependency(
        request: Request, credentials: HTTPAuthorizationCredentials | None = Depends(_bearer)
    ) -> AuthenticatedDevice:
        if credentials is None or credentials.scheme.lower() != "bearer":
            raise ApiError(401, "unauthorized", "a device token is required (Authorization: Bearer ...)")
        database = request.app.state.database
        with database.reader() as session:
            device = session.scalars(
                select(Device).where(Device.token_hash == hash_token(credentials.credentials))
            ).one_or_none()
        if device is None or device.revoked_at is not None:
            raise ApiError(401, "unauthorized", "the device token is unknown or revoked")
        kind = DeviceKind(device.kind)
        if kind not in kinds:
            raise ApiError(403, "forbidden", f"a {kind.value} may not do this")
        return AuthenticatedDevice(device.id, kind, device.name)

    return dependency
