"""Look-ups by contactless chip UID over real HTTP against the running service (SQLite, demo cards)."""
from __future__ import annotations

import httpx
import pytest

from tests.rigs.central import CentralService

ENDER_UID = "04A1B2C3D4E5F6"  # linked to 7000070012806566 by demo-data
OLD_ENDER = "7000075555000014"  # replaced by ...6566
OLD_ENDER_UID = "0411223A"
UNKNOWN_UID = "04FFFFFFFFFF01"


def get_by_uid(service: CentralService, uid_hex: str, entry: str = "tapped") -> httpx.Response:
    return httpx.get(
        f"{service.base_url}/v1/cards/by-uid/{uid_hex}",
        params={"entry": entry},
        headers={"Authorization": f"Bearer {service.token}"},
        timeout=5,
    )


@pytest.mark.parametrize("uid_hex", [ENDER_UID, ENDER_UID.lower()])
def test_a_linked_uid_answers_its_cards_balance(central_service, uid_hex):
    response = get_by_uid(central_service, uid_hex)
    assert response.status_code == 200
    body = response.json()
    assert body["number_last4"] == "6566"
    assert body["status"] == "active"
    assert body["pots"] == {"fuel": 123456, "autogas": 8790}
    assert body["holder_registered"] is True
    assert body["as_of"].endswith("Z")
    assert set(body) == set(httpx.get(
        f"{central_service.base_url}/v1/cards/7000070012806566", params={"entry": "tapped"},
        headers={"Authorization": f"Bearer {central_service.token}"}, timeout=5,
    ).json())


def test_an_unknown_uid_is_404_without_the_uid(central_service):
    response = get_by_uid(central_service, UNKNOWN_UID)
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "unknown_card"
    assert UNKNOWN_UID not in response.text


@pytest.mark.parametrize("uid_hex", ["04A1B2C3D4E5F", "04A1B2C3D4E5F6AA", "04A1B2C3D4E5G6", "0"])
def test_a_malformed_uid_is_400(central_service, uid_hex):
    response = get_by_uid(central_service, uid_hex)
    assert response.status_code == 400
    assert response.json()["error"] == {
        "code": "malformed_uid",
        "message": "card UID must be 8, 14 or 20 hex digits (4, 7 or 10 bytes)",
    }


def test_the_chip_of_a_replaced_card_answers_replaced(central_service):
    central_service.cli("link-uid", "--number", OLD_ENDER, "--uid", OLD_ENDER_UID.lower())
    central_service.cli("link-uid", "--number", OLD_ENDER, "--uid", OLD_ENDER_UID)  # idempotent
    response = get_by_uid(central_service, OLD_ENDER_UID)
    assert response.status_code == 200
    body = response.json()
    assert (body["number_last4"], body["status"], body["pots"]) == ("0014", "replaced", {"fuel": 0, "autogas": 0})


def test_a_uid_links_to_one_card_only(central_service):
    with pytest.raises(RuntimeError, match="already linked to another card"):
        central_service.cli("link-uid", "--number", "7000071234567895", "--uid", ENDER_UID)
    assert get_by_uid(central_service, ENDER_UID).json()["number_last4"] == "6566"


def test_typed_uid_lookups_share_the_typed_rate_limit(central_service):
    limited = central_service.add_device("kiosk", "uid-typed-limit")
    statuses = [
        httpx.get(f"{central_service.base_url}/v1/cards/by-uid/{UNKNOWN_UID}", params={"entry": "typed"},
                  headers={"Authorization": f"Bearer {limited}"}, timeout=5).status_code
        for _ in range(11)
    ]
    assert statuses == [404] * 10 + [429]


def test_no_uid_reaches_the_log(central_service):
    get_by_uid(central_service, ENDER_UID)
    get_by_uid(central_service, "04A1B2C3D4E5FX")
    log = central_service.log_text()
    assert "/v1/cards/by-uid/…E5F6 200" in log
    for uid in (ENDER_UID, ENDER_UID.lower(), "04A1B2C3D4E5FX", OLD_ENDER_UID, UNKNOWN_UID):
        assert uid not in log
