"""Finding 10 of #14: ``opet-central demo-data`` ran against a production database and added
attendant 1001 (PIN 1234) and a 1.234,56-point active card that any till could redeem."""
from __future__ import annotations

import contextlib
import io

import httpx
import pytest

from central import cli
from tests.central.conftest import mock_stdin
from tests.rigs.central import running_central

@pytest.fixture
def database_url(empty_database_url: str) -> str:
    """The database a production service would run on (empty here; the tests fill it)."""
    return empty_database_url


def run(url: str, *args: str, stdin: str = "") -> tuple[int, str]:
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()), mock_stdin(stdin):
        code = cli.main([*args, "--database", url])
    return code, err.getvalue()


def test_demo_data_refuses_a_production_database_and_the_demo_pin_signs_nobody_in(database_url: str, tmp_path):
    assert run(database_url, "add-attendant", "--code", "7001", "--name", "GERÇEK GÖREVLİ", stdin="9182\n")[0] == 0
    code, err = run(database_url, "demo-data")
    assert code == 2 and "--force" in err
    with running_central(database_url, tmp_path, demo_data=False) as service:
        headers = {"Authorization": f"Bearer {service.token}"}
        refused = httpx.post(f"{service.base_url}/v1/attendant-sessions", json={"code": "1001", "pin": "1234"},
                             headers=headers, timeout=10)
        assert refused.status_code == 401
        demo_card = httpx.get(f"{service.base_url}/v1/cards/7000070012806566", params={"entry": "tapped"},
                              headers=headers, timeout=10)
        assert demo_card.status_code == 404


def test_demo_data_fills_an_empty_database_and_may_fill_it_again(database_url: str):
    assert run(database_url, "demo-data")[0] == 0
    assert run(database_url, "add-device", "--kind", "kiosk", "--name", "demo kiosk")[0] == 0
    assert run(database_url, "demo-data")[0] == 0  # marked as a demo database: scripts/demo.sh reruns it


def test_force_fills_a_database_that_holds_other_things(database_url: str):
    assert run(database_url, "add-device", "--kind", "till", "--name", "till 1")[0] == 0
    assert run(database_url, "demo-data")[0] == 2
    assert run(database_url, "demo-data", "--force")[0] == 0
