"""No full card number (nor attendant PIN or session token) in any answer, audit row or log line,
whatever the request (SQLite and PostgreSQL)."""
from __future__ import annotations

import secrets
import uuid

from tests.central.conftest import Api, admin, new_card_number, sixteen_digit_runs



def test_no_full_number_in_answers_or_logs(api: Api):
    card = api.active_card(fuel=300)
    other = new_card_number()
    answers = [
        api.card(card), api.card(other), api.card(card[:-1] + str((int(card[-1]) + 1) % 10)),
        api.sale(card, 20000), api.redeem(card, 100_000), api.redeem(other, 1),
        api.register(card, "X Y", "1990-01-01"), api.activate(other, "X Y", "1990-01-01"),
        api.replace(card, other, "Yanlış İsim", "1980-05-17"), api.replace(card, card, "Deniz Işık", "1980-05-17"),
        api.sms(f"PARO {card[-10:]} DENIZ ISIK 17.05.1980"), api.sms(f"PARO {card} DENIZ ISIK 17.05.1980"),
    ]
    for response in answers:
        assert not sixteen_digit_runs(response.text), response.text
    log = api.service.log_text()
    assert "…" + card[-4:] in log
    assert not sixteen_digit_runs(log)
    assert card[-10:] not in log


def test_attendant_mode_leaves_no_number_pin_or_token_in_answers_or_logs(api: Api):
    # A PIN of its own, 8 random digits: the service's log is shared by every test of the session
    # and holds hundreds of masked numbers, any of whose last four may be a 4-digit PIN.
    code, pin = f"priv-{uuid.uuid4().hex[:8]}", f"{secrets.randbelow(10**8):08d}"
    admin(api.service, "add-attendant", "--code", code, "--name", "Gizli Görevli", stdin=pin + "\n")
    card, new = api.active_card(fuel=300), new_card_number()
    session = api.attendant_session(code, pin)
    lookup = api.as_attendant("/v1/attendant/card-lookups", {"card_number": card}, session)
    answers = [
        api.sign_in(code, "0000"), api.sign_in("nobody", "0000"), lookup,
        api.as_attendant("/v1/attendant/card-lookups", {"card_number": new}, session),
        api.as_attendant("/v1/attendant/holder-searches",
                         {"full_name": "Deniz Işık", "birth_date": "1980-05-17", "phone": "+905321234567"}, session),
        api.as_attendant("/v1/replacements", {"old_card_ref": lookup.json()["card_ref"], "new_card_number": card,
                                              "birth_date": "1980-05-17"}, session, key=uuid.uuid4().hex),
        api.as_attendant("/v1/replacements", {"old_card_ref": lookup.json()["card_ref"], "new_card_number": new,
                                              "birth_date": "1980-05-17"}, session, key=uuid.uuid4().hex),
        api.as_attendant("/v1/attendant/card-lookups", {"card_number": card}, "wrong" + session),
    ]
    assert [response.status_code for response in answers] == [401, 401, 200, 404, 200, 422, 201, 401]
    for response in answers:
        assert not sixteen_digit_runs(response.text), response.text
    audit = api.http.get("/v1/attendant-actions", params={"limit": 1000},
                         headers={"Authorization": f"Bearer {api.till_token}"}).json()["actions"]
    details = " ".join(str(row["detail"]) for row in audit)
    log = api.service.log_text()
    for text in (str(audit), log):
        assert not sixteen_digit_runs(text)
        assert card[-10:] not in text and new[-10:] not in text
        assert session not in text and "DENİZ IŞIK" not in text
    assert pin not in details and pin not in log
