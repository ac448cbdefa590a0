"""The driver's screens, used as a driver would: real mouse clicks through the X server
(xdotool) on the real app, with look-ups in the real central service."""
import subprocess

import httpx
import pytest

from tests.ui.conftest import HANG_S

pytestmark = pytest.mark.ui

ACTIVE = "7000070012806566"
NOT_ACTIVATED = "7000071234567895"


def type_on_keypad(kiosk_ui, digits: str) -> None:
    for digit in digits:
        kiosk_ui.click_text(digit)


def test_the_language_button_switches_every_text(kiosk_ui) -> None:
    kiosk_ui.wait_for_screen("attract")
    kiosk_ui.click(kiosk_ui.widget("language_button"))
    english = kiosk_ui.texts()
    assert "Tap your card" in english and "Type card number" in english
    assert "Türkçe" in english
    kiosk_ui.screenshot("ui-attract-en")
    kiosk_ui.click(kiosk_ui.widget("language_button"))
    assert "Kartınızı okutun" in kiosk_ui.texts()


def test_the_attract_screen_says_where_to_get_a_card_how_points_are_earned_and_where_else_to_look(kiosk_ui) -> None:
    kiosk_ui.wait_for_screen("attract")
    shown = kiosk_ui.texts()
    assert "Kartınız yok mu? Market kasasından ücretsiz alabilirsiniz." in shown
    assert any("%0,5" in text and "akaryakıt" in text for text in shown)
    assert any("OPET Mobil" in text and "Online İşlem Merkezi" in text and "444 6738" in text for text in shown)
    kiosk_ui.click(kiosk_ui.widget("language_button"))
    shown = kiosk_ui.texts()
    assert "No card? Get one free at the till." in shown
    assert any("0.5% of every fuel purchase" in text for text in shown)
    assert any("OPET Mobil" in text and "444 6738" in text for text in shown)
    kiosk_ui.screenshot("ui-attract-programme-en")
    below = kiosk_ui.widget("programme_info", "attract")
    assert below.y >= kiosk_ui.widget("keypad_button", "attract").top  # above the buttons, all on screen
    kiosk_ui.click(kiosk_ui.widget("language_button"))


def test_a_typed_number_is_grouped_checked_and_shown(kiosk_ui) -> None:
    kiosk_ui.click(kiosk_ui.widget("keypad_button", "attract"))
    kiosk_ui.wait_for_screen("keypad")
    type_on_keypad(kiosk_ui, ACTIVE[:9])
    assert kiosk_ui.widget("typed_number", "keypad").text == "7000 0700 1"
    kiosk_ui.click_text("Bakiyeyi göster")
    assert "Kart numarası 16 hanelidir; 9 hane girdiniz." in kiosk_ui.texts()
    type_on_keypad(kiosk_ui, ACTIVE[9:])
    assert kiosk_ui.widget("typed_number", "keypad").text == "7000 0700 1280 6566"
    kiosk_ui.screenshot("ui-keypad-typed")
    kiosk_ui.click_text("Bakiyeyi göster")
    kiosk_ui.wait_for_screen("balance")
    assert "1.234,56 Paropuan" in kiosk_ui.texts()
    kiosk_ui.click_text("Tamam")
    kiosk_ui.wait_for_screen("attract")


def test_the_balance_is_read_aloud_by_a_press_and_the_screen_stays_responsive(kiosk_ui) -> None:
    kiosk_ui.click(kiosk_ui.widget("keypad_button", "attract"))
    type_on_keypad(kiosk_ui, ACTIVE)
    kiosk_ui.click_text("Bakiyeyi göster")
    kiosk_ui.wait_for_screen("balance")
    speaking: list[bool] = []
    kiosk_ui.app.session.subscribe(lambda state: speaking.append(state.speaking))
    button = kiosk_ui.widget("read_aloud_button", "balance")
    assert button.text == "Sesli dinle"
    kiosk_ui.click(button)
    # espeak-ng runs in its own process; the click returned while it speaks, and its end comes
    # through the clock. Without a sound card (CI) it ends at once; with one, a second press stops it.
    kiosk_ui.driver.pump_until(lambda: True in speaking, HANG_S, "the reading's start")
    if kiosk_ui.app.session.state.speaking:
        assert button.text == "Okumayı durdur"
        kiosk_ui.click(button)
    kiosk_ui.driver.pump_until(lambda: speaking[-1] is False, HANG_S, "the reading's end")
    assert kiosk_ui.app.session.state.screen.value == "balance" and button.text == "Sesli dinle"
    kiosk_ui.click_text("Tamam")
    kiosk_ui.wait_for_screen("attract")


def test_a_mistyped_number_is_caught_by_the_check_digit(kiosk_ui) -> None:
    kiosk_ui.click(kiosk_ui.widget("keypad_button", "attract"))
    type_on_keypad(kiosk_ui, ACTIVE[:15] + "7")
    kiosk_ui.click_text("Bakiyeyi göster")
    assert "Bu numara geçerli değil. Lütfen kontrol edip tekrar deneyin." in kiosk_ui.texts()
    kiosk_ui.click_text("Sil")
    assert kiosk_ui.widget("typed_number", "keypad").text == "7000 0700 1280 656"


def test_activation_help_prefills_the_sms_and_its_qr_code_opens_it(kiosk_ui, tmp_path) -> None:
    kiosk_ui.click(kiosk_ui.widget("keypad_button", "attract"))
    type_on_keypad(kiosk_ui, NOT_ACTIVATED)
    kiosk_ui.click_text("Bakiyeyi göster")
    kiosk_ui.wait_for_screen("balance")
    kiosk_ui.click(kiosk_ui.widget("activation_button", "balance"))
    kiosk_ui.wait_for_screen("activation_help")
    assert "PARO 1234567895 AD SOYAD GG.AA.YYYY" in kiosk_ui.texts()
    shot = kiosk_ui.screenshot("ui-activation-help")
    decoded = subprocess.run(["zbarimg", "--quiet", "--raw", str(shot)], capture_output=True, text=True, timeout=30)
    assert decoded.stdout.strip() == "SMSTO:6738:PARO 1234567895 AD SOYAD GG.AA.YYYY"
    kiosk_ui.click_text("Geri")
    kiosk_ui.wait_for_screen("balance")


def test_lost_card_help_calls_an_attendant(kiosk_ui, central_service) -> None:
    kiosk_ui.click(kiosk_ui.widget("language_button"))
    kiosk_ui.click(kiosk_ui.widget("lost_card_button", "attract"))
    kiosk_ui.wait_for_screen("lost_card")
    shown = kiosk_ui.texts()
    assert "1. Get a new OPET Kart free of charge at this station." in shown
    assert any("444 6738" in text for text in shown)
    kiosk_ui.click_text("Call an attendant")
    kiosk_ui.driver.pump_until(lambda: "An attendant is on the way." in kiosk_ui.texts(), HANG_S, "the call confirmed")
    kiosk_ui.screenshot("ui-lost-card-attendant-called-en")
    till = central_service.add_device("till", "ui test till")
    calls = httpx.get(
        f"{central_service.base_url}/v1/assistance", headers={"Authorization": f"Bearer {till}"}, timeout=5
    ).json()["requests"]
    assert ("rig-kiosk", "lost_card") in [(call["kiosk"], call["reason"]) for call in calls]


def test_every_screen_times_out_to_attract_in_turkish(kiosk_ui) -> None:
    kiosk_ui.click(kiosk_ui.widget("language_button"))
    kiosk_ui.click(kiosk_ui.widget("activation_button", "attract"))
    kiosk_ui.wait_for_screen("activation_help")
    kiosk_ui.let_the_idle_timeout_run_out()
    assert "Kartınızı okutun" in kiosk_ui.texts()


def test_high_contrast_toggle(kiosk_ui) -> None:
    kiosk_ui.click(kiosk_ui.widget("contrast_button"))
    assert tuple(kiosk_ui.app.bg_color) == (0, 0, 0, 1)
    kiosk_ui.screenshot("ui-attract-high-contrast")
    kiosk_ui.click(kiosk_ui.widget("contrast_button"))
    assert tuple(kiosk_ui.app.bg_color) != (0, 0, 0, 1)


TITLES = {
    "tr": {"attract": "Kartınızı okutun", "keypad": "Kart numaranızı girin", "lost_card": "Kartınız kayıp mı, kullanılamaz durumda mı?",
           "activation_help": "Kartınızı aktive edin", "problem": "Bu kartta henüz puan yok", "balance": "Benzin ve motorin"},
    "en": {"attract": "Tap your card", "keypad": "Type your card number", "lost_card": "Lost or unusable card?",
           "activation_help": "Activate your card", "problem": "No points on this card yet", "balance": "Petrol & diesel"},
}


@pytest.mark.pcsc
@pytest.mark.parametrize("language", ["tr", "en"])
def test_every_screen_by_touch_in_both_languages(kiosk_ui, tap, language: str) -> None:
    titles = TITLES[language]

    def arrive(screen: str) -> None:
        kiosk_ui.wait_for_screen(screen)
        assert titles[screen] in kiosk_ui.texts(), (screen, kiosk_ui.texts())
        kiosk_ui.screenshot(f"touch-{language}-{screen}")

    if language == "en":
        kiosk_ui.click(kiosk_ui.widget("language_button"))
    arrive("attract")
    for opener, screen, closer in (
        ("keypad_button", "keypad", "cancel_button"),
        ("lost_card_button", "lost_card", "ok_button"),
        ("activation_button", "activation_help", "back_button"),
    ):
        kiosk_ui.click(kiosk_ui.widget(opener, "attract"))
        arrive(screen)
        kiosk_ui.click(kiosk_ui.widget(closer, screen))
        arrive("attract")
    with tap(NOT_ACTIVATED):
        arrive("balance")
        kiosk_ui.click(kiosk_ui.widget("activation_button", "balance"))
        arrive("activation_help")
        kiosk_ui.click(kiosk_ui.widget("back_button", "activation_help"))
        arrive("balance")
        kiosk_ui.click(kiosk_ui.widget("ok_button", "balance"))
        arrive("attract")
    if language == "en":  # the driver who chose English leaves: after the idle timeout, Turkish again
        kiosk_ui.let_the_idle_timeout_run_out()
        kiosk_ui.driver.pump_until(lambda: "Kartınızı okutun" in kiosk_ui.texts(), HANG_S, "Turkish again")
        kiosk_ui.click(kiosk_ui.widget("language_button"))
    with tap("7000075555000022"):
        arrive("problem")
        kiosk_ui.click(kiosk_ui.widget("ok_button", "problem"))
        arrive("attract")
