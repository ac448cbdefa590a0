"""Calls for an attendant over HTTP: kiosks call, tills see and resolve."""
import httpx

from tests.rigs.central import CentralService


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_a_kiosk_calls_once_a_till_sees_and_resolves(central_service: CentralService) -> None:
    kiosk = central_service.add_device("kiosk", "pump island 3")
    till = central_service.add_device("till", "shop till 1")
    base = central_service.base_url
    first = httpx.post(f"{base}/v1/assistance", json={"reason": "lost_card"}, headers=auth(kiosk), timeout=5)
    assert first.status_code == 201
    call = first.json()
    assert (call["kiosk"], call["reason"], call["resolved_at"]) == ("pump island 3", "lost_card", None)
    again = httpx.post(f"{base}/v1/assistance", json={"reason": "lost_card"}, headers=auth(kiosk), timeout=5)
    assert (again.status_code, again.json()["id"]) == (200, call["id"])  # pressed twice: one call

    listed = httpx.get(f"{base}/v1/assistance", headers=auth(till), timeout=5).json()["requests"]
    assert [c["id"] for c in listed if c["kiosk"] == "pump island 3"] == [call["id"]]
    resolved = httpx.post(f"{base}/v1/assistance/{call['id']}/resolve", headers=auth(till), timeout=5)
    assert resolved.status_code == 200 and resolved.json()["resolved_at"] is not None
    listed = httpx.get(f"{base}/v1/assistance", headers=auth(till), timeout=5).json()["requests"]
    assert all(c["id"] != call["id"] for c in listed)

    later = httpx.post(f"{base}/v1/assistance", json={"reason": "lost_card"}, headers=auth(kiosk), timeout=5)
    assert later.status_code == 201 and later.json()["id"] != call["id"]


def test_who_may_do_what(central_service: CentralService) -> None:
    base = central_service.base_url
    kiosk = central_service.token
    assert httpx.get(f"{base}/v1/assistance", headers=auth(kiosk), timeout=5).status_code == 403
    assert httpx.post(f"{base}/v1/assistance", json={"reason": "lost_card"}, timeout=5).status_code == 401
    bad = httpx.post(f"{base}/v1/assistance", json={"reason": "coffee"}, headers=auth(kiosk), timeout=5)
    assert bad.status_code == 422 and bad.json()["error"]["code"]
    till = central_service.add_device("till", "shop till 2")
    missing = httpx.post(f"{base}/v1/assistance/999999/resolve", headers=auth(till), timeout=5)
    assert (missing.status_code, missing.json()["error"]["code"]) == (404, "unknown_assistance_request")


def test_an_out_of_range_call_id_is_refused_not_a_server_error(central_service: CentralService) -> None:
    till = central_service.add_device("till", "shop till 3")
    response = httpx.post(
        f"{central_service.base_url}/v1/assistance/72067282739862102016/resolve", headers=auth(till), timeout=5
    )
    assert response.status_code == 422 and response.json()["error"]["code"]
