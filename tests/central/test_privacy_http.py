"""No full card number in any answer or log line, whatever the request (SQLite and PostgreSQL)."""
from __future__ import annotations

import re

from tests.central.conftest import Api, new_card_number

SIXTEEN_DIGITS = re.compile(r"(?<!\d)\d{16}(?!\d)")


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
        assert not SIXTEEN_DIGITS.search(response.text), response.text
    log = api.service.log_text()
    assert "…" + card[-4:] in log
    assert not SIXTEEN_DIGITS.search(log)
    assert card[-10:] not in log
