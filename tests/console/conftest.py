"""The web console in a real browser against the real service, on SQLite and on PostgreSQL.

``console`` is one running service per backend (demo data loaded, a frozen clock the tests
move); each test makes its own console accounts, so lockouts and sessions of one test never
touch another's.
"""
from __future__ import annotations

import contextlib
import io
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest
from playwright.sync_api import Page

from central import cli
from tests.rigs.central import CentralService, running_central

BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
PASSWORD = "doğru-parola-2026"
CONSOLE_SERVE_ARGS = ("--console-idle-timeout", "900", "--console-session-max", "36000",
                      "--console-max-failures", "5", "--console-lockout", "900", "--kiosk-silent-after", "180")


@dataclass
class Console:
    """A running service with its console, and a way to make accounts on its database."""

    service: CentralService
    backend: str

    @property
    def url(self) -> str:
        return f"{self.service.base_url}/console"

    def cli(self, *args: str, stdin: str = "") -> str:
        """Runs an ``opet-central`` command in this process on the service's database; its stdout."""
        out, saved = io.StringIO(), sys.stdin
        sys.stdin = io.StringIO(stdin)
        try:
            with contextlib.redirect_stdout(out):
                assert cli.main([*args, "--database", self.service.database_url]) == 0
        finally:
            sys.stdin = saved
        return out.getvalue()

    def new_account(self, role: str, password: str = PASSWORD) -> str:
        """A fresh console account of ``role`` (``add-staff``, password on stdin); its username."""
        username = f"{role}-{uuid.uuid4().hex[:8]}"
        self.cli("add-staff", "--username", username, "--name", f"Test {role.title()} Öz", "--role", role,
                 stdin=password + "\n")
        return username

    def sign_in(self, page: Page, username: str, password: str = PASSWORD) -> None:
        """Signs ``username`` in on ``page`` by typing and clicking, as a person would."""
        page.goto(f"{self.url}/sign-in")
        page.get_by_label("Kullanıcı adı").fill(username)
        page.get_by_label("Parola").fill(password)
        page.get_by_role("button", name="Oturum aç").click()

    def agent_page(self, new_page, password: str = PASSWORD) -> Page:
        """A page with a fresh agent signed in."""
        page = new_page()
        self.sign_in(page, self.new_account("agent", password), password)
        page.wait_for_url(f"{self.url}/home")
        return page

    def admin_page(self, new_page, password: str = PASSWORD) -> Page:
        """A page with a fresh admin signed in."""
        page = new_page()
        self.sign_in(page, self.new_account("admin", password), password)
        page.wait_for_url(f"{self.url}/home")
        return page

    def kiosk_token(self, name: str) -> str:
        """A new kiosk device's token (``add-device``)."""
        return self.cli("add-device", "--kind", "kiosk", "--name", name).strip()

    def heartbeat(self, token: str) -> None:
        """One kiosk heartbeat over HTTP, as a kiosk sends it."""
        body = {"app_version": "0.1.0", "uptime_seconds": 60, "readers": ["Virtual PCD 00 01"],
                "screen": "attract", "reader_state": "ready", "last_lookup_at": None,
                "errors_since_last_beat": {}, "observed_at": "2026-12-07T12:00:00Z", "service_latency_ms": 42}
        response = httpx.post(f"{self.service.base_url}/v1/kiosks/heartbeat", json=body,
                              headers={"Authorization": f"Bearer {token}"}, timeout=30)
        assert response.status_code == 200, response.text


@pytest.fixture(scope="session", params=BACKENDS)
def console(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Console]:
    """The service and its console on SQLite, then on PostgreSQL; its clock stands still until moved."""
    if request.param == "postgres":
        url = request.getfixturevalue("postgres_server").new_database("console")
    else:
        url = f"sqlite:///{tmp_path_factory.mktemp('console-sqlite') / 'central.db'}"
    with running_central(url, tmp_path_factory.mktemp(f"console-{request.param}"), frozen_clock=True,
                         serve_args=CONSOLE_SERVE_ARGS) as service:
        yield Console(service, request.param)
