"""End to end: an emulated card tapped through real pcscd + vpcd, read by the real card
watcher, looked up over HTTP in the real central service, shown by the real Kivy app."""
import pytest

from hardware.card_uid import CardUid
from hardware.emulator import ContactlessUidCard, number_applet
from tests.ui.conftest import UI_IDLE_TIMEOUT_SECONDS

pytestmark = [pytest.mark.ui, pytest.mark.pcsc]

ACTIVE = "7000070012806566"
NOT_ACTIVATED = "7000071234567895"
REPLACED = "7000075555000014"
UNKNOWN = "7000075555000022"
ACTIVE_UID = "04A1B2C3D4E5F6"  # the chip of ACTIVE in the demo data


def test_a_tapped_card_shows_both_pots_in_turkish(kiosk_ui, tap) -> None:
    kiosk_ui.wait_for_screen("attract")
    assert "Kartınızı okutun" in kiosk_ui.texts()
    kiosk_ui.screenshot("e2e-01-attract")
    with tap(ACTIVE):
        kiosk_ui.wait_for_screen("balance")
        shown = kiosk_ui.texts()
        kiosk_ui.screenshot("e2e-02-balance-active")
    assert "Kart •••• •••• •••• 6566" in shown
    assert "1.234,56 Paropuan" in shown  # fuel pot
    assert "87,90 Paropuan" in shown  # autogas pot
    assert "Kartınız aktif: puanlarınızı OPET istasyonlarında harcayabilirsiniz." in shown
    assert not any(ACTIVE in text or "0012806566" in text for text in shown)


def test_taking_the_card_away_returns_to_attract(kiosk_ui, tap) -> None:
    with tap(ACTIVE):
        kiosk_ui.wait_for_screen("balance")
        assert kiosk_ui.timers.pending() == [UI_IDLE_TIMEOUT_SECONDS]
    # pcscd reports the removal, and the configured linger, not the idle timeout, takes it home.
    kiosk_ui.let_the_linger_run_out()
    shown = kiosk_ui.texts()
    assert not any("6566" in text for text in shown), shown


def test_a_card_left_on_the_reader_times_out_to_attract(kiosk_ui, tap) -> None:
    with tap(ACTIVE):
        kiosk_ui.wait_for_screen("balance")
        kiosk_ui.let_the_idle_timeout_run_out()  # the idle timeout, not a removal


def test_a_card_not_yet_activated_says_how_to_activate(kiosk_ui, tap) -> None:
    with tap(NOT_ACTIVATED):
        kiosk_ui.wait_for_screen("balance")
        shown = kiosk_ui.texts()
        kiosk_ui.screenshot("e2e-03-balance-not-activated")
    assert "42,50 Paropuan" in shown and "0,00 Paropuan" in shown
    assert any("henüz aktif değil" in text for text in shown)


def test_a_replaced_card_says_its_points_moved(kiosk_ui, tap) -> None:
    with tap(REPLACED):
        kiosk_ui.wait_for_screen("balance")
        shown = kiosk_ui.texts()
    assert any("yeni karta aktarıldı" in text for text in shown)


def test_a_blank_card_from_the_till_says_how_to_earn_and_register(kiosk_ui, tap) -> None:
    """A valid number the service has no record of yet: a card just taken from the till (cards
    come into being with their first sale, registration or replacement)."""
    with tap(UNKNOWN):
        kiosk_ui.wait_for_screen("problem")
        shown = kiosk_ui.texts()
        kiosk_ui.screenshot("e2e-04-blank-card")
    assert "Bu kartta henüz puan yok" in shown
    assert "•••• •••• •••• 0022" in shown
    hint = kiosk_ui.widget("problem_hint", "problem").text
    assert "%0,5 oranında Paropuan" in hint and "market kasasındaki görevliye uzatın" in hint
    assert "zarfındaki müşteri bilgi formunu doldurup imzalayın ve istasyondaki kutuya atın" in hint
    assert "görevliden kartınızı şimdi kaydetmesini isteyin" in hint


def test_a_uid_only_card_is_looked_up_by_its_uid(kiosk_ui, tap) -> None:
    with tap(ContactlessUidCard(CardUid(bytes.fromhex(ACTIVE_UID)))):
        kiosk_ui.wait_for_screen("balance")
        shown = kiosk_ui.texts()
        kiosk_ui.screenshot("e2e-05-balance-uid-card")
    assert "Kart •••• •••• •••• 6566" in shown
    assert "1.234,56 Paropuan" in shown and "87,90 Paropuan" in shown
    assert not any(ACTIVE_UID in text or "0012806566" in text for text in shown)


def test_a_card_serving_its_number_as_the_current_file_shows_its_balance(kiosk_ui, tap) -> None:
    # Issue 19's card: READ BINARY by SFI answers 6A81; the kiosk's default addressing falls
    # back to the file current after SELECT, with no configuration.
    with tap(number_applet(ACTIVE)):
        kiosk_ui.wait_for_screen("balance")
        shown = kiosk_ui.texts()
    assert "Kart •••• •••• •••• 6566" in shown
    assert "1.234,56 Paropuan" in shown
    assert kiosk_ui.app.runtime.reader_log.last_read.addressing == "current"
