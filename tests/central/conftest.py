"""Fixtures for the central service tests: the running service on SQLite and on PostgreSQL."""
from __future__ import annotations

import contextlib
import datetime as dt
import io
import random
import re
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest

from central import cli
from opetcard.numbers import luhn_valid
from tests.rigs.central import CentralService, running_central

ATTENDANT_PIN = "4821"
_rng = random.SystemRandom()


def new_card_number() -> str:
    """A random Luhn-valid number in the demo range (700007…), unused with overwhelming odds."""
    body = "700007" + "".join(str(_rng.randrange(10)) for _ in range(9))
    return next(body + str(check) for check in range(10) if luhn_valid(body + str(check)))


_CARD_REF = re.compile(r"(?<![0-9A-Za-z])\d+\.[0-9a-f]{24}(?![0-9A-Za-z])")
_SIXTEEN_DIGITS = re.compile(r"(?<!\d)\d{16}(?!\d)")


def sixteen_digit_runs(text: str) -> list[str]:
    """Every run of 16 digits in ``text`` (a full card number would be one), card refs left out:
    a ref's 24-hex-digit HMAC holds such a run by chance in about one ref of two hundred."""
    return _SIXTEEN_DIGITS.findall(_CARD_REF.sub("", text))


def station_now() -> str:
    """The current time with the station's offset, as a till sends it."""
    return dt.datetime.now(dt.timezone(dt.timedelta(hours=3))).isoformat()


@dataclass
class Api:
    """An HTTP client for one running service with a kiosk, a till, an SMS gateway and an operations token."""

    service: CentralService
    till_token: str
    gateway_token: str
    """The SMS gateway's (kind ``sms_gateway``): it may only post to ``/v1/sms/inbound``."""
    operations_token: str
    attendant_code: str
    backend: str

    def __post_init__(self) -> None:
        self.http = httpx.Client(base_url=self.service.base_url, timeout=30)

    def _auth(self, token: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {token}"}

    def card(self, number: str, entry: str = "tapped") -> httpx.Response:
        return self.http.get(f"/v1/cards/{number}", params={"entry": entry}, headers=self._auth(self.till_token))

    def pots(self, number: str) -> dict[str, int]:
        response = self.card(number)
        assert response.status_code == 200, response.text
        return response.json()["pots"]

    def sale(self, number: str, amount: int, fuel_type: str = "benzin", key: str | None = None,
             sold_at: str | None = None) -> httpx.Response:
        body = {"card_number": number, "fuel_type": fuel_type, "amount": amount, "station": "IST-001",
                "sold_at": sold_at or station_now()}
        headers = {**self._auth(self.till_token), "Idempotency-Key": key or uuid.uuid4().hex}
        return self.http.post("/v1/sales", json=body, headers=headers)

    def redeem(self, number: str, points: int, fuel_type: str = "benzin", key: str | None = None,
               redeemed_at: str | None = None) -> httpx.Response:
        body = {"card_number": number, "fuel_type": fuel_type, "points": points, "station": "IST-001",
                "redeemed_at": redeemed_at or station_now()}
        headers = {**self._auth(self.till_token), "Idempotency-Key": key or uuid.uuid4().hex}
        return self.http.post("/v1/redemptions", json=body, headers=headers)

    def register(self, number: str, full_name: str, birth_date: str, phone: str = "+905321234567") -> httpx.Response:
        body = {"card_number": number, "full_name": full_name, "birth_date": birth_date, "phone": phone,
                "consent": True}
        return self.http.post("/v1/registrations", json=body, headers=self._auth(self.till_token))

    def activate(self, number: str, full_name: str, birth_date: str) -> httpx.Response:
        return self.http.post(f"/v1/cards/{number}/activation", json={"full_name": full_name, "birth_date": birth_date},
                              headers=self._auth(self.operations_token))

    def sms(self, text: str) -> httpx.Response:
        return self.http.post("/v1/sms/inbound", json={"from": "+905321234567", "to": "6738", "text": text},
                              headers=self._auth(self.gateway_token))

    def replace(self, old: str, new: str, full_name: str, birth_date: str, key: str | None = None,
                pin: str = ATTENDANT_PIN, attendant: str | None = None) -> httpx.Response:
        body = {"old_card_number": old, "new_card_number": new, "full_name": full_name, "birth_date": birth_date}
        headers = {**self._auth(self.till_token), "Idempotency-Key": key or uuid.uuid4().hex,
                   "X-Attendant-Code": attendant or self.attendant_code, "X-Attendant-Pin": pin}
        return self.http.post("/v1/replacements", json=body, headers=headers)

    def sign_in(self, code: str | None = None, pin: str = ATTENDANT_PIN, token: str | None = None) -> httpx.Response:
        """``POST /v1/attendant-sessions`` from the rig's kiosk (or the device of ``token``)."""
        return self.http.post("/v1/attendant-sessions", json={"code": code or self.attendant_code, "pin": pin},
                              headers=self._auth(token or self.service.token))

    def attendant_session(self, code: str | None = None, pin: str = ATTENDANT_PIN, token: str | None = None) -> str:
        """A fresh attendant session token on the rig's kiosk (or the device of ``token``)."""
        response = self.sign_in(code, pin, token)
        assert response.status_code == 201, response.text
        return response.json()["session_token"]

    def as_attendant(self, path: str, body: dict[str, object], session: str, token: str | None = None,
                     key: str | None = None) -> httpx.Response:
        """POST ``body`` to ``path`` with ``X-Attendant-Session`` from the rig's kiosk (or ``token``'s device)."""
        headers = {**self._auth(token or self.service.token), "X-Attendant-Session": session}
        if key is not None:
            headers["Idempotency-Key"] = key
        return self.http.post(path, json=body, headers=headers)

    def events(self, number: str) -> list[dict[str, object]]:
        response = self.http.get(f"/v1/cards/{number}/events", params={"limit": 1000},
                                 headers=self._auth(self.till_token))
        assert response.status_code == 200, response.text
        return response.json()["events"]

    def active_card(self, fuel: int = 0, autogas: int = 0) -> str:
        """A new registered, activated card holding ``fuel``/``autogas`` points (earned by sales)."""
        number = new_card_number()
        assert self.register(number, "Deniz Işık", "1980-05-17").status_code == 201
        assert self.activate(number, "DENİZ IŞIK", "1980-05-17").status_code == 200
        # 0.5 % earns 1 point per 200 kuruş
        if fuel:
            assert self.sale(number, fuel * 200, "dizel").status_code == 201
        if autogas:
            assert self.sale(number, autogas * 200, "otogaz").status_code == 201
        return number


def admin(service: CentralService, *args: str, stdin: str = "") -> str:
    """Runs an ``opet-central`` admin command in this process (quicker than a subprocess); its stdout."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out), mock_stdin(stdin):
        assert cli.main([*args, "--database", service.database_url]) == 0
    return out.getvalue().strip()


@contextlib.contextmanager
def mock_stdin(text: str) -> Iterator[None]:
    """``sys.stdin`` reads ``text`` for the duration."""
    saved = sys.stdin
    sys.stdin = io.StringIO(text)
    try:
        yield
    finally:
        sys.stdin = saved


def make_api(service: CentralService, backend: str) -> Api:
    """Adds a till, an SMS gateway, an operations client and an attendant to ``service``'s database."""
    code = f"att-{uuid.uuid4().hex[:8]}"
    admin(service, "add-attendant", "--code", code, "--name", "Test Görevli", stdin=ATTENDANT_PIN + "\n")
    till = admin(service, "add-device", "--kind", "till", "--name", "test-till")
    gateway = admin(service, "add-device", "--kind", "sms_gateway", "--name", "test-sms-gateway")
    operations = admin(service, "add-device", "--kind", "operations", "--name", "test-operations")
    return Api(service, till, gateway, operations, code, backend)


BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


@pytest.fixture(params=BACKENDS)
def empty_database_url(request: pytest.FixtureRequest, tmp_path) -> str:
    """A new, empty database: a SQLite file, then a PostgreSQL database."""
    if request.param == "postgres":
        return request.getfixturevalue("postgres_url")
    return f"sqlite:///{tmp_path / 'empty.db'}"


@pytest.fixture(scope="session", params=BACKENDS)
def api(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    """The running service on SQLite (the rig's), then on PostgreSQL, with every kind of token."""
    with contextlib.ExitStack() as stack:
        if request.param == "postgres":
            url = request.getfixturevalue("postgres_server").new_database("ledger")
            service = stack.enter_context(running_central(url, tmp_path_factory.mktemp("central-postgres")))
        else:
            service = request.getfixturevalue("central_service")
        client = make_api(service, request.param)
        stack.callback(client.http.close)
        yield client
