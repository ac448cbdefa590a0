"""Finding 1 of #14: a kiosk's token alone registered a stranger's unregistered card (and minted
card rows for numbers nobody had issued); the SMS gateway and operations tokens could too."""
from __future__ import annotations

import httpx

from tests.central.conftest import Api, new_card_number

UNREGISTERED = "7000079876543215"  # demo: no holder, 150,75 autogas


def form(number: str) -> dict[str, object]:
    return {"card_number": number, "full_name": "Mallory Kötü", "birth_date": "1990-01-01",
            "phone": "+905550000000", "consent": True}


def register_with(api: Api, token: str, number: str, **headers: str) -> httpx.Response:
    return api.http.post("/v1/registrations", json=form(number),
                         headers={"Authorization": f"Bearer {token}", **headers})


def test_a_kiosk_token_alone_cannot_register_someones_card(api: Api):
    response = register_with(api, api.service.token, UNREGISTERED)
    assert response.status_code == 401, response.text
    assert response.json()["error"]["code"] == "attendant_required"
    assert api.card(UNREGISTERED).json()["holder_registered"] is False


def test_a_kiosk_token_alone_mints_no_card_row(api: Api):
    number = new_card_number()
    assert register_with(api, api.service.token, number).status_code == 401
    assert api.card(number).status_code == 404


def test_gateway_and_operations_tokens_cannot_register(api: Api):
    for token in (api.gateway_token, api.operations_token):
        number = new_card_number()
        assert register_with(api, token, number).status_code == 403
        assert api.card(number).status_code == 404


def test_a_kiosk_registers_inside_an_attendant_session_and_the_audit_names_the_attendant(api: Api):
    number = new_card_number()
    session = api.attendant_session()
    response = api.as_attendant("/v1/registrations", form(number), session)
    assert response.status_code == 201, response.text
    registered = [event for event in api.events(number) if event["kind"] == "registered"]
    assert registered and registered[0]["attendant_id"] is not None
