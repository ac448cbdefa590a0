"""The service's event loop never waits on the database (PostgreSQL).

A look-up is held inside a slow statement: a trigger the test adds to the look-up's own budget
charge (the ``limits`` upsert, made in the same statement as the read) spins in ``pg_sleep``
for one device only. While PostgreSQL shows that statement inside ``pg_sleep``, ``/healthz``
and another device's look-up on the same worker are answered; the held statement is then
seen still running, the same one (same backend, same start), so they were answered during
it, not after. No elapsed time is asserted: the order is read off ``pg_stat_activity``.
"""
from __future__ import annotations

import concurrent.futures
from collections.abc import Iterator

import httpx
import psycopg
import pytest

from tests.rigs.central import CentralService, running_central

pytestmark = pytest.mark.postgres

ACTIVE = "7000070012806566"
DEADLINE_S = 30.0
"""Only bounds a hang (the HTTP timeouts): the test never waits for this to pass."""

_HOLD = """
CREATE FUNCTION test_hold_look_up() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.subject = '{subject}' THEN
        LOOP
            PERFORM pg_sleep(0.01);
        END LOOP;
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER test_hold_look_up BEFORE INSERT ON limits FOR EACH ROW EXECUTE FUNCTION test_hold_look_up();
"""
"""Test-only: spins in pg_sleep inside the slow device's budget charge until the statement is
cancelled (by the test, or at worst by the service's 2 s statement timeout)."""

_HELD = """
SELECT pid, query_start FROM pg_stat_activity
WHERE datname = current_database() AND state = 'active' AND wait_event = 'PgSleep' AND query LIKE '%limits%'
"""


def _libpq(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://", 1)


@pytest.fixture
def service(postgres_server, tmp_path) -> Iterator[CentralService]:
    """One worker on a new PostgreSQL database."""
    with running_central(postgres_server.new_database("loop"), tmp_path) as running:
        yield running


def _held(database: psycopg.Connection) -> tuple[int, object] | None:
    return database.execute(_HELD).fetchone()


def test_a_look_up_inside_pg_sleep_holds_up_neither_healthz_nor_other_look_ups(service: CentralService) -> None:
    slow_token = service.add_device("kiosk", "slow-kiosk")
    with psycopg.connect(_libpq(service.database_url), autocommit=True) as database:
        slow_id = database.execute("SELECT id FROM devices WHERE name = 'slow-kiosk'").fetchone()[0]
        database.execute(_HOLD.format(subject=slow_id))
        with httpx.Client(base_url=service.base_url, timeout=DEADLINE_S) as http, \
                concurrent.futures.ThreadPoolExecutor(1) as pool:
            slow = pool.submit(httpx.get, f"{service.base_url}/v1/cards/{ACTIVE}", params={"entry": "tapped"},
                               headers={"Authorization": f"Bearer {slow_token}"}, timeout=DEADLINE_S)
            # Polled until the statement shows up in pg_sleep; a hang is bounded by the slow
            # request's own timeout, which ends its future.
            while (held := _held(database)) is None:
                assert not slow.done(), "the slow look-up never reached pg_sleep"
            healthz = http.get("/healthz")
            look_up = http.get(f"/v1/cards/{ACTIVE}", params={"entry": "tapped"},
                               headers={"Authorization": f"Bearer {service.token}"})
            still_held = _held(database)
            assert healthz.status_code == 200, healthz.text
            assert look_up.status_code == 200 and look_up.json()["pots"]["fuel"] == 123456, look_up.text
            assert still_held == held, "both were answered while that same statement was still in pg_sleep"
            assert not slow.done()
            # Ending the held statement fails only its own request (on a connection of its own,
            # which the server closes after a 500); nothing waits for the statement timeout.
            database.execute("SELECT pg_cancel_backend(%s)", (held[0],))
            assert slow.result(timeout=DEADLINE_S).status_code == 500, service.log_text()[-3000:]
            assert http.get("/healthz").status_code == 200
