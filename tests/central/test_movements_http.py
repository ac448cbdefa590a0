"""A card's recent movements for the kiosk's balance screen, over real HTTP, on SQLite and on
PostgreSQL: the last five earnings and spendings, newest first, with day, station, pot and
points, and nothing else (no number beyond its last four, no holder data)."""
from __future__ import annotations

import datetime as dt
import uuid

import httpx
import pytest

from tests.central.conftest import Api, new_card_number, sixteen_digit_runs

KIOSK_FIELDS = {"at", "kind", "station", "pot", "points"}
ISTANBUL = dt.timezone(dt.timedelta(hours=3))


def post(api: Api, path: str, body: dict[str, object]) -> None:
    response = api.http.post(path, json=body, headers={"Authorization": f"Bearer {api.till_token}",
                                                       "Idempotency-Key": uuid.uuid4().hex})
    assert response.status_code == 201, response.text


def movements(api: Api, path: str, token: str | None = None, entry: str = "tapped") -> httpx.Response:
    return api.http.get(path, params={"entry": entry},
                        headers={"Authorization": f"Bearer {token or api.service.token}"})


def card_with_history(api: Api) -> tuple[str, list[dict[str, object]]]:
    """A registered card with seven movements an hour apart (sales at three stations, two
    redemptions); the five newest as the kiosk should get them, newest first."""
    number = api.active_card()
    start = dt.datetime.now(ISTANBUL).replace(microsecond=0) - dt.timedelta(hours=8)
    history = [
        ("sale", "OPET Maslak", "benzin", 400_000), ("sale", "OPET Kadıköy", "otogaz", 100_000),
        ("sale", "OPET Maslak", "dizel", 200_000), ("redemption", "OPET Ataşehir", "benzin", 500),
        ("sale", "OPET Kadıköy", "benzin", 300_000), ("redemption", "OPET Maslak", "otogaz", 200),
        ("sale", "OPET Ankara Eskişehir Yolu", "dizel", 1_000_000),
    ]
    expected = []
    for hours, (what, station, fuel, amount) in enumerate(history, start=1):
        at = start + dt.timedelta(hours=hours)
        if what == "sale":
            post(api, "/v1/sales", {"card_number": number, "fuel_type": fuel, "amount": amount, "station": station,
                                    "sold_at": at.isoformat()})
            expected.append({"kind": "earned", "points": amount // 200})
        else:
            post(api, "/v1/redemptions", {"card_number": number, "fuel_type": fuel, "points": amount,
                                          "station": station, "redeemed_at": at.isoformat()})
            expected.append({"kind": "spent", "points": amount})
        expected[-1].update(station=station, pot="autogas" if fuel == "otogaz" else "fuel",
                            at=at.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"))
    return number, expected[::-1][:5]


def test_the_last_five_newest_first_masked(api: Api) -> None:
    number, expected = card_with_history(api)
    response = movements(api, f"/v1/cards/{number}/movements")
    assert response.status_code == 200, response.text
    body = response.json()
    assert set(body) == {"number_last4", "movements"} and body["number_last4"] == number[-4:]
    assert [set(item) for item in body["movements"]] == [KIOSK_FIELDS] * 5
    assert body["movements"] == expected
    assert sixteen_digit_runs(response.text) == [] and "IŞIK" not in response.text and "1980" not in response.text


def test_a_card_without_sales_has_none_and_its_chip_answers_alike(api: Api) -> None:
    assert movements(api, "/v1/cards/7000071234567895/movements").json() == {"number_last4": "7895", "movements": []}
    by_uid = movements(api, "/v1/cards/by-uid/04a1b2c3d4e5f6/movements")  # the demo chip of …6566
    assert by_uid.status_code == 200 and by_uid.json()["number_last4"] == "6566"


@pytest.mark.parametrize(("path", "status", "code"), [
    ("/v1/cards/{unknown}/movements", 404, "unknown_card"),
    ("/v1/cards/7000070012806567/movements", 400, "malformed_number"),
    ("/v1/cards/by-uid/04FFFFFFFFFF02/movements", 404, "unknown_card"),
    ("/v1/cards/by-uid/XYZ/movements", 400, "malformed_uid"),
])
def test_unknown_and_malformed_cards_are_refused_without_the_number(api: Api, path: str, status: int, code: str) -> None:
    unknown = new_card_number()
    response = movements(api, path.format(unknown=unknown))
    assert response.status_code == status and response.json()["error"]["code"] == code
    assert unknown not in response.text and "7000070012806567" not in response.text


def test_only_devices_that_may_look_up_balances_see_movements(api: Api) -> None:
    assert movements(api, "/v1/cards/7000070012806566/movements", token=api.gateway_token).status_code == 403
    assert movements(api, "/v1/cards/7000070012806566/movements", token="not-a-token").status_code == 401
    assert movements(api, "/v1/cards/7000070012806566/movements", token=api.till_token).status_code == 200
