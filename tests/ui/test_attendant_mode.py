"""Attendant mode end to end: the hidden gesture and every key pressed with real mouse clicks
through the X server, cards tapped through real pcscd + vpcd with the card emulator, and
every change made in the real central service.

These tests make their own cards (a registration, then sales from a till) instead of
replacing the demo cards that the other UI tests read.
"""
from __future__ import annotations

import datetime as dt
import subprocess
import uuid
from collections.abc import Iterator
from itertools import count

import httpx
import pytest

from opetcard.numbers import luhn_valid
from tests.ui.conftest import HANG_S

pytestmark = [pytest.mark.ui, pytest.mark.pcsc]

ATTENDANT_CODE, ATTENDANT_PIN = "1001", "1234"
_serial = count(1)


def fresh_card_number() -> str:
    """A Luhn-valid number no other test uses (prefix 70000739: these tests only)."""
    while True:
        body = f"70000739{dt.datetime.now():%H%M}{next(_serial):03d}"
        for check in "0123456789":
            if luhn_valid(body + check):
                return body + check


@pytest.fixture(autouse=True)
def _attendant_mode_closed(kiosk_ui) -> Iterator[None]:
    yield
    kiosk_ui.app.desk.close()
    kiosk_ui.driver.pump(0.2)


@pytest.fixture(scope="module")
def till(central_service) -> Iterator[httpx.Client]:
    token = central_service.add_device("till", "ui-till")
    with httpx.Client(base_url=central_service.base_url, headers={"Authorization": f"Bearer {token}"}) as client:
        yield client


def sell(till: httpx.Client, number: str, fuel_type: str, kurus: int) -> None:
    response = till.post("/v1/sales", headers={"Idempotency-Key": uuid.uuid4().hex}, json={
        "card_number": number, "fuel_type": fuel_type, "amount": kurus, "station": "UI-TEST",
        "sold_at": dt.datetime.now(dt.timezone.utc).isoformat(),
    })
    assert response.status_code == 201, response.text


def hold_title(kiosk_ui) -> None:
    """The documented gesture: press the title at the top left and keep the finger there until
    attendant mode opens (however long the loaded machine takes to pass the press on)."""
    from kivy.core.window import Window

    title = kiosk_ui.widget("title_label")
    x, y = title.to_window(*title.center)
    subprocess.run(["xdotool", "mousemove", str(int(x)), str(int(Window.height - y)), "mousedown", "1"],
                   check=True, timeout=10)
    try:
        kiosk_ui.driver.pump_until(lambda: kiosk_ui.app.desk.state.active, HANG_S, "attendant mode, title held")
    finally:
        subprocess.run(["xdotool", "mouseup", "1"], check=True, timeout=10)
        kiosk_ui.driver.pump(0.2)


def press(kiosk_ui, keys: str) -> None:
    """Each character by its key on the on-screen keyboard ("Space" for a space)."""
    for key in keys:
        kiosk_ui.click_text("Boşluk" if key == " " else key)


def tap_field(kiosk_ui, field_id: str) -> None:
    kiosk_ui.click(kiosk_ui.widget(field_id, "attendant").ids.box)


def sign_in(kiosk_ui, code: str = ATTENDANT_CODE, pin: str = ATTENDANT_PIN) -> None:
    hold_title(kiosk_ui)
    kiosk_ui.wait_for_screen("attendant")
    press(kiosk_ui, code)
    tap_field(kiosk_ui, "pin_field")
    press(kiosk_ui, pin)
    kiosk_ui.click_text("Giriş yap")
    kiosk_ui.driver.pump_until(lambda: not kiosk_ui.app.desk.state.busy, HANG_S, "the sign-in answer")


def register(kiosk_ui, tap, number: str, name_keys: str, birth: str, phone: str) -> list[str]:
    """Registers ``number`` through the form; returns the texts of the confirmation."""
    kiosk_ui.click_text("Yeni kart kaydet")
    with tap(number):
        kiosk_ui.driver.pump_until(lambda: kiosk_ui.app.desk.state.step.value == "registration_form", HANG_S, "the form")
    press(kiosk_ui, name_keys)
    tap_field(kiosk_ui, "birth_field")
    press(kiosk_ui, birth)
    tap_field(kiosk_ui, "phone_field")
    press(kiosk_ui, phone)
    kiosk_ui.click_text("İletişim izni: hayır")
    kiosk_ui.click_text("Kaydet")
    kiosk_ui.driver.pump_until(lambda: kiosk_ui.app.desk.state.step.value == "registered", HANG_S, "registered")
    return kiosk_ui.texts()


def replace_by_identity(kiosk_ui, tap, name_keys: str, birth: str, phone: str, new_number: str) -> None:
    """From the menu to the confirmation of the move (not sent yet)."""
    kiosk_ui.click_text("Kayıp veya kullanılamaz kartı değiştir")
    kiosk_ui.click_text("Ad soyad ve doğum tarihiyle ara")
    press(kiosk_ui, name_keys)
    tap_field(kiosk_ui, "birth_field")
    press(kiosk_ui, birth)
    tap_field(kiosk_ui, "phone_field")
    press(kiosk_ui, phone)
    kiosk_ui.click_text("Ara")
    kiosk_ui.driver.pump_until(lambda: kiosk_ui.app.desk.state.step.value == "confirm_identity", HANG_S, "the holder found")
    press(kiosk_ui, birth)  # read off the ID card, typed on the date keypad (its field has the focus)
    kiosk_ui.click_text("Kimlik doğrulandı: devam")
    with tap(new_number):
        kiosk_ui.driver.pump_until(lambda: kiosk_ui.app.desk.state.step.value == "confirm_move", HANG_S, "the new card read")


def test_a_registration_with_turkish_letters_then_a_replacement_moves_both_pots(kiosk_ui, tap, till, central_service) -> None:
    old, new = fresh_card_number(), fresh_card_number()
    sign_in(kiosk_ui)
    assert "Görevli: DEMO GÖREVLİ" in kiosk_ui.texts()
    kiosk_ui.screenshot("attendant-01-menu")
    shown = register(kiosk_ui, tap, old, "ŞÜKRÜ IĞDIRLI ÇİĞDEMÖZ", "29021984", "05551112233")
    kiosk_ui.screenshot("attendant-02-registered")
    assert f"••••\u00a0{old[-4:]} numaralı kart ŞÜKRÜ IĞDIRLI ÇİĞDEMÖZ adına kaydedildi." in shown
    sell(till, old, "benzin", 200_000)  # 2.000 TL -> 10,00 Paropuan
    sell(till, old, "otogaz", 50_000)  # 500 TL -> 2,50 Paropuan
    kiosk_ui.click_text("Menüye dön")

    replace_by_identity(kiosk_ui, tap, "ŞÜKRÜ IĞDIRLI ÇİĞDEMÖZ", "29021984", "05551112233", new)
    shown = kiosk_ui.texts()
    kiosk_ui.screenshot("attendant-03-confirm-move")
    assert f"••••\u00a0{old[-4:]} numaralı eski karttan ••••\u00a0{new[-4:]} numaralı yeni karta" in shown
    kiosk_ui.click_text("Puanları aktar")
    kiosk_ui.driver.pump_until(lambda: kiosk_ui.app.desk.state.step.value == "move_done", HANG_S, "the move")
    shown = kiosk_ui.texts()
    kiosk_ui.screenshot("attendant-04-moved")
    assert f"••••\u00a0{new[-4:]} kartına aktarıldı: benzin ve motorin 10,00, otogaz 2,50 Paropuan." in shown
    code = kiosk_ui.widget("confirmation_code", "attendant").text
    assert len(code) == 6
    assert not any(old in text or new in text for text in shown)
    kiosk_ui.click_text("Çıkış yap")
    kiosk_ui.wait_for_screen("attract")

    with tap(old):  # the old card, tapped by its holder afterwards
        kiosk_ui.wait_for_screen("balance")
        shown = kiosk_ui.texts()
        kiosk_ui.screenshot("attendant-05-old-card-replaced")
    assert "Bu kartın yerine yeni kart verildi; puanları yeni karta aktarıldı." in shown
    kiosk_ui.let_the_linger_run_out()
    with tap(new):
        kiosk_ui.wait_for_screen("balance")
        shown = kiosk_ui.texts()
    assert "10,00 Paropuan" in shown and "2,50 Paropuan" in shown
    actions = central_service.cli("attendant-actions", "--attendant", ATTENDANT_CODE)
    assert "registration" in actions and "replacement" in actions and code in actions


def test_a_lost_answer_is_retried_and_the_points_move_once(kiosk_ui, tap, till, service_path) -> None:
    old, new = fresh_card_number(), fresh_card_number()
    sign_in(kiosk_ui)
    register(kiosk_ui, tap, old, "AYŞE GÜL ÖZTÜRK", "01011990", "05321234567")
    sell(till, old, "dizel", 100_000)
    sell(till, old, "otogaz", 100_000)
    kiosk_ui.click_text("Menüye dön")
    replace_by_identity(kiosk_ui, tap, "AYŞE GÜL ÖZTÜRK", "01011990", "05321234567", new)
    service_path.lose_answers(1_000)  # requests reach the service; no answer comes back until restore()
    try:
        kiosk_ui.click_text("Puanları aktar")
        kiosk_ui.driver.pump_until(lambda: kiosk_ui.app.desk.state.step.value == "move_uncertain", HANG_S, "the lost answer")
        shown = kiosk_ui.texts()
        kiosk_ui.screenshot("attendant-06-answer-lost")
        assert "Puanların aktarılıp aktarılmadığı henüz bilinmiyor." in shown
        # The health probes' answers are lost too: wait for the kiosk to notice, so that its
        # banner cannot come (and go) later, between finding a button and clicking it.
        kiosk_ui.driver.pump_until(lambda: not kiosk_ui.session.state.service_reachable, HANG_S, "the outage noticed")
    finally:
        service_path.restore()
    # Then wait for the "service unreachable" banner to go, or it moves every button down.
    kiosk_ui.driver.pump_until(lambda: kiosk_ui.session.state.service_reachable and not kiosk_ui.banner, HANG_S,
                               "the service banner gone")
    kiosk_ui.driver.pump(0.2)
    kiosk_ui.click_text("Tekrar dene")
    kiosk_ui.driver.pump_until(lambda: kiosk_ui.app.desk.state.step.value == "move_done", HANG_S, "the retried move")
    kiosk_ui.screenshot("attendant-07-moved-after-retry")
    assert kiosk_ui.app.desk.state.moved.replayed
    kiosk_ui.click_text("Çıkış yap")
    kiosk_ui.wait_for_screen("attract")
    with tap(new):
        kiosk_ui.wait_for_screen("balance")
        shown = kiosk_ui.texts()
    assert shown.count("5,00 Paropuan") == 2  # each pot once, not twice


def test_a_wrong_pin_until_lockout(kiosk_ui, central_service) -> None:
    central_service.cli("add-attendant", "--code", "3003", "--name", "KİLİT DENEME", stdin="4321\n")
    sign_in(kiosk_ui, code="3003", pin="1111")
    assert "Kod veya PIN yanlış. Kilitlenmeden önce kalan deneme: 4." in kiosk_ui.texts()
    kiosk_ui.screenshot("attendant-08-wrong-pin")
    for left in (3, 2, 1):
        press(kiosk_ui, "1111")
        kiosk_ui.click_text("Giriş yap")
        kiosk_ui.driver.pump_until(lambda: not kiosk_ui.app.desk.state.busy, HANG_S, "the answer")
        assert f"Kod veya PIN yanlış. Kilitlenmeden önce kalan deneme: {left}." in kiosk_ui.texts()
    press(kiosk_ui, "1111")
    kiosk_ui.click_text("Giriş yap")
    kiosk_ui.driver.pump_until(lambda: not kiosk_ui.app.desk.state.busy, HANG_S, "the answer")
    press(kiosk_ui, "4321")  # the right PIN is refused too while locked
    kiosk_ui.click_text("Giriş yap")
    kiosk_ui.driver.pump_until(lambda: not kiosk_ui.app.desk.state.busy, HANG_S, "the answer")
    shown = kiosk_ui.texts()
    kiosk_ui.screenshot("attendant-09-locked")
    assert "Çok fazla yanlış PIN: giriş 15 dakika kilitlendi. İstasyon müdürüne başvurun." in shown
    assert kiosk_ui.app.desk.state.step.value == "sign_in"
    kiosk_ui.click_text("Vazgeç")
    kiosk_ui.wait_for_screen("attract")
