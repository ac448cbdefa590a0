"""Findings 5 and 7 of #14: a replacement absorbed whatever was on the "new" card, and a
replacement by ``card_ref`` needed only ``identity_checked: true`` from the client."""
from __future__ import annotations

import uuid

import httpx

from tests.central.conftest import Api, new_card_number


def by_ref(api: Api, session: str, old_ref: str, new_number: str, **proof: object) -> httpx.Response:
    body = {"old_card_ref": old_ref, "new_card_number": new_number, **proof}
    return api.as_attendant("/v1/replacements", body, session, key=uuid.uuid4().hex)


def look_up(api: Api, session: str, number: str) -> str:
    response = api.as_attendant("/v1/attendant/card-lookups", {"card_number": number}, session)
    assert response.status_code == 200, response.text
    return response.json()["card_ref"]


def stranger_card_with_points(api: Api) -> str:
    """An unregistered card with 50,00 points earned at a till (the stranger's)."""
    number = new_card_number()
    assert api.sale(number, 5000 * 200, "dizel").status_code == 201
    return number


def test_a_replacement_cannot_absorb_a_strangers_unregistered_card_and_points(api: Api):
    old = api.active_card(fuel=100)
    stranger = stranger_card_with_points(api)
    before = api.pots(stranger)
    response = api.replace(old, stranger, "Deniz Işık", "1980-05-17")
    assert response.status_code == 409, response.text
    assert response.json()["error"]["code"] == "new_card_not_blank"
    assert api.pots(stranger) == before
    assert api.card(old).json()["status"] == "active"


def test_a_replacement_cannot_take_a_registered_card_of_the_same_holder_or_another(api: Api):
    old = api.active_card(fuel=10)
    registered = new_card_number()
    assert api.register(registered, "Deniz Işık", "1980-05-17").status_code == 201
    response = api.replace(old, registered, "Deniz Işık", "1980-05-17")
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "new_card_not_blank"


def test_a_used_card_with_no_points_left_is_not_blank(api: Api):
    """A card that earned nothing but was sold on (a 199-kuruş sale earns 0) has a history: not blank."""
    old = api.active_card(fuel=10)
    used = new_card_number()
    assert api.sale(used, 199, "dizel").status_code == 201
    assert api.pots(used) == {"fuel": 0, "autogas": 0}
    assert api.replace(old, used, "Deniz Işık", "1980-05-17").json()["error"]["code"] == "new_card_not_blank"


def test_a_card_ref_replacement_needs_the_birth_date_off_the_id_not_a_boolean(api: Api):
    old = api.active_card(fuel=100)
    new = new_card_number()
    session = api.attendant_session()
    ref = look_up(api, session, old)

    claimed = by_ref(api, session, ref, new, identity_checked=True)
    assert claimed.status_code == 422, claimed.text

    wrong = by_ref(api, session, ref, new, birth_date="1980-05-18")
    assert wrong.status_code == 422, wrong.text
    assert wrong.json()["error"]["code"] == "wrong_birth_date"
    assert api.card(old).json()["status"] == "active"
    audit = api.http.get("/v1/attendant-actions", params={"attendant": api.attendant_code, "limit": 5},
                         headers={"Authorization": f"Bearer {api.till_token}"}).json()["actions"]
    assert any(row["action"] == "replacement_refused" and row["detail"] == "wrong_birth_date" for row in audit)

    right = by_ref(api, session, ref, new, birth_date="1980-05-17")
    assert right.status_code == 201, right.text
    assert right.json()["moved"]["fuel"] == 100
