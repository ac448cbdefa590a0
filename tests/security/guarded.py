"""A service with small budgets and a frozen clock, on SQLite and on PostgreSQL, for the attacks
on limits: a test spends a budget in a few requests and moves the clock to see it come back.

Each test makes its own devices, cards and attendant codes, so the budgets of one test are
never those of another (they share the service, and its clock only ever moves forward).
"""
from __future__ import annotations

import contextlib
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest

from tests.central.conftest import Api, admin, make_api
from tests.rigs.central import running_central

TYPED_PER_MINUTE = 3
TAPPED_PER_MINUTE = 5
ACTIVATIONS_PER_HOUR = 3
SMS_PER_SENDER_PER_HOUR = 4
SIGNIN_FAILURES_PER_DEVICE = 4
PIN_MAX_FAILURES = 5
PIN_LOCKOUT_S = 900
ATTENDANT_LOOKUPS_PER_HOUR = 6

SMALL_BUDGETS = (
    "--typed-lookups-per-minute", str(TYPED_PER_MINUTE), "--tapped-lookups-per-minute", str(TAPPED_PER_MINUTE),
    "--activation-failures-per-hour", str(ACTIVATIONS_PER_HOUR),
    "--sms-per-sender-per-hour", str(SMS_PER_SENDER_PER_HOUR),
    "--signin-failures-per-device-per-hour", str(SIGNIN_FAILURES_PER_DEVICE),
    "--pin-max-failures", str(PIN_MAX_FAILURES), "--pin-lockout", str(PIN_LOCKOUT_S),
    "--attendant-lookups-per-hour", str(ATTENDANT_LOOKUPS_PER_HOUR),
)


@dataclass
class Guarded:
    """The service with small budgets (``api``: its tokens and attendant, as in tests/central)."""

    api: Api

    @property
    def base_url(self) -> str:
        return self.api.service.base_url

    def device(self, kind: str = "kiosk") -> str:
        """A new device's token."""
        return admin(self.api.service, "add-device", "--kind", kind, "--name", f"{kind}-{uuid.uuid4().hex[:6]}")

    def attendant(self, pin: str) -> str:
        """A new attendant's code."""
        code = f"att-{uuid.uuid4().hex[:8]}"
        admin(self.api.service, "add-attendant", "--code", code, "--name", "Hedef Görevli", stdin=pin + "\n")
        return code

    def sign_in(self, http: httpx.Client, token: str, code: str, pin: str) -> httpx.Response:
        return http.post(f"{self.base_url}/v1/attendant-sessions", json={"code": code, "pin": pin},
                         headers={"Authorization": f"Bearer {token}"})

    def advance_clock(self, seconds: float) -> None:
        self.api.service.advance_clock(seconds)


BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


@pytest.fixture(scope="session", params=BACKENDS)
def guarded(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Guarded]:
    """The real service with :data:`SMALL_BUDGETS` and a frozen clock, on SQLite, then PostgreSQL."""
    workdir = tmp_path_factory.mktemp(f"guarded-{request.param}")
    if request.param == "postgres":
        url = request.getfixturevalue("postgres_server").new_database("guarded")
    else:
        url = f"sqlite:///{workdir / 'central.db'}"
    with contextlib.ExitStack() as stack:
        service = stack.enter_context(running_central(url, workdir, serve_args=SMALL_BUDGETS, frozen_clock=True))
        api = make_api(service, request.param)
        stack.callback(api.http.close)
        yield Guarded(api)
