"""Recent movements on the balance screen, end to end: a card's sales booked by a till over
HTTP, the card tapped through pcscd, the balance shown, then its last five movements (day,
station, pot, amount), newest first, below the pots and above the buttons."""
from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator

import httpx
import pytest

from tests.central.conftest import new_card_number
from tests.ui.conftest import HANG_S

pytestmark = [pytest.mark.ui, pytest.mark.pcsc]
STATIONS = ("OPET Maslak", "OPET Kadıköy", "OPET Ataşehir", "OPET Bostancı", "OPET Ankara Eskişehir Yolu",
            "OPET Levent")


@pytest.fixture
def till(central_service) -> Iterator[httpx.Client]:
    token = central_service.add_device("till", "ui-movements-till")
    with httpx.Client(base_url=central_service.base_url, headers={"Authorization": f"Bearer {token}"}) as client:
        yield client


def test_a_tapped_card_shows_its_last_five_movements(kiosk_ui, tap, till) -> None:
    number = new_card_number()
    start = dt.datetime.now(dt.timezone.utc) - dt.timedelta(days=len(STATIONS))
    for day, station in enumerate(STATIONS):
        fuel = "otogaz" if day % 2 else "benzin"
        response = till.post("/v1/sales", headers={"Idempotency-Key": uuid.uuid4().hex}, json={
            "card_number": number, "fuel_type": fuel, "amount": 100_000 * (day + 1), "station": station,
            "sold_at": (start + dt.timedelta(days=day)).isoformat(),
        })
        assert response.status_code == 201, response.text
    with tap(number):
        kiosk_ui.wait_for_screen("balance")
        rows = kiosk_ui.widget("movement_rows", "balance")
        kiosk_ui.driver.pump_until(lambda: len(rows.children) == 5, HANG_S, "the movements")
        shown = kiosk_ui.texts()
        kiosk_ui.screenshot("ui-balance-movements")
    newest_first = [row for row in reversed(rows.children)]
    assert [row.station for row in newest_first] == list(reversed(STATIONS))[:5]
    assert newest_first[0].amount == "+30,00" and newest_first[0].pot == "Otogaz"
    assert newest_first[1].amount == "+25,00" and newest_first[1].pot == "Benzin ve motorin"
    assert "Son hareketler (Paropuan)" in shown and "OPET Maslak" not in shown  # the oldest of six is left out
    panel = kiosk_ui.widget("movements_panel", "balance")
    assert panel.y >= kiosk_ui.widget("ok_button", "balance").top and panel.top <= kiosk_ui.app.root.height
