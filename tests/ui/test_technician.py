"""The technician's self-test in the running app: reached from attendant mode by an attendant
whose code is in [attendant] technician_codes, with real clicks through the X server; its
checks run live against the real service and pcscd, and a card tapped through pcscd (the
issue-19 card that serves its number as the current file) shows as the last read."""
from __future__ import annotations

from collections.abc import Iterator

import pytest

from hardware.emulator import number_applet
from tests.ui.conftest import HANG_S
from tests.ui.test_attendant_mode import sign_in

pytestmark = [pytest.mark.ui, pytest.mark.pcsc]

ACTIVE = "7000070012806566"


@pytest.fixture(autouse=True)
def _attendant_mode_closed(kiosk_ui) -> Iterator[None]:
    yield
    kiosk_ui.app.desk.close()
    kiosk_ui.driver.pump(0.2)


def panel_texts(panel) -> list[str]:
    from kivy.uix.label import Label

    return [widget.text for widget in panel.walk() if isinstance(widget, Label) and widget.text]


def wait_for_report(kiosk_ui, panel) -> list[str]:
    kiosk_ui.driver.pump_until(lambda: not panel.running and len(panel.ids.rows.children) == 8, HANG_S, "the self-test report")
    kiosk_ui.driver.pump(0.2)
    return panel_texts(panel)


def test_the_technician_sees_live_checks_and_the_last_read(kiosk_ui, tap, pcscd) -> None:
    sign_in(kiosk_ui)
    kiosk_ui.wait_for_screen("attendant")
    kiosk_ui.click_text("Teknisyen kontrolü")
    panel = kiosk_ui.app.self_test_panel
    assert panel is not None
    texts = wait_for_report(kiosk_ui, panel)  # Turkish first, like every screen
    joined = "\n".join(texts)
    assert "Teknisyen kontrolü" in texts
    assert f"[b]Kart okuyucu[/b]   {pcscd.readers[1]}: boş" in texts
    assert any(text.startswith("[b]Servis http://127.0.0.1:") and ", " in text and text.endswith(" ms") for text in texts)
    assert any(text.startswith("[b]Servise göre saat farkı[/b]   ") and text.endswith("(±1 sn)") for text in texts)
    assert any(text.startswith("[b]Yapılandırma dosyası[/b]   /") and text.endswith("kiosk.toml") for text in texts)
    assert any(text.startswith("[b]Son heartbeat gönderimi[/b]   ") for text in texts)
    assert "Okuyucunun okuduğunu görmek için bir kart okutun." in texts or "[b]Son kart okuma[/b]" in joined

    reader_log = kiosk_ui.app.runtime.reader_log
    earlier = reader_log.last_read  # another test's tap of the same number, read by SFI
    with tap(number_applet(ACTIVE)):  # the attendant's card now; the self-test still sees the read
        kiosk_ui.driver.pump_until(lambda: reader_log.last_read is not earlier, HANG_S, "this card's read")
    kiosk_ui.click(panel.ids.again_button)
    texts = wait_for_report(kiosk_ui, panel)
    assert any(text.startswith("[b]Son kart okuma[/b]   •••• •••• •••• 6566, iso7816 (current) ile, saat ") for text in texts), texts
    assert not any(ACTIVE in text or "0012806566" in text for text in texts)
    kiosk_ui.screenshot("technician-self-test-tr")

    kiosk_ui.app.session.set_language("en")  # the same report, now in English
    kiosk_ui.driver.pump_until(lambda: "Technician self-test" in panel_texts(panel), HANG_S, "the panel in English")
    texts = panel_texts(panel)
    assert f"[b]Card reader[/b]   {pcscd.readers[1]}: empty" in texts
    assert any(text.startswith("[b]Service http://127.0.0.1:") and "HTTP 200 in " in text for text in texts)
    assert any(text.startswith("[b]Clock against the service[/b]   ") and text.endswith("(±1 s)") for text in texts)
    assert any(text.startswith("[b]Last card read[/b]   •••• •••• •••• 6566 by iso7816 (current) at ") for text in texts)
    assert any(text.startswith("[b]Last heartbeat sent[/b]   ") for text in texts)
    assert "Close" in texts and "Check again" in texts
    kiosk_ui.screenshot("technician-self-test-en")
    kiosk_ui.app.session.set_language("tr")

    kiosk_ui.click(panel.ids.close_button)
    kiosk_ui.driver.pump_until(lambda: panel.parent is None, HANG_S, "the panel closing")
    assert kiosk_ui.app.desk.state.active  # still in attendant mode, back at its menu


def test_signing_out_closes_the_panel_and_hides_the_button(kiosk_ui) -> None:
    sign_in(kiosk_ui)
    kiosk_ui.click_text("Teknisyen kontrolü")
    panel = kiosk_ui.app.self_test_panel
    wait_for_report(kiosk_ui, panel)
    kiosk_ui.app.desk.sign_out()  # as the idle timeout does, under the panel
    kiosk_ui.driver.pump_until(lambda: panel.parent is None, HANG_S, "the panel closing with attendant mode")
    assert kiosk_ui.app.self_test_panel is None and not kiosk_ui.app.technician
