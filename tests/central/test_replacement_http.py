"""Card replacement by an attendant over HTTP, on SQLite and PostgreSQL."""
from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor

from tests.central.conftest import Api, admin, new_card_number

HOLDER = ("Deniz Işık", "1980-05-17")  # what Api.active_card registers


def test_replacement_moves_both_pots_and_keeps_the_activation(api: Api):
    old, new = api.active_card(fuel=700, autogas=300), new_card_number()
    response = api.replace(old, new, "DENIZ ISIK", "1980-05-17")
    assert response.status_code == 201, response.text
    receipt = response.json()
    assert receipt["moved"] == {"fuel": 700, "autogas": 300}
    assert receipt["old_card"]["status"] == "replaced"
    assert receipt["new_card"]["status"] == "active" and receipt["new_card"]["holder_registered"] is True
    assert api.pots(old) == {"fuel": 0, "autogas": 0}
    assert api.pots(new) == {"fuel": 700, "autogas": 300}
    assert api.redeem(new, 100).status_code == 201


def test_a_new_card_with_points_is_refused_not_absorbed(api: Api):
    old, new = api.active_card(fuel=700), new_card_number()
    assert api.sale(new, 20000).status_code == 201
    response = api.replace(old, new, *HOLDER)
    assert response.status_code == 409 and response.json()["error"]["code"] == "new_card_not_blank"
    assert api.pots(new)["fuel"] == 100 and api.pots(old)["fuel"] == 700


def test_replaced_card_refuses_further_use(api: Api):
    old, new = api.active_card(fuel=700), new_card_number()
    assert api.replace(old, new, *HOLDER).status_code == 201
    for response in (api.sale(old, 10000), api.redeem(old, 1)):
        assert response.status_code == 409
        assert response.json()["error"]["code"] == "card_replaced"
    again = api.replace(old, new_card_number(), *HOLDER)
    assert again.status_code == 409 and again.json()["error"]["code"] == "card_replaced"
    assert api.card(old).json()["status"] == "replaced"


def test_retried_replacement_returns_the_first_result_and_moves_nothing_again(api: Api):
    old, new = api.active_card(fuel=700), new_card_number()
    key = uuid.uuid4().hex
    first = api.replace(old, new, *HOLDER, key=key)
    assert api.sale(new, 20000).status_code == 201
    again = api.replace(old, new, *HOLDER, key=key)
    assert again.status_code == 201
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    assert api.pots(new)["fuel"] == 800


def test_identity_must_match_the_holder_record(api: Api):
    old, new = api.active_card(fuel=700), new_card_number()
    response = api.replace(old, new, "Deniz Işık", "1980-05-18")
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "wrong_birth_date"
    assert api.pots(old)["fuel"] == 700
    assert api.card(new).status_code == 404  # nothing was kept, not even the new card


def test_unregistered_old_card_cannot_be_replaced(api: Api):
    old = new_card_number()
    assert api.sale(old, 20000).status_code == 201
    response = api.replace(old, new_card_number(), *HOLDER)
    assert response.status_code == 409 and response.json()["error"]["code"] == "not_registered"


def test_new_card_of_another_holder_is_refused(api: Api):
    old, other = api.active_card(fuel=700), new_card_number()
    assert api.register(other, "Başka Biri", "1970-01-01").status_code == 201
    response = api.replace(old, other, *HOLDER)
    assert response.status_code == 409 and response.json()["error"]["code"] == "new_card_not_blank"


def test_wrong_pin_is_refused_and_locks_after_five_tries(api: Api):
    code = f"att-{uuid.uuid4().hex[:8]}"
    admin(api.service, "add-attendant", "--code", code, "--name", "Kilitli", stdin="2468\n")
    old, new = api.active_card(fuel=700), new_card_number()
    statuses = [api.replace(old, new, *HOLDER, pin="1111", attendant=code).status_code for _ in range(5)]
    assert statuses == [401, 401, 401, 401, 403]
    locked = api.replace(old, new, *HOLDER, pin="2468", attendant=code)
    assert locked.status_code == 403
    assert locked.json()["error"]["code"] == "attendant_locked"
    assert int(locked.headers["Retry-After"]) > 0
    admin(api.service, "unlock-attendant", "--code", code)
    assert api.replace(old, new, *HOLDER, pin="2468", attendant=code).status_code == 201


def test_unknown_attendant_is_401(api: Api):
    response = api.replace(api.active_card(), new_card_number(), *HOLDER, attendant="nobody")
    assert response.status_code == 401 and response.json()["error"]["code"] == "bad_attendant_pin"


def test_two_kiosks_replacing_the_same_card_at_once_move_it_exactly_once(api: Api):
    old = api.active_card(fuel=700, autogas=300)
    targets = [new_card_number() for _ in range(6)]
    # Six kiosks, each with the attendant signed in (code and PIN per request would be six
    # concurrent sign-ins of one code: the fifth locks it until one of them is found right).
    kiosks = [admin(api.service, "add-device", "--kind", "kiosk", "--name", f"desk-{n}") for n in range(len(targets))]
    sessions = [api.attendant_session(token=kiosk) for kiosk in kiosks]

    def replace(new: str, kiosk: str, session: str):
        body = {"old_card_number": old, "new_card_number": new, "full_name": HOLDER[0], "birth_date": HOLDER[1]}
        return api.as_attendant("/v1/replacements", body, session, token=kiosk, key=uuid.uuid4().hex)

    with ThreadPoolExecutor(len(targets)) as pool:
        responses = list(pool.map(replace, targets, kiosks, sessions))
    statuses = sorted(response.status_code for response in responses)
    assert statuses == [201] + [409] * (len(targets) - 1), [r.text for r in responses]
    winner = next(new for new, response in zip(targets, responses) if response.status_code == 201)
    assert api.pots(winner) == {"fuel": 700, "autogas": 300}
    assert api.pots(old) == {"fuel": 0, "autogas": 0}
    for new in targets:
        if new != winner:
            assert api.card(new).status_code == 404


def test_concurrent_retries_with_one_key_move_once(api: Api):
    old, new = api.active_card(fuel=700), new_card_number()
    key = uuid.uuid4().hex
    with ThreadPoolExecutor(5) as pool:
        responses = list(pool.map(lambda _: api.replace(old, new, *HOLDER, key=key), range(5)))
    assert {response.status_code for response in responses} == {201}
    assert len({response.text for response in responses}) == 1
    assert api.pots(new)["fuel"] == 700
    assert sum(1 for event in api.events(new) if event["kind"] == "replacement_in") == 1


def test_pin_is_checked_before_anything_moves(api: Api):
    old, new = api.active_card(fuel=700), new_card_number()
    assert api.replace(old, new, *HOLDER, pin="0000").status_code == 401
    assert api.pots(old)["fuel"] == 700
