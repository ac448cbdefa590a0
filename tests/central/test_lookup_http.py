"""Balance look-ups over real HTTP against the running service (SQLite, demo cards)."""
from __future__ import annotations

import httpx
import pytest

from tests.rigs.central import CentralService

ENDER = "7000070012806566"
AYSE = "7000071234567895"
UNREGISTERED = "7000079876543215"
OLD_ENDER = "7000075555000014"
UNKNOWN = "7000070000000008"  # Luhn-valid, never issued


def get_card(service: CentralService, number: str, token: str | None = None, entry: str = "tapped") -> httpx.Response:
    headers = {"Authorization": f"Bearer {token if token is not None else service.token}"}
    return httpx.get(f"{service.base_url}/v1/cards/{number}", params={"entry": entry}, headers=headers, timeout=5)


@pytest.mark.parametrize(
    ("number", "status", "fuel", "autogas", "registered"),
    [
        (ENDER, "active", 123456, 8790, True),
        (AYSE, "not_activated", 4250, 0, True),
        (UNREGISTERED, "not_activated", 0, 15075, False),
        (OLD_ENDER, "replaced", 0, 0, True),
    ],
)
def test_found_card_has_status_and_pots_in_hundredths(central_service, number, status, fuel, autogas, registered):
    response = get_card(central_service, number)
    assert response.status_code == 200
    body = response.json()
    assert body["number_last4"] == number[-4:]
    assert body["status"] == status
    assert body["pots"] == {"fuel": fuel, "autogas": autogas}
    assert all(type(value) is int for value in body["pots"].values())
    assert body["holder_registered"] is registered
    assert body["as_of"].endswith("Z")
    assert number not in response.text


def test_typed_entry_is_accepted(central_service):
    assert get_card(central_service, ENDER, entry="typed").status_code == 200


def test_unknown_card_is_404_without_the_number(central_service):
    response = get_card(central_service, UNKNOWN)
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "unknown_card"
    assert UNKNOWN not in response.text


@pytest.mark.parametrize("number", ["7000070012806567", "700007001280656", "70000700128065660", "7000O70012806566"])
def test_malformed_number_is_400(central_service, number):
    response = get_card(central_service, number)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "malformed_number"
    assert number not in response.text


def test_missing_token_is_401(central_service):
    response = httpx.get(f"{central_service.base_url}/v1/cards/{ENDER}", timeout=5)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthorized"


@pytest.mark.parametrize("authorization", ["Bearer opk_not-a-real-token", "Basic dXNlcjpwYXNz", "Bearer"])
def test_bad_token_is_401(central_service, authorization):
    response = httpx.get(
        f"{central_service.base_url}/v1/cards/{ENDER}", headers={"Authorization": authorization}, timeout=5
    )
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthorized"


def test_bad_entry_is_a_json_error(central_service):
    response = get_card(central_service, ENDER, entry="guessed")
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "invalid_request"


def test_healthz(central_service):
    response = httpx.get(f"{central_service.base_url}/healthz", timeout=5)
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_log_carries_only_last4(central_service):
    for number in (ENDER, UNKNOWN, "7000070012806567"):
        get_card(central_service, number)
    log = central_service.log_text()
    assert "…6566" in log and "…0008" in log and "…6567" in log
    for number in (ENDER, UNKNOWN, "7000070012806567"):
        assert number not in log


@pytest.mark.parametrize(("number", "token", "status", "code"), [
    ("7000070012806567", "opk_not-a-real-token", 401, "unauthorized"),  # a stranger learns nothing of the number
    ("7000070012806567", None, 400, "malformed_number"),
    (UNKNOWN, "opk_not-a-real-token", 401, "unauthorized"),  # nor whether a card exists
    (UNKNOWN, None, 404, "unknown_card"),
])
def test_the_device_is_checked_before_the_number(central_service, number, token, status, code):
    response = get_card(central_service, number, token=token)
    assert (response.status_code, response.json()["error"]["code"]) == (status, code)
