"""Finding 6, first half: a wrong PIN of a real code answered ``attempts_left`` and an unknown
code did not, so anyone at a kiosk could tell which codes exist. Now both are answered alike,
down to the lockout."""
from __future__ import annotations

import uuid

import httpx

from tests.security.guarded import PIN_MAX_FAILURES, Guarded


def answer(response: httpx.Response) -> tuple[int, object, dict[str, str]]:
    headers = {name: value for name, value in response.headers.items() if name not in ("date", "content-length")}
    return response.status_code, response.json(), headers


def test_an_unknown_code_and_a_wrong_pin_look_the_same_all_the_way_to_the_lock(guarded: Guarded):
    real, unknown = guarded.attendant("5555"), f"att-{uuid.uuid4().hex[:8]}"
    kiosks = [guarded.device() for _ in range(3)]  # spread over kiosks: no device budget gets in the way
    with httpx.Client(timeout=30) as http:
        for attempt in range(PIN_MAX_FAILURES + 1):
            kiosk = kiosks[attempt % len(kiosks)]
            seen_real = answer(guarded.sign_in(http, kiosk, real, "1234"))
            seen_unknown = answer(guarded.sign_in(http, kiosk, unknown, "1234"))
            assert seen_real == seen_unknown, attempt
        assert seen_real[0] == 403  # both locked, with the same Retry-After


def test_pin_headers_of_an_unknown_code_and_a_wrong_pin_look_the_same(guarded: Guarded):
    api, real = guarded.api, guarded.attendant("5555")
    till = guarded.device("till")

    def register(code: str) -> httpx.Response:
        return api.http.post("/v1/registrations", json={
            "card_number": "7000079876543215", "full_name": "Can Öz", "birth_date": "1999-09-09",
            "phone": "+905551112233", "consent": True},
            headers={"Authorization": f"Bearer {till}", "X-Attendant-Code": code, "X-Attendant-Pin": "1234"})

    assert answer(register(real)) == answer(register(f"att-{uuid.uuid4().hex[:8]}"))
