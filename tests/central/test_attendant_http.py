"""Attendant mode over HTTP on SQLite and PostgreSQL: sessions, look-ups, holder search,
replacement by card ref, registration by an attendant, and the attendant audit."""
from __future__ import annotations

import datetime as dt
import re
import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import select

from central.storage.db import Database
from central.storage.models import Card, Holder
from tests.central.conftest import ATTENDANT_PIN, Api, admin, make_api, new_card_number, sixteen_digit_runs
from tests.rigs.central import running_central
from tests.rigs.holders import forget_phone

ENDER = "7000070012806566"
CARD_REF = re.compile(r"^\d+\.[0-9a-f]{24}$")
CONFIRMATION = re.compile(r"^[0-9A-HJKMNP-TV-Z]{6}$")


def new_attendant(api: Api, pin: str = "2468") -> str:
    code = f"att-{uuid.uuid4().hex[:8]}"
    admin(api.service, "add-attendant", "--code", code, "--name", "Yeni Görevli", stdin=pin + "\n")
    return code


def lookup(api: Api, session: str, number: str, token: str | None = None):
    return api.as_attendant("/v1/attendant/card-lookups", {"card_number": number}, session, token)


def search(api: Api, session: str, full_name: str, birth_date: str, phone: str):
    return api.as_attendant("/v1/attendant/holder-searches",
                            {"full_name": full_name, "birth_date": birth_date, "phone": phone}, session)


def replace_by_ref(api: Api, session: str, card_ref: str, new: str, key: str | None = None, token: str | None = None,
                   birth_date: str = "1980-05-17"):
    """By card ref, with the birth date read off the ID (``api.active_card``'s holder's by default)."""
    body = {"old_card_ref": card_ref, "new_card_number": new, "birth_date": birth_date}
    return api.as_attendant("/v1/replacements", body, session, token, key=key or uuid.uuid4().hex)


def actions(api: Api, code: str) -> list[dict[str, object]]:
    response = api.http.get("/v1/attendant-actions", params={"attendant": code, "limit": 100},
                            headers={"Authorization": f"Bearer {api.till_token}"})
    assert response.status_code == 200, response.text
    return response.json()["actions"]


def registered_card(api: Api, full_name: str, birth_date: str, phone: str, fuel: int = 0) -> str:
    number = new_card_number()
    assert api.register(number, full_name, birth_date, phone).status_code == 201
    if fuel:
        assert api.sale(number, fuel * 200).status_code == 201
    return number


def unique_name() -> str:
    """A holder name nobody else in the shared database has (letters only)."""
    return "ŞÜKRÜ " + "".join(chr(ord("A") + int(c, 16)) for c in uuid.uuid4().hex[:10]) + " ÇAĞLAR"


# --- sessions -------------------------------------------------------------------------------


def test_sign_in_opens_a_session(api: Api):
    before = dt.datetime.now(dt.timezone.utc)
    response = api.sign_in()
    assert response.status_code == 201, response.text
    body = response.json()
    assert len(body["session_token"]) >= 43  # 32 random bytes, urlsafe base64
    assert body["attendant"] == {"code": api.attendant_code, "name": "Test Görevli"}
    assert body["idle_timeout_seconds"] == 300
    expires = dt.datetime.fromisoformat(body["expires_at"].replace("Z", "+00:00")).replace(tzinfo=dt.timezone.utc)
    assert dt.timedelta(hours=11, minutes=59) < expires - before < dt.timedelta(hours=12, minutes=1)
    assert lookup(api, body["session_token"], ENDER).status_code == 200


def test_wrong_pins_count_down_then_lock(api: Api):
    code = new_attendant(api)
    answers = [api.sign_in(code, "1111") for _ in range(5)]
    assert [answer.status_code for answer in answers] == [401, 401, 401, 401, 403]
    assert [answer.json()["error"].get("attempts_left") for answer in answers[:4]] == [4, 3, 2, 1]
    assert {answer.json()["error"]["code"] for answer in answers[:4]} == {"bad_attendant_pin"}
    locked = answers[4].json()["error"]
    assert locked["code"] == "attendant_locked"
    assert locked["retry_after_seconds"] == int(answers[4].headers["Retry-After"]) == 900
    still_locked = api.sign_in(code, "2468")
    assert still_locked.status_code == 403
    assert 0 < still_locked.json()["error"]["retry_after_seconds"] <= 900
    assert int(still_locked.headers["Retry-After"]) > 0
    admin(api.service, "unlock-attendant", "--code", code)
    assert api.sign_in(code, "2468").status_code == 201


def test_a_right_pin_resets_the_countdown(api: Api):
    code = new_attendant(api)
    assert api.sign_in(code, "1111").json()["error"]["attempts_left"] == 4
    assert api.sign_in(code, "2468").status_code == 201
    assert api.sign_in(code, "1111").json()["error"]["attempts_left"] == 4


def test_an_unknown_code_is_answered_as_a_wrong_pin(api: Api):
    unknown, known = api.sign_in(f"nobody-{uuid.uuid4().hex[:8]}", "1234"), api.sign_in(new_attendant(api), "1234")
    assert unknown.status_code == known.status_code == 401
    assert unknown.json() == known.json() == {"error": {
        "code": "bad_attendant_pin", "message": "unknown attendant code or wrong PIN", "attempts_left": 4}}


def test_logout_ends_the_session(api: Api):
    session = api.attendant_session()
    headers = {"Authorization": f"Bearer {api.service.token}", "X-Attendant-Session": session}
    assert api.http.delete("/v1/attendant-sessions/current", headers=headers).status_code == 204
    for response in (lookup(api, session, ENDER), api.http.delete("/v1/attendant-sessions/current", headers=headers)):
        assert response.status_code == 401
        assert response.json()["error"]["code"] == "attendant_session_invalid"


def test_a_session_works_only_on_its_own_device(api: Api):
    session = api.attendant_session()
    other_kiosk = admin(api.service, "add-device", "--kind", "kiosk", "--name", "other-kiosk")
    for token in (other_kiosk, api.till_token):
        response = lookup(api, session, ENDER, token=token)
        assert response.status_code == 401
        assert response.json()["error"]["code"] == "attendant_session_invalid"
    assert lookup(api, session, ENDER).status_code == 200  # still fine where it was opened


def test_unknown_or_missing_session_is_refused(api: Api):
    assert lookup(api, "not-a-session-token-" + "x" * 30, ENDER).json()["error"]["code"] == "attendant_session_invalid"
    response = api.http.post("/v1/attendant/card-lookups", json={"card_number": ENDER},
                             headers={"Authorization": f"Bearer {api.service.token}"})
    assert response.status_code == 401 and response.json()["error"]["code"] == "attendant_session_invalid"


def test_gateways_cannot_sign_attendants_in(api: Api):
    assert api.sign_in(token=api.gateway_token).status_code == 403


IDLE_TIMEOUT_S, SESSION_MAX_S = 300, 1000


@pytest.fixture(scope="module")
def own_clock(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    """A service of its own (SQLite) whose clock the tests move: sessions end after 300 s idle or
    1,000 s in all."""
    workdir = tmp_path_factory.mktemp("central-own-clock")
    serve_args = ("--attendant-idle-timeout", str(IDLE_TIMEOUT_S), "--attendant-session-max", str(SESSION_MAX_S))
    with running_central(f"sqlite:///{workdir / 'central.db'}", workdir, serve_args=serve_args) as service:
        client = make_api(service, "sqlite")
        yield client
        client.http.close()


def test_an_idle_session_ends_and_each_use_restarts_the_wait(own_clock: Api):
    api = own_clock
    session = api.attendant_session()
    for _ in range(2):  # 400 s in all: longer than the idle timeout, but never idle that long
        api.service.advance_clock(IDLE_TIMEOUT_S - 100)
        assert lookup(api, session, ENDER).status_code == 200
    api.service.advance_clock(IDLE_TIMEOUT_S + 1)
    response = lookup(api, session, ENDER)
    assert response.status_code == 401 and response.json()["error"]["code"] == "attendant_session_invalid"
    expired = [action for action in actions(api, api.attendant_code) if action["action"] == "session_expired"]
    assert expired[0]["detail"] == "idle"


def test_a_busy_session_still_ends_at_its_maximum_age(own_clock: Api):
    api = own_clock
    session = api.attendant_session()
    answers = []
    for _ in range(5):  # a look-up every 250 s: never idle, and 1,250 s in all
        api.service.advance_clock(250)
        answers.append(lookup(api, session, ENDER).status_code)
    assert answers == [200, 200, 200, 401, 401]  # the fourth comes 1,000 s after sign-in
    expired = [action for action in actions(api, api.attendant_code) if action["action"] == "session_expired"]
    assert expired[0]["detail"] == "max_age"


# --- look-ups and searches ------------------------------------------------------------------


def test_card_lookup_masks_the_holder_with_turkish_letters_intact(api: Api):
    session = api.attendant_session()
    response = lookup(api, session, ENDER)
    assert response.status_code == 200, response.text
    card = response.json()
    assert CARD_REF.match(card["card_ref"])
    assert card["number_last4"] == "6566" and card["status"] == "active"
    assert set(card["pots"]) == {"fuel", "autogas"}
    assert card["holder"] == {"name_masked": "E**** A******", "birth_date_masked": "**.**.1974",
                              "phone_masked": "*******4567"}
    number = registered_card(api, "şükrü ılgaz İnce", "1981-04-05", "+905551119876")
    holder = lookup(api, session, number).json()["holder"]
    assert holder == {"name_masked": "Ş**** I**** İ***", "birth_date_masked": "**.**.1981",
                      "phone_masked": "*******9876"}


def test_card_lookup_of_an_unregistered_and_an_unknown_card(api: Api):
    session = api.attendant_session()
    blank = new_card_number()
    assert api.sale(blank, 20000).status_code == 201
    card = lookup(api, session, blank).json()
    assert card["holder"] is None and card["pots"] == {"fuel": 100, "autogas": 0}
    unknown = lookup(api, session, new_card_number())
    assert unknown.status_code == 404 and unknown.json()["error"]["code"] == "unknown_card"


def test_holder_search_needs_name_birth_date_and_phone_to_match(api: Api):
    name = unique_name()
    number = registered_card(api, name, "1974-03-20", "+905551119876", fuel=500)
    session = api.attendant_session()
    folded = name.replace("Ş", "s").replace("Ü", "u").replace("Ç", "c").replace("Ğ", "g").lower()
    found = search(api, session, folded, "1974-03-20", "05551119876")
    assert found.status_code == 200, found.text
    cards = found.json()["cards"]
    assert [card["number_last4"] for card in cards] == [number[-4:]]
    assert cards[0]["pots"]["fuel"] == 500 and cards[0]["holder"]["phone_masked"] == "*******9876"
    for wrong in ((name, "1974-03-21", "05551119876"), (name, "1974-03-20", "05551119875"),
                  ("ŞÜKRÜ BAŞKA ÇAĞLAR", "1974-03-20", "05551119876")):
        miss = search(api, session, *wrong)
        assert miss.status_code == 200 and miss.json() == {"cards": []}


def test_a_holder_without_a_phone_is_found_by_name_and_birth_date(api: Api):
    """Old holder records have no phone: searched without one, name and birth date find them;
    a phone given still has to match, so it finds none of them."""
    name = unique_name()
    number = registered_card(api, name, "1961-07-09", "+905551114321", fuel=200)
    forget_phone(api.service.database_url, number)
    session = api.attendant_session()
    cards = api.as_attendant("/v1/attendant/holder-searches", {"full_name": name, "birth_date": "1961-07-09"},
                             session).json()["cards"]
    assert [card["number_last4"] for card in cards] == [number[-4:]]
    assert cards[0]["holder"]["phone_masked"] is None
    assert search(api, session, name, "1961-07-09", "05551114321").json() == {"cards": []}
    wrong_date = api.as_attendant("/v1/attendant/holder-searches", {"full_name": name, "birth_date": "1961-07-10"}, session)
    assert wrong_date.json() == {"cards": []}


def test_holder_search_leaves_replaced_cards_out(api: Api):
    name = unique_name()
    registered_card(api, name, "1990-01-02", "+905551110000", fuel=300)
    session = api.attendant_session()
    ref = search(api, session, name, "1990-01-02", "+905551110000").json()["cards"][0]["card_ref"]
    new = new_card_number()
    assert replace_by_ref(api, session, ref, new, birth_date="1990-01-02").status_code == 201
    cards = search(api, session, name, "1990-01-02", "905551110000").json()["cards"]
    assert [card["number_last4"] for card in cards] == [new[-4:]]


# --- replacement by card ref ----------------------------------------------------------------


def test_replacement_by_card_ref_moves_both_pots_once(api: Api):
    old, new = api.active_card(fuel=700, autogas=300), new_card_number()
    session = api.attendant_session()
    ref = lookup(api, session, old).json()["card_ref"]
    key = uuid.uuid4().hex
    first = replace_by_ref(api, session, ref, new, key=key)
    assert first.status_code == 201, first.text
    receipt = first.json()
    assert CONFIRMATION.match(receipt["confirmation_code"])
    assert receipt["moved"] == {"fuel": 700, "autogas": 300}
    assert receipt["old_card"]["status"] == "replaced" and receipt["new_card"]["status"] == "active"
    assert api.sale(new, 20000).status_code == 201
    again = replace_by_ref(api, session, ref, new, key=key)
    assert again.status_code == 201 and again.headers["Idempotent-Replayed"] == "true"
    assert again.json() == receipt
    assert api.pots(new) == {"fuel": 800, "autogas": 300}
    assert api.pots(old) == {"fuel": 0, "autogas": 0}
    assert sum(event["kind"] == "replacement_in" for event in api.events(new)) == 2  # one per pot


def test_a_refused_replacement_is_audited_with_its_reason(api: Api):
    old = api.active_card(fuel=100)
    session = api.attendant_session()
    ref = lookup(api, session, old).json()["card_ref"]
    assert replace_by_ref(api, session, ref, new_card_number()).status_code == 201
    again = replace_by_ref(api, session, ref, new_card_number())  # a new request, not a retry
    assert again.status_code == 409 and again.json()["error"]["code"] == "card_replaced"
    refused = [row for row in actions(api, api.attendant_code) if row["action"] == "replacement_refused"]
    assert refused and refused[0]["detail"] == "card_replaced" and refused[0]["number_last4"] == old[-4:]


def test_confirmation_codes_differ(api: Api):
    codes = {api.replace(api.active_card(fuel=1), new_card_number(), "Deniz Işık", "1980-05-17")
             .json()["confirmation_code"] for _ in range(3)}
    assert len(codes) == 3 and all(CONFIRMATION.match(code) for code in codes)


def test_a_card_ref_works_only_in_its_own_session(api: Api):
    old = api.active_card(fuel=700)
    mine, other = api.attendant_session(), api.attendant_session()
    ref = lookup(api, mine, old).json()["card_ref"]
    card_id = ref.split(".")[0]
    forged = f"{card_id}.{'0' * 24}"
    for session, card_ref in ((other, ref), (mine, forged), (mine, card_id), (mine, "not a ref")):
        response = replace_by_ref(api, session, card_ref, new_card_number())
        assert response.status_code == 404 and response.json()["error"]["code"] == "unknown_card"
    by_pin = api.http.post("/v1/replacements",
                           json={"old_card_ref": ref, "new_card_number": new_card_number(), "birth_date": "1980-05-17"},
                           headers={"Authorization": f"Bearer {api.till_token}", "Idempotency-Key": uuid.uuid4().hex,
                                    "X-Attendant-Code": api.attendant_code, "X-Attendant-Pin": ATTENDANT_PIN})
    assert by_pin.status_code == 404
    assert api.pots(old)["fuel"] == 700


def test_a_card_ref_replacement_needs_a_birth_date(api: Api):
    session = api.attendant_session()
    ref = lookup(api, session, api.active_card(fuel=1)).json()["card_ref"]
    response = api.as_attendant("/v1/replacements", {"old_card_ref": ref, "new_card_number": new_card_number()},
                                session, key=uuid.uuid4().hex)
    assert response.status_code == 422


def test_replacement_needs_an_attendant(api: Api):
    response = api.http.post("/v1/replacements", json={"old_card_number": ENDER, "new_card_number": new_card_number(),
                                                       "full_name": "ENDER AYTEKİN", "birth_date": "1974-03-20"},
                             headers={"Authorization": f"Bearer {api.till_token}", "Idempotency-Key": "k1"})
    assert response.status_code == 401 and response.json()["error"]["code"] == "attendant_required"


# --- registration ---------------------------------------------------------------------------


def register_as_attendant(api: Api, session: str, number: str, full_name: str, key: str | None):
    body = {"card_number": number, "full_name": full_name, "birth_date": "1985-06-07", "phone": "+905551112233",
            "consent": True}
    return api.as_attendant("/v1/registrations", body, session, key=key)


def test_registration_by_an_attendant_is_idempotent_and_names_them(api: Api):
    session, number, key = api.attendant_session(), new_card_number(), uuid.uuid4().hex
    first = register_as_attendant(api, session, number, "ayşe gül öztürk", key)
    assert first.status_code == 201, first.text
    again = register_as_attendant(api, session, number, "ayşe gül öztürk", key)
    assert again.status_code == 201 and again.json() == first.json()
    assert again.headers["Idempotent-Replayed"] == "true"
    without_key = register_as_attendant(api, session, number, "ayşe gül öztürk", None)
    assert without_key.status_code == 409 and without_key.json()["error"]["code"] == "already_registered"
    registered = [event for event in api.events(number) if event["kind"] == "registered"]
    assert len(registered) == 1 and registered[0]["attendant_id"] is not None
    assert lookup(api, session, number).json()["holder"]["name_masked"] == "A*** G** Ö*****"


def test_registration_by_pin_headers_and_without_an_attendant(api: Api):
    number = new_card_number()
    body = {"card_number": number, "full_name": "Can Öz", "birth_date": "1999-09-09", "phone": "+905551112233",
            "consent": True}
    headers = {"Authorization": f"Bearer {api.till_token}", "X-Attendant-Code": api.attendant_code,
               "X-Attendant-Pin": "0000"}
    wrong = api.http.post("/v1/registrations", json=body, headers=headers)
    assert wrong.status_code == 401 and wrong.json()["error"]["code"] == "bad_attendant_pin"
    assert api.register(number, "Can Öz", "1999-09-09").status_code == 201  # a till without an attendant (docs/SECURITY.md)
    assert [event["attendant_id"] for event in api.events(number) if event["kind"] == "registered"] == [None]


@pytest.mark.parametrize(("given", "stored"), [
    ("ŞÜKRÜ IŞIK ÇAĞLAR", "ŞÜKRÜ IŞIK ÇAĞLAR"),
    ("ayşe gül öztürk", "AYŞE GÜL ÖZTÜRK"),
    ("  ilker   ılgaz ", "İLKER ILGAZ"),
])
def test_registered_names_are_stored_in_turkish_upper_case(api: Api, given: str, stored: str):
    session, number = api.attendant_session(), new_card_number()
    assert register_as_attendant(api, session, number, given, uuid.uuid4().hex).status_code == 201
    database = Database.connect(api.service.database_url)
    try:
        with database.reader() as db:
            assert db.scalar(select(Holder.full_name).join(Card, Card.holder_id == Holder.id)
                             .where(Card.number == number)) == stored
    finally:
        database.dispose()


# --- the attendant audit --------------------------------------------------------------------


def test_everything_an_attendant_does_is_audited_without_secrets(api: Api):
    code = new_attendant(api, pin="9753")
    name = unique_name()
    old = registered_card(api, name, "1977-07-07", "+905551114444", fuel=100)
    started = dt.datetime.now(dt.timezone.utc) - dt.timedelta(seconds=5)
    assert api.sign_in(code, "1111").status_code == 401
    session = api.attendant_session(code, "9753")
    ref = lookup(api, session, old).json()["card_ref"]
    assert len(search(api, session, name, "1977-07-07", "+905551114444").json()["cards"]) == 1
    new = new_card_number()
    receipt = replace_by_ref(api, session, ref, new, birth_date="1977-07-07").json()
    registered = new_card_number()
    assert register_as_attendant(api, session, registered, "Deniz Işık", None).status_code == 201
    headers = {"Authorization": f"Bearer {api.service.token}", "X-Attendant-Session": session}
    assert api.http.delete("/v1/attendant-sessions/current", headers=headers).status_code == 204

    rows = actions(api, code)
    assert [row["action"] for row in rows] == [
        "logout", "registration", "replacement", "holder_search", "card_lookup", "login", "login_failed"]
    for row in rows:
        assert row["attendant_code"] == code and row["device_name"] == "rig-kiosk"
        at = dt.datetime.fromisoformat(row["at"].replace("Z", "+00:00")).replace(tzinfo=dt.timezone.utc)
        assert started <= at <= dt.datetime.now(dt.timezone.utc)
    by_action = {row["action"]: row for row in rows}
    assert by_action["login_failed"]["detail"] == "wrong PIN, 4 left"
    assert by_action["card_lookup"]["number_last4"] == old[-4:]
    assert by_action["holder_search"]["detail"] == "1 card(s) found"
    assert by_action["replacement"]["number_last4"] == old[-4:]
    assert receipt["confirmation_code"] in by_action["replacement"]["detail"]
    assert new[-4:] in by_action["replacement"]["detail"]
    assert by_action["registration"]["number_last4"] == registered[-4:]

    printed = admin(api.service, "attendant-actions", "--attendant", code, "--limit", "3")
    assert len(printed.splitlines()) == 3
    assert '"action":"logout"' in printed.splitlines()[0]
    for text in (str(rows), printed):
        assert not sixteen_digit_runs(text)
        assert session not in text and name not in text and name.split()[1] not in text
    details = " ".join(str(row["detail"]) for row in rows)  # a masked card's "…last4" may hold any digits
    assert not re.search(r"(?<![\d…])(9753|1111)(?!\d)", details)


def test_unknown_codes_and_lockouts_are_audited(api: Api):
    code = new_attendant(api)
    for _ in range(5):
        api.sign_in(code, "1111")
    assert api.sign_in("no-such-code", "1111").status_code == 401
    rows = actions(api, code)
    assert [row["action"] for row in rows][:2] == ["locked_out", "login_failed"]
    unknown = api.http.get("/v1/attendant-actions", params={"limit": 50},
                           headers={"Authorization": f"Bearer {api.operations_token}"}).json()["actions"]
    assert any(row["attendant_code"] is None and row["detail"] == "unknown attendant code" for row in unknown)


def test_the_audit_is_for_tills_and_operations(api: Api):
    response = api.http.get("/v1/attendant-actions", headers={"Authorization": f"Bearer {api.service.token}"})
    assert response.status_code == 403
