"""Finding 2: a kiosk token guessing card numbers. ``?entry=tapped`` used to skip the only
look-up budget; now every look-up spends one (tapped and typed each have their own)."""
from __future__ import annotations

from collections import Counter

import httpx

from tests.central.conftest import new_card_number
from tests.security.guarded import TAPPED_PER_MINUTE, TYPED_PER_MINUTE, Guarded


def flood(guarded: Guarded, token: str, paths_and_entries: list[tuple[str, str]]) -> Counter[int]:
    with httpx.Client(base_url=guarded.base_url, headers={"Authorization": f"Bearer {token}"}, timeout=30) as http:
        return Counter(http.get(path, params={"entry": entry}).status_code for path, entry in paths_and_entries)


def test_a_thousand_tapped_guesses_stop_at_the_tapped_budget(guarded: Guarded):
    kiosk = guarded.device()
    statuses = flood(guarded, kiosk, [(f"/v1/cards/{new_card_number()}", "tapped") for _ in range(1000)])
    assert statuses[429] == 1000 - TAPPED_PER_MINUTE
    assert statuses[404] + statuses[200] == TAPPED_PER_MINUTE  # what the guesses learnt: 5 answers


def test_any_mix_of_entries_and_uids_stops_at_both_budgets_then_refills_with_time(guarded: Guarded):
    kiosk = guarded.device()
    guesses = [(f"/v1/cards/{new_card_number()}", entry) for entry in ("tapped", "typed") * 300]
    guesses += [(f"/v1/cards/by-uid/04{n:012X}", entry) for n, entry in enumerate(("tapped", "typed") * 200)]
    statuses = flood(guarded, kiosk, guesses)
    assert statuses[404] == TAPPED_PER_MINUTE + TYPED_PER_MINUTE
    assert statuses[429] == len(guesses) - TAPPED_PER_MINUTE - TYPED_PER_MINUTE
    guarded.advance_clock(60)  # a budget is a rate, not a ban: a minute later it is full again
    again = flood(guarded, kiosk, [(f"/v1/cards/{new_card_number()}", "tapped") for _ in range(20)])
    assert again == Counter({404: TAPPED_PER_MINUTE, 429: 20 - TAPPED_PER_MINUTE})


def test_the_refusal_says_when_to_come_back_and_other_devices_are_unaffected(guarded: Guarded):
    kiosk, other = guarded.device(), guarded.device("till")
    flood(guarded, kiosk, [(f"/v1/cards/{new_card_number()}", "tapped") for _ in range(TAPPED_PER_MINUTE)])
    with httpx.Client(base_url=guarded.base_url, timeout=30) as http:
        refused = http.get(f"/v1/cards/{new_card_number()}", params={"entry": "tapped"},
                           headers={"Authorization": f"Bearer {kiosk}"})
        assert refused.status_code == 429 and refused.json()["error"]["code"] == "rate_limited"
        assert int(refused.headers["Retry-After"]) == 60 // TAPPED_PER_MINUTE
        assert http.get("/v1/cards/7000070012806566", params={"entry": "tapped"},
                        headers={"Authorization": f"Bearer {other}"}).status_code == 200
