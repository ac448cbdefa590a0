"""Issue 16's end to end: a call-centre agent moves a caller's points in the web console (a real
browser against the real service), then the new card is tapped on the kiosk (real pcscd, the
real Kivy app) and its balance shows the moved points."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.central.conftest import new_card_number
from tests.console.conftest import Console
from tests.console.test_agent import holder_card

pytestmark = [pytest.mark.ui, pytest.mark.pcsc]


def test_points_an_agent_moved_show_when_the_new_card_is_tapped_at_the_kiosk(
    kiosk_ui, tap, central_service, browser_page
) -> None:
    console = Console(central_service, "sqlite")
    old, _name, born, _phone = holder_card(console, fuel=4321, autogas=1234)
    new = new_card_number()
    page = console.agent_page(browser_page)
    page.goto(f"{console.url}/agent/find")
    page.get_by_label("Kart numarası", exact=True).fill(old)
    page.get_by_role("region", name="Kart numarasıyla").get_by_role("button", name="Ara").click()
    page.get_by_role("link", name=f"…{old[-4:]} kartını aç").click()
    page.get_by_label("Arayanın söylediği doğum tarihi").fill(born)
    page.get_by_label("Arayanın söylediği telefonun son 4 hanesi").fill("2233")
    page.get_by_role("button", name="Cevapları kontrol et").click()
    page.get_by_label("Arayanın okuduğu yeni kart numarası").fill(new)
    page.get_by_label("Çağrı numarası").fill("CALL-E2E")
    page.get_by_role("button", name=re.compile("^Taşı: ")).click()
    expect(page.get_by_role("heading", name="Puanlar taşındı")).to_be_visible()

    kiosk_ui.wait_for_screen("attract")
    with tap(new):
        kiosk_ui.wait_for_screen("balance")
        shown = kiosk_ui.texts()
        kiosk_ui.screenshot("e2e-console-replacement-new-card")
    assert f"Kart •••• •••• •••• {new[-4:]}" in shown
    assert "43,21 Paropuan" in shown and "12,34 Paropuan" in shown
    assert "Kartınız aktif: puanlarınızı OPET istasyonlarında harcayabilirsiniz." in shown
    kiosk_ui.let_the_linger_run_out()  # the new card taken away
    with tap(old):
        kiosk_ui.wait_for_screen("balance")
        assert any("yeni karta aktarıldı" in text for text in kiosk_ui.texts())
