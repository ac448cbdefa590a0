"""Finding 9 of #14: one ``gateway`` kind was both the SMS gateway and operations, so the SMS
integration's token read audit trails and the fleet, registered holders and tried attendant PINs."""
from __future__ import annotations

import uuid

import pytest
from sqlalchemy import select, text

from central.storage.db import Database, migrate
from central.storage.models import Device
from central.domain.tokens import hash_token, new_token
from tests.central.conftest import Api, station_now

CARD = "7000071234567895"

EVERYTHING_BUT_SMS = [
    ("GET", f"/v1/cards/{CARD}?entry=tapped", None),
    ("GET", "/v1/cards/by-uid/04A1B2C3D4E5F6?entry=tapped", None),
    ("POST", f"/v1/cards/{CARD}/activation", {"full_name": "AYŞE ŞAHİN", "birth_date": "1988-11-02"}),
    ("GET", f"/v1/cards/{CARD}/events", None),
    ("GET", "/v1/attendant-actions", None),
    ("GET", "/v1/kiosks", None),
    ("POST", "/v1/attendant-sessions", {"code": "1001", "pin": "1234"}),
    ("POST", "/v1/registrations", {"card_number": CARD, "full_name": "X Y", "birth_date": "1990-01-01",
                                   "phone": "+905550000000", "consent": True}),
    ("POST", "/v1/sales", {"card_number": CARD, "fuel_type": "benzin", "amount": 100, "station": "S",
                           "sold_at": station_now()}),
    ("POST", "/v1/kiosks/heartbeat", {"app_version": "t", "uptime_seconds": 1}),
    ("POST", "/v1/assistance", {"reason": "lost_card"}),
]


def call(api: Api, token: str, method: str, path: str, body: object) -> int:
    headers = {"Authorization": f"Bearer {token}", "Idempotency-Key": uuid.uuid4().hex}
    return api.http.request(method, path, json=body, headers=headers).status_code


@pytest.mark.parametrize(("method", "path", "body"), EVERYTHING_BUT_SMS, ids=[f"{m} {p}" for m, p, _ in EVERYTHING_BUT_SMS])
def test_the_sms_gateway_token_can_do_nothing_but_inbound_sms(api: Api, method: str, path: str, body: object):
    assert call(api, api.gateway_token, method, path, body) == 403


def test_the_sms_gateway_token_still_posts_inbound_sms(api: Api):
    answer = api.sms("MERHABA")  # a malformed text: answered with the help, no activation attempt spent
    assert answer.status_code == 200 and answer.json()["outcome"] != "activated"


def test_operations_reads_audits_and_the_fleet_but_signs_nobody_in(api: Api):
    token = api.operations_token
    assert call(api, token, "GET", f"/v1/cards/{CARD}/events", None) == 200
    assert call(api, token, "GET", "/v1/attendant-actions", None) == 200
    assert call(api, token, "GET", "/v1/kiosks", None) == 200
    assert call(api, token, "POST", "/v1/attendant-sessions", {"code": "1001", "pin": "1234"}) == 403
    assert call(api, token, "POST", "/v1/sms/inbound", {"from": "+905321234567", "to": "6738", "text": "PARO"}) == 403


def test_migration_turns_old_gateways_into_sms_gateways(empty_database_url: str):
    from alembic import command

    from central.storage.db import alembic_config

    command.upgrade(alembic_config(empty_database_url), "0005")
    token = new_token()
    database = Database.connect(empty_database_url)
    try:
        with database.transaction() as session:
            session.execute(text(
                "INSERT INTO devices (kind, name, token_hash, created_at) "
                "VALUES ('gateway', 'old gateway', :token_hash, CURRENT_TIMESTAMP)"), {"token_hash": hash_token(token)})
        migrate(empty_database_url)
        with database.reader() as session:
            assert session.scalars(select(Device.kind)).all() == ["sms_gateway"]
    finally:
        database.dispose()
