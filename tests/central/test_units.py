"""Small pure parts of the service: card numbers, PIN hashes, the look-ups' routing."""
from __future__ import annotations

import pytest
from fastapi.routing import APIRoute
from starlette.routing import Match

from central.api import cards
from central.api.app import create_app
from central.domain.numbers import MalformedNumber, mask_digits, parse_card_number
from central.domain.pins import hash_pin, verify_pin
from opetcard.numbers import luhn_valid


@pytest.mark.parametrize("number", ["7000070012806566", "7000071234567895", "7000079876543215", "7000075555000014"])
def test_demo_numbers_are_luhn_valid(number):
    assert luhn_valid(number)
    assert parse_card_number(f"{number[:4]} {number[4:8]} {number[8:12]} {number[12:]}") == number


@pytest.mark.parametrize("text", ["7000070012806567", "700007001280656", "", "７０００070012806566", "7000O70012806566"])
def test_malformed_numbers_are_refused(text):
    with pytest.raises(MalformedNumber):
        parse_card_number(text)


def test_masking_keeps_only_the_last_four_digits():
    assert mask_digits("GET /v1/cards/7000070012806566/events") == "GET /v1/cards/…6566/events"
    assert mask_digits("PARO 0012806566") == "PARO …6566"
    assert mask_digits("amount 123456") == "amount 123456"


def test_pin_hash_is_salted_and_verifies():
    first, second = hash_pin("4821"), hash_pin("4821")
    assert first != second and "4821" not in first
    assert verify_pin("4821", first) and verify_pin("4821", second)
    assert not verify_pin("4822", first)


@pytest.mark.parametrize("pin", ["123", "123456789", "12a4", ""])
def test_pin_must_be_4_to_8_digits(pin):
    with pytest.raises(ValueError):
        hash_pin(pin)


def _routes(routes):
    """Every route, those of included routers too."""
    for route in routes:
        nested = getattr(route, "original_router", None)
        yield from _routes(nested.routes) if nested is not None else [route]


@pytest.mark.parametrize(("path", "served_by"), [
    ("/v1/cards/7000070012806566", "look_up"),
    ("/v1/cards/by-uid/04A1B2C3D4E5F6", "look_up_by_uid"),
])
def test_each_look_up_has_one_route_which_the_document_describes(path, served_by):
    app = create_app("sqlite://")
    scope = {"type": "http", "method": "GET", "path": path, "root_path": ""}
    matching = [route for route in _routes(app.router.routes) if route.matches(scope)[0] is Match.FULL]
    assert [route.endpoint for route in matching] == [getattr(cards, served_by)]
    assert isinstance(matching[0], APIRoute)
    assert "get" in app.openapi()["paths"][matching[0].path]  # documented from that same route
