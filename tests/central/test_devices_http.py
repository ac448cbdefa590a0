"""Device tokens, rate limits, heartbeat and metrics over HTTP (SQLite service)."""
from __future__ import annotations

import httpx

from tests.central.conftest import Api, admin, new_card_number
from tests.rigs.central import CentralService

ENDER = "7000070012806566"


def lookup(service: CentralService, token: str, entry: str = "typed", number: str = ENDER) -> httpx.Response:
    return httpx.get(f"{service.base_url}/v1/cards/{number}", params={"entry": entry},
                     headers={"Authorization": f"Bearer {token}"}, timeout=5)


def new_device(service: CentralService, kind: str, name: str) -> str:
    return admin(service, "add-device", "--kind", kind, "--name", name)


def test_revoked_token_is_refused(central_service: CentralService):
    token = new_device(central_service, "kiosk", "to-be-revoked")
    assert lookup(central_service, token, "tapped").status_code == 200
    admin(central_service, "revoke-device", "--name", "to-be-revoked")
    response = lookup(central_service, token, "tapped")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthorized"


def test_device_list_never_shows_tokens(central_service: CentralService):
    token = new_device(central_service, "till", "listed-till")
    listing = admin(central_service, "list-devices")
    assert "listed-till" in listing
    assert token not in listing


def test_typed_lookups_are_rate_limited_per_device(central_service: CentralService):
    token = new_device(central_service, "kiosk", "typing-kiosk")
    other = new_device(central_service, "kiosk", "other-kiosk")
    statuses = [lookup(central_service, token).status_code for _ in range(10)]
    assert statuses == [200] * 10
    limited = lookup(central_service, token, number=new_card_number())
    assert limited.status_code == 429
    assert limited.json()["error"]["code"] == "rate_limited"
    assert int(limited.headers["Retry-After"]) >= 1
    assert lookup(central_service, token, "tapped").status_code == 200  # a tapped card is not a guess
    assert lookup(central_service, other).status_code == 200  # budgets are per device


def test_failed_online_activations_are_limited_per_card(api: Api):
    number = new_card_number()
    assert api.register(number, "Can Öz", "1999-09-09").status_code == 201
    statuses = [api.activate(number, "Can Öz", f"1999-09-{day:02d}").status_code for day in range(1, 6)]
    assert statuses == [422] * 5
    response = api.activate(number, "Can Öz", "1999-09-09")
    assert response.status_code == 429
    assert api.card(number).json()["status"] == "not_activated"


def test_heartbeat_shows_in_metrics(central_service: CentralService):
    token = new_device(central_service, "kiosk", "beating-kiosk")
    response = httpx.post(f"{central_service.base_url}/v1/kiosks/heartbeat",
                          json={"app_version": "1.2.3", "uptime_seconds": 42, "readers": ["ACS ACR122U"],
                                "screen": "attract", "reader_state": "ready", "last_lookup_at": None,
                                "errors_since_last_beat": {"service_down": 2},
                                "observed_at": "2026-11-27T18:20:00Z"},
                          headers={"Authorization": f"Bearer {token}"}, timeout=5)
    assert response.status_code == 200
    assert response.json()["server_time"].endswith("Z")
    metrics = httpx.get(f"{central_service.base_url}/metrics", timeout=5)
    assert metrics.status_code == 200
    assert metrics.headers["content-type"].startswith("text/plain")
    lines = metrics.text.splitlines()
    assert any(line.startswith('opet_central_device_last_heartbeat_timestamp_seconds{device="beating-kiosk"')
               for line in lines)
    assert any(line.startswith("opet_central_http_requests_total{") for line in lines)


def test_metrics_count_sales_and_points(api: Api):
    before = _metric(api, 'opet_central_points_earned_total{pot="autogas"}')
    assert api.sale(new_card_number(), 40000, "otogaz").status_code == 201
    assert _metric(api, 'opet_central_points_earned_total{pot="autogas"}') == before + 200


def test_heartbeat_is_for_kiosks(api: Api):
    response = api.http.post("/v1/kiosks/heartbeat", json={"app_version": "1", "uptime_seconds": 1},
                             headers={"Authorization": f"Bearer {api.till_token}"})
    assert response.status_code == 403


def test_audit_trail_needs_a_till_or_operations(central_service: CentralService):
    response = httpx.get(f"{central_service.base_url}/v1/cards/{ENDER}/events",
                         headers={"Authorization": f"Bearer {central_service.token}"}, timeout=5)
    assert response.status_code == 403


def test_blocked_card_refuses_use(api: Api):
    number = api.active_card(fuel=100)
    admin(api.service, "block-card", "--number", number)
    assert api.card(number).json()["status"] == "blocked"
    response = api.redeem(number, 50)
    assert response.status_code == 409 and response.json()["error"]["code"] == "card_blocked"
    assert api.events(number)[0]["kind"] == "blocked"


def _metric(api: Api, series: str) -> float:
    text = api.http.get("/metrics").text
    for line in text.splitlines():
        if line.startswith(series + " "):
            return float(line.split()[-1])
    return 0.0
