"""Sales and redemptions over HTTP, on SQLite and PostgreSQL."""
from __future__ import annotations

import uuid

from tests.central.conftest import Api, new_card_number

AYSE = "7000071234567895"  # demo: registered, not activated, 4250 in the fuel pot


def test_sale_earns_half_a_percent_into_the_fuel_pot(api: Api):
    number = api.active_card()
    response = api.sale(number, 12345, "benzin")
    assert response.status_code == 201
    receipt = response.json()
    assert receipt["points_earned"] == 61  # 61.725 rounded down
    assert receipt["pot"] == "fuel" and receipt["rate_ppm"] == 5000
    assert receipt["number_last4"] == number[-4:]
    assert api.pots(number) == {"fuel": 61, "autogas": 0}


def test_diesel_earns_into_fuel_and_autogas_into_autogas(api: Api):
    number = api.active_card()
    assert api.sale(number, 10000, "dizel").json()["pot"] == "fuel"
    assert api.sale(number, 30000, "otogaz").json()["pot"] == "autogas"
    assert api.pots(number) == {"fuel": 50, "autogas": 150}


def test_sale_creates_a_card_seen_for_the_first_time(api: Api):
    number = new_card_number()
    assert api.card(number).status_code == 404
    assert api.sale(number, 20000).status_code == 201
    body = api.card(number).json()
    assert body["status"] == "not_activated" and body["holder_registered"] is False
    assert body["pots"] == {"fuel": 100, "autogas": 0}


def test_retried_sale_returns_the_first_receipt_and_books_once(api: Api):
    number = api.active_card()
    key = uuid.uuid4().hex
    first = api.sale(number, 40000, key=key, sold_at="2026-01-02T10:00:00+03:00")
    again = api.sale(number, 40000, key=key, sold_at="2026-01-02T10:00:00+03:00")
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again.headers["Idempotent-Replayed"] == "true"
    assert api.pots(number)["fuel"] == 200


def test_idempotency_key_reused_for_another_sale_is_refused(api: Api):
    number = api.active_card()
    key = uuid.uuid4().hex
    assert api.sale(number, 40000, key=key).status_code == 201
    response = api.sale(number, 50000, key=key)
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "idempotency_key_reused"
    assert api.pots(number)["fuel"] == 200


def test_sale_without_idempotency_key_is_a_json_error(api: Api):
    response = api.http.post(
        "/v1/sales",
        json={"card_number": new_card_number(), "fuel_type": "benzin", "amount": 100, "station": "S",
              "sold_at": "2026-01-02T10:00:00+03:00"},
        headers={"Authorization": f"Bearer {api.till_token}"},
    )
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "invalid_request"


def test_redemption_spends_from_the_matching_pot(api: Api):
    number = api.active_card(fuel=500, autogas=300)
    response = api.redeem(number, 200, "dizel")
    assert response.status_code == 201
    assert response.json()["pot"] == "fuel"
    assert api.redeem(number, 300, "otogaz").status_code == 201
    assert api.pots(number) == {"fuel": 300, "autogas": 0}


def test_redemption_never_goes_below_zero(api: Api):
    number = api.active_card(fuel=500, autogas=100)
    response = api.redeem(number, 501, "benzin")
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "insufficient_points"
    assert api.redeem(number, 101, "otogaz").status_code == 409  # fuel points cannot pay for autogas
    assert api.redeem(number, 500, "benzin").status_code == 201
    assert api.pots(number) == {"fuel": 0, "autogas": 100}


def test_only_an_activated_card_spends(api: Api):
    response = api.redeem(AYSE, 100, "benzin")
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "card_not_activated"
    assert api.pots(AYSE)["fuel"] == 4250


def test_redemption_of_unknown_card_is_404(api: Api):
    response = api.redeem(new_card_number(), 100)
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "unknown_card"


def test_retried_redemption_spends_once(api: Api):
    number = api.active_card(fuel=500)
    key = uuid.uuid4().hex
    at = "2026-01-02T10:00:00+03:00"
    assert api.redeem(number, 300, key=key, redeemed_at=at).status_code == 201
    assert api.redeem(number, 300, key=key, redeemed_at=at).status_code == 201
    assert api.pots(number)["fuel"] == 200


def test_failed_request_leaves_its_key_free_for_a_real_retry(api: Api):
    number = api.active_card(fuel=100)
    key = uuid.uuid4().hex
    at = "2026-01-02T10:00:00+03:00"
    assert api.redeem(number, 300, key=key, redeemed_at=at).status_code == 409
    assert api.sale(number, 40000).status_code == 201  # now 300 points
    assert api.redeem(number, 300, key=key, redeemed_at=at).status_code == 201
    assert api.pots(number)["fuel"] == 0


def test_sale_in_the_future_is_refused(api: Api):
    response = api.sale(new_card_number(), 10000, sold_at="2999-01-01T00:00:00+03:00")
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "invalid_request"


def test_kiosk_may_not_book_sales(api: Api):
    response = api.http.post(
        "/v1/sales",
        json={"card_number": new_card_number(), "fuel_type": "benzin", "amount": 100, "station": "S",
              "sold_at": "2026-01-02T10:00:00+03:00"},
        headers={"Authorization": f"Bearer {api.service.token}", "Idempotency-Key": "k"},
    )
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "forbidden"


def test_audit_trail_accounts_for_every_point(api: Api):
    number = api.active_card(fuel=700, autogas=200)
    assert api.redeem(number, 150, "benzin").status_code == 201
    events = api.events(number)
    kinds = [event["kind"] for event in reversed(events)]
    assert kinds[:3] == ["card_created", "registered", "activated"]
    assert kinds[3:] == ["sale", "sale", "redemption"]
    for pot, balance in api.pots(number).items():
        assert sum(event["delta"] for event in events if event["pot"] == pot) == balance
    assert api.events(number)[0]["delta"] == -150


def test_demo_balances_are_opening_events(api: Api):
    events = api.events("7000070012806566")
    opening = {event["pot"]: event["delta"] for event in events if event["kind"] == "opening_balance"}
    assert opening == {"fuel": 123456, "autogas": 8790}
