"""Finding 6, second half: code and PIN headers are for tills; a kiosk (anyone at it) used them
to try PINs on every request. Now a kiosk's request with them is refused before any PIN is checked."""
from __future__ import annotations

import uuid

import httpx

from tests.central.conftest import new_card_number
from tests.security.guarded import Guarded


def test_a_kiosk_may_not_sign_requests_with_code_and_pin(guarded: Guarded):
    code, kiosk, number = guarded.attendant("2580"), guarded.device(), new_card_number()
    headers = {"Authorization": f"Bearer {kiosk}", "X-Attendant-Code": code, "X-Attendant-Pin": "2580"}
    with httpx.Client(base_url=guarded.base_url, timeout=30) as http:
        registration = http.post("/v1/registrations", headers=headers, json={
            "card_number": number, "full_name": "Can Öz", "birth_date": "1999-09-09", "phone": "+905551112233",
            "consent": True})
        replacement = http.post("/v1/replacements", headers={**headers, "Idempotency-Key": uuid.uuid4().hex}, json={
            "old_card_number": "7000070012806566", "new_card_number": number, "full_name": "ENDER AYTEKİN",
            "birth_date": "1974-03-20"})
        for response in (registration, replacement):
            assert response.status_code == 403 and response.json()["error"]["code"] == "forbidden", response.text
        assert guarded.api.card(number).status_code == 404  # nothing was registered
        # no PIN was checked, right or wrong: the code's count is untouched
        wrong = guarded.sign_in(http, guarded.device(), code, "0000")
        assert wrong.json()["error"]["attempts_left"] == 4
