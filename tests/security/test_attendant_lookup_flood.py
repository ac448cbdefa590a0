"""Finding 7, first half: an attendant session could look up card numbers without limit. Now
each look-up and search spends one of the attendant's budget, across all their sessions."""
from __future__ import annotations

from collections import Counter

import httpx

from tests.central.conftest import new_card_number
from tests.security.guarded import ATTENDANT_LOOKUPS_PER_HOUR, Guarded

PIN = "3141"


def session(guarded: Guarded, http: httpx.Client, kiosk: str, code: str) -> str:
    response = guarded.sign_in(http, kiosk, code, PIN)
    assert response.status_code == 201, response.text
    return response.json()["session_token"]


def test_guessing_numbers_in_an_attendant_session_stops_at_the_attendants_budget(guarded: Guarded):
    code, kiosk, other_kiosk = guarded.attendant(PIN), guarded.device(), guarded.device()
    with httpx.Client(base_url=guarded.base_url, timeout=30) as http:
        first = session(guarded, http, kiosk, code)

        def lookup(token: str, device: str) -> int:
            return http.post("/v1/attendant/card-lookups", json={"card_number": new_card_number()},
                             headers={"Authorization": f"Bearer {device}", "X-Attendant-Session": token}).status_code

        statuses = Counter(lookup(first, kiosk) for _ in range(50))
        assert statuses == Counter({404: ATTENDANT_LOOKUPS_PER_HOUR, 429: 50 - ATTENDANT_LOOKUPS_PER_HOUR})
        second = session(guarded, http, other_kiosk, code)  # a new session is no new budget
        assert lookup(second, other_kiosk) == 429
        search = http.post("/v1/attendant/holder-searches", json={
            "full_name": "ENDER AYTEKİN", "birth_date": "1974-03-20", "phone": "05551234567"},
            headers={"Authorization": f"Bearer {other_kiosk}", "X-Attendant-Session": second})
        assert search.status_code == 429
        guarded.advance_clock(3600 / ATTENDANT_LOOKUPS_PER_HOUR)  # one comes back (the sessions idled out)
        third = session(guarded, http, kiosk, code)
        assert [lookup(third, kiosk), lookup(third, kiosk)] == [404, 429]
