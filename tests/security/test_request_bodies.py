"""Finding 11 of #14 (central): loose integers and repeated keys, invisible characters in names,
no body limit in the app, API docs served in production, token files left 0644."""
from __future__ import annotations

import json
import os
import stat
import uuid
from collections.abc import Iterator

import httpx
import pytest

from central.api.body_guard import MAX_BODY_BYTES
from tests.central.conftest import Api, admin, new_card_number, station_now


def post_sale(api: Api, content: bytes | Iterator[bytes], **extra_headers: str) -> httpx.Response:
    headers = {"Authorization": f"Bearer {api.till_token}", "Idempotency-Key": uuid.uuid4().hex,
               "Content-Type": "application/json", **extra_headers}
    return api.http.post("/v1/sales", content=content, headers=headers)


def sale_body(amount: object) -> dict[str, object]:
    return {"card_number": new_card_number(), "fuel_type": "benzin", "amount": amount, "station": "IST-001",
            "sold_at": station_now()}


@pytest.mark.parametrize("amount", [True, "100", 100.0], ids=["true", "string", "float"])
def test_integers_are_integers(api: Api, amount: object):
    body = sale_body(amount)
    response = post_sale(api, json.dumps(body).encode())
    assert response.status_code == 422, response.text
    assert api.card(str(body["card_number"])).status_code == 404


def test_a_repeated_key_is_refused_not_last_one_wins(api: Api):
    body = sale_body(100)
    number = body["card_number"]
    text = json.dumps(body)[:-1] + ', "amount": 90000000}'  # a second "amount" after the first
    response = post_sale(api, text.encode())
    assert response.status_code == 422, response.text
    assert response.json()["error"]["code"] == "duplicate_key"
    assert api.card(str(number)).status_code == 404


def test_a_name_with_an_invisible_format_character_is_refused(api: Api):
    number = new_card_number()
    spoofed = api.register(number, "AYŞE \u202eNİHAŞ", "1988-11-02")
    assert spoofed.status_code == 422, spoofed.text
    assert "full_name" in spoofed.json()["error"]["message"]
    assert api.register(number, "AYŞE\u200bŞAHİN", "1988-11-02").status_code == 422
    assert api.register(number, "AYŞE ŞAHİN", "1988-11-02").status_code == 201


def test_a_large_body_is_refused_before_it_is_parsed(api: Api):
    big = b'{"card_number": "' + b"7" * (4 * 1024 * 1024) + b'"}'
    response = post_sale(api, big)
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "body_too_large"


def test_a_large_chunked_body_is_refused_too(api: Api):
    def chunks() -> Iterator[bytes]:
        yield b'{"card_number": "'
        for _ in range(64):
            yield b"7" * 65536
        yield b'"}'

    response = post_sale(api, chunks())
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "body_too_large"


def test_a_body_at_the_limit_is_still_read(api: Api):
    body = json.dumps(sale_body(100)).encode()
    padded = body[:-1] + b" " * (MAX_BODY_BYTES - len(body)) + b"}"
    assert len(padded) == MAX_BODY_BYTES
    assert post_sale(api, padded).status_code == 201


@pytest.mark.parametrize("path", ["/docs", "/redoc", "/openapi.json"])
def test_api_docs_are_not_served_without_serve_docs(api: Api, path: str):
    assert api.http.get(path).status_code == 404


def test_a_token_file_is_created_for_its_owner_only(api: Api, tmp_path):
    target = tmp_path / "device-token"
    saved = os.umask(0o022)
    try:
        printed = admin(api.service, "add-device", "--kind", "kiosk", "--name", "filed", "--token-file", str(target))
    finally:
        os.umask(saved)
    assert printed == ""
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    token = target.read_text().strip()
    heartbeat = api.http.post("/v1/kiosks/heartbeat", json={"app_version": "t", "uptime_seconds": 1},
                              headers={"Authorization": f"Bearer {token}"})
    assert heartbeat.status_code == 200
