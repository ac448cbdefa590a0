"""Registration, online activation and SMS activation over HTTP, on SQLite and PostgreSQL."""
from __future__ import annotations

import datetime as dt

import pytest

from tests.central.conftest import Api, make_api, new_card_number
from tests.rigs.central import running_central, write_clock_file


def registered_card(api: Api, name: str = "Ayşe Şahin", birth_date: str = "1988-11-02") -> str:
    number = new_card_number()
    assert api.register(number, name, birth_date).status_code == 201
    return number


def test_registration_before_first_use_creates_the_card(api: Api):
    number = new_card_number()
    response = api.register(number, "  mehmet   yılmaz ", "1990-01-31")
    assert response.status_code == 201
    assert response.json()["holder_registered"] is True
    assert response.json()["status"] == "not_activated"
    assert api.sale(number, 20000).status_code == 201
    assert api.pots(number)["fuel"] == 100


def test_registration_after_first_use_keeps_the_points(api: Api):
    number = new_card_number()
    assert api.sale(number, 20000).status_code == 201
    assert api.register(number, "Mehmet Yılmaz", "1990-01-31").status_code == 201
    assert api.pots(number)["fuel"] == 100


def test_a_card_is_registered_once(api: Api):
    number = registered_card(api)
    response = api.register(number, "Başka Biri", "1970-01-01")
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "already_registered"


@pytest.mark.parametrize("field", [{"birth_date": "2999-01-01"}, {"phone": "call me"}, {"consent": "maybe"},
                                   {"full_name": ""}, {"card_number": "7000070012806567"}])
def test_bad_registration_fields_are_json_errors(api: Api, field):
    body = {"card_number": new_card_number(), "full_name": "Ali Veli", "birth_date": "1990-01-01",
            "phone": "+905321234567", "consent": True, **field}
    response = api.http.post("/v1/registrations", json=body, headers={"Authorization": f"Bearer {api.till_token}"})
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "invalid_request"


@pytest.mark.parametrize("given", ["ayşe şahin", "AYSE SAHIN", "  Ayşe    ŞAHİN ", "ayse sahin"])
def test_online_activation_matches_names_the_turkish_way(api: Api, given):
    number = registered_card(api)
    response = api.activate(number, given, "1988-11-02")
    assert response.status_code == 200
    assert response.json()["status"] == "active"


def test_lower_case_i_matches_dotted_capital(api: Api):
    number = registered_card(api, "ENDER AYTEKİN", "1974-03-20")
    assert api.activate(number, "ender aytekin", "1974-03-20").status_code == 200


@pytest.mark.parametrize(
    ("name", "birth_date", "code"),
    [
        ("Ayşe Şahin", "1988-11-03", "wrong_birth_date"),
        ("Ayşe Yılmaz", "1988-11-02", "wrong_name"),
        ("Ali Veli", "1970-01-01", "wrong_name_and_birth_date"),
    ],
)
def test_online_activation_says_what_to_fix(api: Api, name, birth_date, code):
    number = registered_card(api)
    response = api.activate(number, name, birth_date)
    assert response.status_code == 422
    assert response.json()["error"]["code"] == code
    assert api.card(number).json()["status"] == "not_activated"


def test_activating_twice_is_harmless(api: Api):
    number = registered_card(api)
    assert api.activate(number, "Ayşe Şahin", "1988-11-02").status_code == 200
    assert api.activate(number, "Ayşe Şahin", "1988-11-02").status_code == 200
    assert [e["kind"] for e in api.events(number)].count("activated") == 1


def test_unregistered_card_cannot_be_activated(api: Api):
    number = new_card_number()
    assert api.sale(number, 1000).status_code == 201
    response = api.activate(number, "Ayşe Şahin", "1988-11-02")
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "not_registered"


def test_unknown_card_activation_is_404(api: Api):
    response = api.activate(new_card_number(), "Ayşe Şahin", "1988-11-02")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "unknown_card"


def test_sms_activates_the_card(api: Api):
    number = registered_card(api, "Ender Aytekin", "1974-03-20")
    response = api.sms(f"PARO {number[-10:]} ENDER AYTEKIN 20.03.1974")
    assert response.status_code == 200
    body = response.json()
    assert body["outcome"] == "activated"
    assert number[-4:] in body["reply"] and number[-10:] not in body["reply"]
    assert api.card(number).json()["status"] == "active"
    assert api.sms(f"paro {number[-10:]}   ender   aytekin 20.03.1974").json()["outcome"] == "already_active"


def test_sms_with_a_wrong_date_is_answered_not_activated(api: Api):
    number = registered_card(api, "Ender Aytekin", "1974-03-20")
    body = api.sms(f"PARO {number[-10:]} ENDER AYTEKİN 21.03.1974").json()
    assert body["outcome"] == "wrong_birth_date"
    assert "doğum tarihi" in body["reply"].lower()
    assert api.card(number).json()["status"] == "not_activated"


def test_malformed_sms_gets_a_reply_saying_what_to_fix(api: Api):
    body = api.sms("PARO 12345 ENDER").json()
    assert body["outcome"] == "card_wrong_length"
    assert body["reply"]


def test_sms_for_unknown_digits(api: Api):
    body = api.sms("PARO 9999999999 ALİ VELİ 01.01.1970").json()
    assert body["outcome"] == "unknown_card"
    assert "9999" in body["reply"]


def test_two_cards_sharing_last_10_digits_are_told_apart_by_name_and_date(api: Api):
    last10 = new_card_number()[-10:]
    first = next(n for n in (f"{p}{last10}" for p in range(700000, 800000)) if _luhn(n))
    second = next(n for n in (f"{p}{last10}" for p in range(int(first[:6]) + 1, 800000)) if _luhn(n))
    assert api.register(first, "Zeynep Kaya", "1985-07-01").status_code == 201
    assert api.register(second, "Emre Kaya", "1990-02-14").status_code == 201
    body = api.sms(f"PARO {last10} EMRE KAYA 14.02.1990").json()
    assert body["outcome"] == "activated"
    assert api.card(second).json()["status"] == "active"
    assert api.card(first).json()["status"] == "not_activated"


def test_sms_endpoint_is_for_the_gateway_only(api: Api):
    response = api.http.post("/v1/sms/inbound", json={"from": "1", "to": "6738", "text": "PARO"},
                             headers={"Authorization": f"Bearer {api.till_token}"})
    assert response.status_code == 403


def _luhn(number: str) -> bool:
    from opetcard.numbers import luhn_valid

    return luhn_valid(number)


@pytest.mark.parametrize(("utc_time", "outcome"), [
    # 22:30 UTC on 7 December is 01:30 on the 8th at the stations: a holder born on
    # 8 December 2016 has turned 10 there (the youngest the SMS rule accepts), though not yet
    # by the server's own (UTC) date. An hour earlier it is still the 7th in Istanbul too.
    ("2026-12-07T22:30:00+00:00", "wrong_birth_date"),
    ("2026-12-07T20:30:00+00:00", "date_too_recent"),
])
def test_the_sms_birth_date_is_checked_against_the_date_in_istanbul(
    tmp_path, monkeypatch: pytest.MonkeyPatch, utc_time: str, outcome: str
) -> None:
    """``wrong_birth_date``: the date passed the plausibility check and was compared with the
    holder record (ENDER AYTEKİN's is 20.03.1974)."""
    clock = tmp_path / "clock"
    write_clock_file(clock, f"@{dt.datetime.fromisoformat(utc_time).timestamp()!r}")
    monkeypatch.setenv("TZ", "UTC")  # the server's own zone, as on most hosts
    with running_central(f"sqlite:///{tmp_path / 'central.db'}", tmp_path, clock_path=clock) as service:
        api = make_api(service, "sqlite")
        try:
            body = api.sms("PARO 0012806566 ENDER AYTEKİN 08.12.2016").json()
        finally:
            api.http.close()
    assert body["outcome"] == outcome
