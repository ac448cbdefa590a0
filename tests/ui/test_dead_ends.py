"""Issue 17's dead ends, end to end: cards tapped through real pcscd + vpcd with the card
emulator, every button and key pressed with real mouse clicks through the X server, every
answer from the real central service. Each test reads the screen it ends on.

The tests that change a card (block, replace, activate it) make cards of their own
(tests/rigs/holders.py); the demo cards other tests read are only read here.
"""
from __future__ import annotations

import datetime as dt
import gc
import subprocess
import uuid

import httpx
import pytest

from hardware.card_number import CardNumber
from hardware.card_uid import CardUid
from hardware.emulator import ContactlessUidCard
from tests.rigs.holders import block, fresh_number, registered_card
from tests.ui.conftest import HANG_S, UI_IDLE_TIMEOUT_SECONDS
from tests.ui.test_attendant_mode import press, sign_in

pytestmark = [pytest.mark.ui, pytest.mark.pcsc]

UNREGISTERED = "7000079876543215"  # demo data: no holder record yet, 150,75 autogas points
ACTIVE = "7000070012806566"


@pytest.fixture(autouse=True)
def _attendant_mode_closed(kiosk_ui):
    yield
    kiosk_ui.app.desk.close()
    kiosk_ui.driver.pump(0.2)


def open_calls(central_service) -> list[tuple[str, str]]:
    """The open attendant calls, as a till lists them: (kiosk, reason)."""
    till = central_service.add_device("till", f"ui-till-{uuid.uuid4().hex[:6]}")
    calls = httpx.get(f"{central_service.base_url}/v1/assistance", headers={"Authorization": f"Bearer {till}"},
                      timeout=5).json()["requests"]
    return [(call["kiosk"], call["reason"]) for call in calls if call["resolved_at"] is None]


def sell(central_service, card: CardNumber, kurus: int) -> None:
    till = central_service.add_device("till", f"ui-till-{uuid.uuid4().hex[:6]}")
    response = httpx.post(
        f"{central_service.base_url}/v1/sales",
        headers={"Authorization": f"Bearer {till}", "Idempotency-Key": uuid.uuid4().hex},
        json={"card_number": card.digits, "fuel_type": "benzin", "amount": kurus, "station": "UI-TEST",
              "sold_at": dt.datetime.now(dt.timezone.utc).isoformat()},
        timeout=10,
    )
    assert response.status_code == 201, response.text


def wait_for_text(kiosk_ui, text: str) -> None:
    kiosk_ui.driver.pump_until(lambda: any(text in shown for shown in kiosk_ui.texts()), HANG_S, repr(text))


# --- 1. a blocked card, replaced at the kiosk ---------------------------------------------------

def test_an_attendant_replaces_a_blocked_card_and_the_old_card_then_says_replaced(kiosk_ui, tap, central_service, tmp_path) -> None:
    old, new = registered_card(central_service, "DENİZ ÇELİK", dt.date(1995, 5, 5)), fresh_number()
    sell(central_service, old, 200_000)  # 2.000 TL of petrol: 10,00 Paropuan
    block(central_service, old)

    # The driver: the blocked card says what is true, and the attendant is called from it.
    with tap(old.digits):
        kiosk_ui.wait_for_screen("balance")
        assert kiosk_ui.widget("status_label", "balance").text == (
            "Bu kart bloke edilmiş: kayıp ya da çalıntı olarak bildirilmiş. Görevli, kimliğinizi kontrol ettikten "
            "sonra puanlarını yeni bir karta aktarabilir.")
        kiosk_ui.click_text("Görevli çağır")
        wait_for_text(kiosk_ui, "Görevli geliyor.")
        kiosk_ui.screenshot("dead-end-01-blocked-attendant-called")
    assert ("rig-kiosk", "blocked_card") in open_calls(central_service)

    # The attendant: the old card tapped at the find step, the ID's birth date, the new card.
    kiosk_ui.session.go_home()
    sign_in(kiosk_ui)
    kiosk_ui.click_text("Kayıp veya kullanılamaz kartı değiştir")
    with tap(old.digits):
        kiosk_ui.driver.pump_until(lambda: kiosk_ui.app.desk.state.step.value == "confirm_identity", HANG_S, "the old card found")
    chosen = kiosk_ui.widget("chosen_card", "attendant").text
    assert chosen.startswith(f"••••\u00a0{old.last4} · bloke · benzin ve motorin 10,00, otogaz 0,00 Paropuan"), chosen  # found, and not refused
    assert kiosk_ui.widget("identity_ok_button", "attendant").disabled is False
    press(kiosk_ui, "05051995")
    kiosk_ui.click_text("Kimlik doğrulandı: devam")
    with tap(new.digits):
        kiosk_ui.driver.pump_until(lambda: kiosk_ui.app.desk.state.step.value == "confirm_move", HANG_S, "the new card read")
    kiosk_ui.click_text("Puanları aktar")
    kiosk_ui.driver.pump_until(lambda: kiosk_ui.app.desk.state.step.value == "move_done", HANG_S, "the points moved")
    code = kiosk_ui.widget("confirmation_code", "attendant").text
    assert len(code) == 6
    shot = kiosk_ui.screenshot("dead-end-02-blocked-card-replaced")

    # The code is not only on screen: in the receipt's QR code, and in the attendant audit.
    # -Sbinary: the bytes as encoded (UTF-8, as phone cameras read them); zbar would guess Shift JIS.
    decoded = subprocess.run(["zbarimg", "--quiet", "--raw", "-Sbinary", str(shot)], capture_output=True, timeout=30)
    receipt = decoded.stdout.decode("utf-8").strip().splitlines()
    assert receipt[:4] == ["OPET Kart değişimi", f"Onay kodu: {code}", f"Eski kart: **** {old.last4}",
                           f"Yeni kart: **** {new.last4}"], decoded.stdout
    assert old.digits.encode() not in decoded.stdout and new.digits.encode() not in decoded.stdout
    till = central_service.add_device("till", f"ui-audit-{uuid.uuid4().hex[:6]}")
    audit = httpx.get(f"{central_service.base_url}/v1/attendant-actions", params={"attendant": "1001"},
                      headers={"Authorization": f"Bearer {till}"}, timeout=5).json()["actions"]
    assert any(action["action"] == "replacement" and code in (action["detail"] or "") for action in audit), audit
    kiosk_ui.click_text("Çıkış yap")
    kiosk_ui.wait_for_screen("attract")

    # The old card, tapped again by anyone: replaced, its points on the new card.
    with tap(old.digits):
        kiosk_ui.wait_for_screen("balance")
        assert kiosk_ui.widget("status_label", "balance").text == "Bu kartın yerine yeni kart verildi; puanları yeni karta aktarıldı."
        kiosk_ui.screenshot("dead-end-03-old-card-replaced")
    with tap(new.digits):
        wait_for_text(kiosk_ui, f"Kart •••• •••• •••• {new.last4}")
        assert "10,00 Paropuan" in kiosk_ui.texts()


# --- 3. a card not registered: the form first, activation after ---------------------------------

def test_an_unregistered_card_leads_to_the_form_first_then_activation(kiosk_ui, tap, central_service) -> None:
    with tap(UNREGISTERED):  # held on the reader: the pages stay until the idle timeout
        kiosk_ui.wait_for_screen("balance")
        shown = kiosk_ui.texts()
        assert "Bilgileriniz henüz kayıtlı değil: önce kartınızı kaydettirin, sonra aktive edin." in " ".join(shown)
        assert "Burada aktive et" not in shown and "Nasıl aktive ederim?" not in shown  # an SMS would be refused
        assert "Görevli çağır" in shown  # the attendant can register it now
        kiosk_ui.click_text("Nasıl kaydolurum?")
        kiosk_ui.wait_for_screen("registration_help")
        first = kiosk_ui.widget("step_form", "registration_help").text
        second = kiosk_ui.widget("step_activate", "registration_help").text
        assert first.startswith("1. Kartınızın zarfındaki müşteri bilgi formunu doldurup imzalayın ve istasyondaki kutuya atın.")
        assert "görevliye kaydettirin" in first
        assert second.startswith("2. Bilgileriniz kaydedildikten sonra kartınızı aktive edin")
        kiosk_ui.click_text("Görevli çağır")
        wait_for_text(kiosk_ui, "Görevli geliyor.")
        kiosk_ui.screenshot("dead-end-04-registration-help")
        kiosk_ui.click_text("Geri")
        kiosk_ui.wait_for_screen("balance")
    assert ("rig-kiosk", "registration") in open_calls(central_service)


# --- 4. activate here ----------------------------------------------------------------------------

def type_name(kiosk_ui, name: str) -> None:
    """Each letter by its key on the Turkish keyboard ("Boşluk" for a space)."""
    press(kiosk_ui, name)


@pytest.mark.parametrize("surname", [("AYTEK", "İ", "N"), ("AYTEK", "I", "N")], ids=["turkish-letters", "ascii-stand-ins"])
def test_a_card_is_activated_here_by_name_and_birth_date(kiosk_ui, tap, central_service, surname: tuple[str, ...]) -> None:
    """The service folds names the way the SMS rule does (opetcard.turkish: İ and I are one key),
    so the ASCII stand-in AYTEKIN matches AYTEKİN on the record; the birth date must be exact.
    The whole name is only ever put together here and by the kiosk (the parameters hold its
    pieces), so that a scan of live objects after the driver left finds any copy the kiosk kept."""
    typed = "ZEYNEP " + "".join(surname)
    card = registered_card(central_service, "ZEYNEP " + "".join(("AYTEK", "İ", "N")), dt.date(1981, 7, 14))
    with tap(card.digits):  # held until the form is open: the balance would leave once the card did
        kiosk_ui.wait_for_screen("balance")
        kiosk_ui.click_text("Burada aktive et")
        kiosk_ui.wait_for_screen("activate_here")
    type_name(kiosk_ui, typed)
    kiosk_ui.click(kiosk_ui.widget("birth_field", "activate_here"))
    press(kiosk_ui, "14071980")
    kiosk_ui.click_text("Aktive et")
    wait_for_text(kiosk_ui, "Doğum tarihi bu kartın müşteri bilgi formundakiyle eşleşmiyor.")
    kiosk_ui.screenshot(f"dead-end-05-activate-here-wrong-date-{surname[1]}")
    assert kiosk_ui.widget("name_field", "activate_here").text == typed
    assert kiosk_ui.widget("birth_field", "activate_here").text == ""  # typed again
    press(kiosk_ui, "14071981")
    kiosk_ui.click_text("Aktive et")
    kiosk_ui.wait_for_screen("balance")
    assert kiosk_ui.widget("status_label", "balance").text == "Kartınız aktif: puanlarınızı OPET istasyonlarında harcayabilirsiniz."
    kiosk_ui.screenshot(f"dead-end-06-activated-here-{surname[1]}")

    # The driver leaves: nothing typed stays on screen or in memory.
    kiosk_ui.click_text("Tamam")
    kiosk_ui.wait_for_screen("attract")
    screen = kiosk_ui.app.root.ids.manager.get_screen("activate_here")
    assert (screen.name_text, screen.birth_text, screen.ids.name_field.text, screen.ids.birth_field.text) == ("", "", "", "")
    assert kiosk_ui.session.state.activation is None
    kiosk_ui.driver.pump(0.2)
    assert live_strings_containing(typed) == []
    assert live_strings_containing(".".join(("14", "07", "1981"))) == []


def live_strings_containing(needle: str) -> list[str]:
    """Every string a live object (not a frame) refers to that contains ``needle``, by its
    holder's type: the session's state, the screen's properties, a label's cached lines."""
    found = []
    for holder in gc.get_objects():
        if type(holder).__name__ == "frame":
            continue
        for referent in gc.get_referents(holder):
            if type(referent) is str and needle in referent:  # type(): a dead weak proxy raises on isinstance
                found.append(type(holder).__name__)
    return found


def test_wrong_birth_dates_count_toward_the_cards_limit_which_holds(kiosk_ui, tap, central_service) -> None:
    """The service's limit (5 attempts per card an hour, shared with SMS): after five wrong
    birth dates at the kiosk, the right one is refused too, and the driver is told so."""
    card = registered_card(central_service, "ŞÜKRÜ IĞDIR", dt.date(1984, 3, 29))
    with tap(card.digits):  # held until the form is open: the balance would leave once the card did
        kiosk_ui.wait_for_screen("balance")
        kiosk_ui.click_text("Burada aktive et")
        kiosk_ui.wait_for_screen("activate_here")
    type_name(kiosk_ui, "ŞÜKRÜ IĞDIR")
    kiosk_ui.click(kiosk_ui.widget("birth_field", "activate_here"))
    for day in range(1, 6):
        press(kiosk_ui, f"{day:02d}031984")
        kiosk_ui.click_text("Aktive et")
        wait_for_text(kiosk_ui, "Doğum tarihi bu kartın müşteri bilgi formundakiyle eşleşmiyor.")
        kiosk_ui.driver.pump_until(lambda: not kiosk_ui.session.state.activation.busy, HANG_S, "the answer")
    press(kiosk_ui, "29031984")
    kiosk_ui.click_text("Aktive et")
    wait_for_text(kiosk_ui, "Bu kart için çok fazla aktivasyon denemesi yapıldı.")
    kiosk_ui.screenshot("dead-end-07-activation-locked")
    kiosk_ui.click_text("Geri")
    kiosk_ui.wait_for_screen("balance")
    assert any("henüz aktif değil" in text for text in kiosk_ui.texts())


# --- 5. a quick tap's balance stays to be read -----------------------------------------------------

def test_a_quick_taps_balance_stays_until_ok(kiosk_ui, tap) -> None:
    linger = kiosk_ui.app.kiosk_config.screen.removal_linger_seconds
    with tap(ACTIVE):
        kiosk_ui.wait_for_screen("balance")
        fired = len(kiosk_ui.timers.fired)
    kiosk_ui.driver.pump_until(lambda: kiosk_ui.timers.pending() == [linger], HANG_S, "pcscd reports the card gone")
    assert kiosk_ui.screen == "balance"  # still there to be read, for the linger
    kiosk_ui.click_text("Tamam")
    kiosk_ui.wait_for_screen("attract")
    assert kiosk_ui.timers.fired[fired:] == [] and kiosk_ui.timers.pending() == []  # OK, not a timer, took it home
    assert UI_IDLE_TIMEOUT_SECONDS >= linger


# --- 6. a card the kiosk cannot read -----------------------------------------------------------------

def test_a_card_the_kiosk_cannot_read_says_what_can_be_done(kiosk_ui, tap, central_service) -> None:
    """A Parolu bank card: the reader gets only its chip's UID, which no OPET Kart has."""
    with tap(ContactlessUidCard(CardUid(bytes.fromhex("04C0FFEE00BA9C")))):
        kiosk_ui.wait_for_screen("problem")
    assert kiosk_ui.widget("problem_title", "problem").text == "Bu kart burada okunamıyor"
    hint = kiosk_ui.widget("problem_hint", "problem").text
    assert hint == ("Bu kiosk yalnızca OPET Kart bakiyelerini gösterir. Parolu bir banka kartıyla da OPET'te "
                    "Paropuan kazanırsınız: kartınızın bakiyesini görevli ya da 444 6738 (444 OPET) söyleyebilir.")
    kiosk_ui.click_text("Görevli çağır")
    wait_for_text(kiosk_ui, "Görevli geliyor.")
    kiosk_ui.screenshot("dead-end-08-unreadable-card")
    assert ("rig-kiosk", "unreadable_card") in open_calls(central_service)


# --- 7. the attendant's search -------------------------------------------------------------------------

def test_the_attendant_finds_a_holder_without_a_phone_and_a_damaged_card_by_its_number(kiosk_ui, tap, central_service) -> None:
    from tests.rigs.holders import forget_phone

    card = registered_card(central_service, "GÜLŞEN ÖZTÜRK", dt.date(1969, 1, 30))
    forget_phone(central_service.database_url, card.digits)
    sign_in(kiosk_ui)
    kiosk_ui.click_text("Kayıp veya kullanılamaz kartı değiştir")
    kiosk_ui.click_text("Ad soyad ve doğum tarihiyle ara")
    press(kiosk_ui, "GÜLŞEN ÖZTÜRK")
    kiosk_ui.click(kiosk_ui.widget("birth_field", "attendant").ids.box)
    press(kiosk_ui, "30011969")
    kiosk_ui.click_text("Ara")  # no phone typed: the record has none
    kiosk_ui.driver.pump_until(lambda: kiosk_ui.app.desk.state.step.value == "confirm_identity", HANG_S, "the holder found")
    assert "Ad soyad: G***** Ö*****" in kiosk_ui.texts()
    assert kiosk_ui.widget("chosen_card", "attendant").text.startswith(f"••••\u00a0{card.last4} · ")
    kiosk_ui.screenshot("dead-end-09-found-without-phone")
    kiosk_ui.click_text("Geri")

    # A damaged card: the reader cannot read it, so its printed number is typed at the find step.
    kiosk_ui.click_text("Kayıp veya kullanılamaz kartı değiştir")
    with tap(ContactlessUidCard(CardUid(bytes.fromhex("04DA3A6ED00001")))):  # only its chip's UID is readable
        kiosk_ui.driver.pump_until(lambda: kiosk_ui.app.desk.state.notice is not None, HANG_S, "the desk's notice")
    assert "Okuyucu bu kartın numarasını okuyamıyor. Kartın üzerindeki numarayı yazın." in kiosk_ui.texts()
    press(kiosk_ui, card.digits)
    kiosk_ui.click_text("Kartı bul")
    kiosk_ui.driver.pump_until(lambda: kiosk_ui.app.desk.state.step.value == "confirm_identity", HANG_S, "the card found")
    assert any(card.last4 in text for text in kiosk_ui.texts())


# --- service down ----------------------------------------------------------------------------------------

def test_with_the_service_down_the_attendant_call_says_where_to_go(kiosk_ui, service_path, tap) -> None:
    service_path.cut()
    try:
        with tap(ACTIVE):
            kiosk_ui.wait_for_screen("problem")
        assert kiosk_ui.widget("problem_title", "problem").text == "Bakiye şu anda gösterilemiyor"
        kiosk_ui.click_text("Görevli çağır")
        wait_for_text(kiosk_ui, "Görevli çağrılamadı. Lütfen market kasasına gidin.")
        kiosk_ui.screenshot("dead-end-10-service-down-call-failed")
    finally:
        service_path.restore()
    kiosk_ui.driver.pump_until(lambda: kiosk_ui.banner == "", HANG_S, "the service back")
