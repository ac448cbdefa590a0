"""Recent movements reveal as much about a guessed card number as its balance: every request
spends the device's look-up budget (tapped or typed, as claimed), in the database, before the
card is read, so guessing through them stops where balance look-ups stop, and the two share it."""
from __future__ import annotations

from collections import Counter

import httpx

from tests.central.conftest import new_card_number
from tests.security.guarded import TAPPED_PER_MINUTE, TYPED_PER_MINUTE, Guarded


def test_guessing_through_movements_stops_at_the_look_up_budget(guarded: Guarded) -> None:
    kiosk = guarded.device()
    with httpx.Client(base_url=guarded.base_url, headers={"Authorization": f"Bearer {kiosk}"}, timeout=30) as http:
        statuses = Counter(http.get(f"/v1/cards/{new_card_number()}/movements", params={"entry": entry}).status_code
                           for entry in ("tapped", "typed") * 100)
    assert statuses == Counter({404: TAPPED_PER_MINUTE + TYPED_PER_MINUTE,
                                429: 200 - TAPPED_PER_MINUTE - TYPED_PER_MINUTE})


def test_movements_and_balances_spend_one_budget(guarded: Guarded) -> None:
    kiosk = guarded.device()
    with httpx.Client(base_url=guarded.base_url, headers={"Authorization": f"Bearer {kiosk}"}, timeout=30) as http:
        for _ in range(TAPPED_PER_MINUTE):
            assert http.get("/v1/cards/7000070012806566/movements", params={"entry": "tapped"}).status_code == 200
        balance = http.get("/v1/cards/7000070012806566", params={"entry": "tapped"})
        assert balance.status_code == 429 and int(balance.headers["Retry-After"]) >= 1
        refused = http.get("/v1/cards/by-uid/04A1B2C3D4E5F6/movements", params={"entry": "tapped"})
        assert refused.status_code == 429 and refused.json()["error"]["code"] == "rate_limited"
        guarded.advance_clock(60)
        assert http.get("/v1/cards/7000070012806566/movements", params={"entry": "tapped"}).status_code == 200
