"""Finding 4: anyone with a phone could try every birth date by SMS (no failure limit), and learn
without limit which last 10 digits belong to a card. Now every activation SMS spends its
card's budget (shared with online activation) and its sender's."""
from __future__ import annotations

import datetime as dt
import uuid

import httpx

from tests.central.conftest import ATTENDANT_PIN, new_card_number
from tests.security.guarded import ACTIVATIONS_PER_HOUR, SMS_PER_SENDER_PER_HOUR, Guarded

NAME, BORN = "SELİN KAYA", dt.date(1985, 6, 15)


def registered_card(guarded: Guarded) -> str:
    """A card with a holder record, not activated (registered at a till by the attendant)."""
    api, number = guarded.api, new_card_number()
    response = api.http.post("/v1/registrations", json={
        "card_number": number, "full_name": NAME, "birth_date": BORN.isoformat(), "phone": "+905551234567",
        "consent": True}, headers={"Authorization": f"Bearer {api.till_token}", "X-Attendant-Code": api.attendant_code,
                                   "X-Attendant-Pin": ATTENDANT_PIN})
    assert response.status_code == 201, response.text
    return number


def sms(guarded: Guarded, sender: str, last10: str, born: dt.date) -> dict[str, str]:
    response = guarded.api.http.post("/v1/sms/inbound", json={
        "from": sender, "to": "6738", "text": f"PARO {last10} {NAME} {born:%d.%m.%Y}"},
        headers={"Authorization": f"Bearer {guarded.api.gateway_token}"})
    assert response.status_code == 200, response.text
    return response.json()


def activate_online(guarded: Guarded, kiosk: str, number: str, born: str,
                    http: httpx.Client | None = None) -> httpx.Response:
    return (http or guarded.api.http).post(
        f"{guarded.base_url}/v1/cards/{number}/activation", json={"full_name": NAME, "birth_date": born},
        headers={"Authorization": f"Bearer {kiosk}"})


def phone() -> str:
    return "+90555" + str(uuid.uuid4().int)[:7]


def status(guarded: Guarded, number: str) -> str:
    return guarded.api.card(number).json()["status"]


def test_trying_birth_dates_by_sms_stops_at_the_cards_budget_from_any_phone(guarded: Guarded):
    number = registered_card(guarded)
    last10 = number[-10:]
    wrong_dates = [BORN + dt.timedelta(days=day) for day in range(1, 30)]
    outcomes = [sms(guarded, phone(), last10, born)["outcome"] for born in wrong_dates]  # a new phone each time
    assert outcomes == ["wrong_birth_date"] * ACTIVATIONS_PER_HOUR + ["too_many_attempts"] * (29 - ACTIVATIONS_PER_HOUR)
    right = sms(guarded, phone(), last10, BORN)
    assert right["outcome"] == "too_many_attempts" and status(guarded, number) == "not_activated"
    online = activate_online(guarded, guarded.api.service.token, number, BORN.isoformat())  # one budget
    assert online.status_code == 429 and status(guarded, number) == "not_activated"
    guarded.advance_clock(3600 / ACTIVATIONS_PER_HOUR)  # one attempt comes back after 20 minutes
    assert sms(guarded, phone(), last10, BORN)["outcome"] == "activated"
    assert status(guarded, number) == "active"


def test_one_phone_cannot_map_which_digits_are_cards(guarded: Guarded):
    sender, real = phone(), registered_card(guarded)[-10:]
    probes = [new_card_number()[-10:] for _ in range(SMS_PER_SENDER_PER_HOUR)] + [real, new_card_number()[-10:]]
    answers = [sms(guarded, sender, last10, BORN + dt.timedelta(days=1)) for last10 in probes]
    assert [a["outcome"] for a in answers[:SMS_PER_SENDER_PER_HOUR]] == ["unknown_card"] * SMS_PER_SENDER_PER_HOUR
    real_answer, unknown_answer = answers[-2:]
    assert real_answer["outcome"] == unknown_answer["outcome"] == "too_many_attempts"
    assert real_answer["reply"].replace(real[-4:], "····") == unknown_answer["reply"].replace(probes[-1][-4:], "····")


def test_failed_online_activations_are_counted_across_concurrent_requests(guarded: Guarded):
    from concurrent.futures import ThreadPoolExecutor

    number = registered_card(guarded)
    dates = [(BORN + dt.timedelta(days=day)).isoformat() for day in range(1, 21)] + [BORN.isoformat()]
    kiosk = guarded.device()
    with ThreadPoolExecutor(len(dates)) as pool, httpx.Client(timeout=60) as http:
        answers = list(pool.map(lambda born: activate_online(guarded, kiosk, number, born, http).status_code, dates))
    assert answers.count(422) + answers.count(200) <= ACTIVATIONS_PER_HOUR  # checked at all
    assert answers.count(429) >= len(dates) - ACTIVATIONS_PER_HOUR
