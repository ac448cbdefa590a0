"""Attendant mode's core, driven as the screens drive it, with the real attendant client
talking HTTP to the real central service (its own database: these tests replace cards).
Timers are advanced by hand; the 'UI thread' is a queue."""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from hardware.card_number import CardNumber
from hardware.card_uid import CardUid
from kiosk.api_client import CentralClient
from kiosk.attendant_client import AttendantClient
from kiosk.attendant_desk import AttendantDesk, DeskNotice, DeskSettings, DeskState, DeskStep
from kiosk.balance import CardStatus, Entry
from kiosk.holder_form import FormField
from kiosk.scheduling import BackgroundWork
from kiosk.session import KioskSession, Screen, SessionSettings
from tests.kiosk.ui_thread import ManualScheduler, UiQueue
from tests.rigs.central import CentralService, running_central
from tests.rigs.network_path import NetworkPath

ENDER_CARD = CardNumber.parse("7000070012806566")  # active, 1.234,56 + 87,90
AYSE_CARD = CardNumber.parse("7000071234567895")  # not activated, 42,50 + 0
NEW_CARDS = [CardNumber.parse("7000072026000012"), CardNumber.parse("7000072026000020")]
CODE, PIN = "1001", "1234"
IDLE = 90.0


class Desk:
    """The desk and the driver's session wired as the runtime wires them."""

    def __init__(self, base_url: str, token: str, change_tries: int = 3) -> None:
        self.ui = UiQueue()
        self.clock = ManualScheduler()
        self.background = BackgroundWork(self.ui.dispatch)
        self.client = AttendantClient(base_url, token, timeout_seconds=2.0, change_tries=change_tries,
                                      retry_pause_seconds=0.05)
        self.lookups = CentralClient(base_url, token, timeout_seconds=2.0, retries=0)
        self.session = KioskSession(self.lookups.look_up, self.background, self.clock, SessionSettings())
        self.desk = AttendantDesk(
            self.client, self.background, self.clock, DeskSettings(idle_timeout_seconds=IDLE),
            on_active_changed=lambda active: self.session.divert_cards(self.desk if active else None),
        )
        self.seen: list[DeskState] = []
        self.desk.subscribe(self.seen.append)

    def type(self, form_field: FormField, text: str) -> None:
        self.desk.focus(form_field)
        for key in text:
            self.desk.type_key(key)

    def settle(self) -> DeskState:
        self.ui.pump_until(lambda: not self.desk.state.busy)
        return self.desk.state

    def sign_in(self, code: str = CODE, pin: str = PIN) -> DeskState:
        self.desk.open()
        self.type(FormField.ATTENDANT_CODE, code)
        self.type(FormField.PIN, pin)
        self.desk.sign_in()
        return self.settle()

    def find_by_number(self, number: CardNumber) -> DeskState:
        self.desk.start_replacement()
        self.type(FormField.CARD_NUMBER, number.digits)
        self.desk.find()
        return self.settle()

    def close(self) -> None:
        self.desk.close()
        self.ui.pump_for(0.3)
        self.background.shutdown()
        self.client.close()
        self.lookups.close()


@pytest.fixture
def service(tmp_path: Path) -> Iterator[CentralService]:
    with running_central(f"sqlite:///{tmp_path / 'central.db'}", tmp_path) as running:
        yield running


@pytest.fixture
def desk(service: CentralService) -> Iterator[Desk]:
    harness = Desk(service.base_url, service.token)
    yield harness
    harness.close()


def test_a_wrong_pin_counts_down_to_a_lockout_that_the_right_pin_cannot_open(desk: Desk, service: CentralService) -> None:
    state = desk.sign_in(pin="9999")
    assert state.step is DeskStep.SIGN_IN and state.notice is DeskNotice.WRONG_PIN
    first_left = state.attempts_left
    assert first_left is not None and first_left >= 1
    assert state.pin_length == 0  # the PIN is gone once sent
    for _ in range(first_left):
        desk.type(FormField.PIN, "9999")
        desk.desk.sign_in()
        state = desk.settle()
    assert state.notice is DeskNotice.LOCKED
    assert state.retry_after_seconds and state.retry_after_seconds > 60
    desk.type(FormField.PIN, PIN)
    desk.desk.sign_in()
    assert desk.settle().notice is DeskNotice.LOCKED  # locked means locked, right PIN or not
    service.cli("unlock-attendant", "--code", CODE)
    desk.type(FormField.PIN, PIN)
    desk.desk.sign_in()
    assert desk.settle().step is DeskStep.MENU


def test_no_state_ever_holds_the_pin(desk: Desk) -> None:
    desk.sign_in()
    assert desk.desk.state.step is DeskStep.MENU
    assert desk.desk.state.attendant_name == "DEMO GÖREVLİ"
    assert all(PIN not in repr(state) for state in desk.seen)


def test_a_replacement_by_number_moves_both_pots_and_closes_the_old_card(desk: Desk) -> None:
    desk.sign_in()
    state = desk.find_by_number(ENDER_CARD)
    assert state.step is DeskStep.CONFIRM_IDENTITY
    chosen = state.chosen
    assert chosen is not None and chosen.number_last4 == "6566" and chosen.holder is not None
    assert chosen.holder.name == "E**** A******"  # masked: the attendant compares, not reads
    assert "1974" in chosen.holder.birth_date and "20" not in chosen.holder.birth_date.replace("1974", "")
    assert chosen.holder.phone.endswith("4567")
    desk.desk.identity_confirmed()
    assert desk.desk.state.step is DeskStep.TAP_NEW_CARD
    desk.session.card_presented()  # diverted: the driver's screens stay at attract
    desk.session.show_card(NEW_CARDS[0], Entry.TAPPED)
    assert desk.session.state.screen is Screen.ATTRACT
    state = desk.desk.state
    assert state.step is DeskStep.CONFIRM_MOVE and state.new_card_last4 == "0012"
    desk.desk.confirm_move()
    state = desk.settle()
    assert state.step is DeskStep.MOVE_DONE and state.moved is not None
    assert (state.moved.moved_fuel, state.moved.moved_autogas) == (123456, 8790)
    assert (state.moved.new_fuel, state.moved.new_autogas) == (123456, 8790)
    assert len(state.moved.confirmation_code) == 6 and not state.moved.replayed
    assert desk.lookups.look_up(ENDER_CARD, Entry.TYPED).status is CardStatus.REPLACED
    new_balance = desk.lookups.look_up(NEW_CARDS[0], Entry.TYPED)
    assert (new_balance.fuel, new_balance.autogas, new_balance.status) == (123456, 8790, CardStatus.ACTIVE)


def test_the_old_card_tapped_as_the_new_card_is_refused(desk: Desk) -> None:
    desk.sign_in()
    desk.find_by_number(ENDER_CARD)
    desk.desk.identity_confirmed()
    desk.session.show_card(ENDER_CARD, Entry.TAPPED)
    assert desk.desk.state.step is DeskStep.TAP_NEW_CARD
    assert desk.desk.state.notice is DeskNotice.SAME_CARD


def test_a_card_without_a_readable_number_asks_for_the_printed_one(desk: Desk) -> None:
    desk.sign_in()
    desk.desk.start_registration()
    desk.session.show_card(CardUid(bytes.fromhex("04A1B2C3D4E5F6")), Entry.TAPPED)
    assert desk.desk.state.notice is DeskNotice.NO_NUMBER_ON_CARD
    desk.type(FormField.CARD_NUMBER, NEW_CARDS[1].digits)
    desk.desk.use_typed_card()
    assert desk.desk.state.step is DeskStep.REGISTRATION_FORM


def test_a_replacement_by_identity_with_turkish_letters_typed_in_small_letters(desk: Desk) -> None:
    desk.sign_in()
    desk.desk.start_replacement()
    desk.desk.find_by_identity_instead()
    desk.type(FormField.FULL_NAME, "ayşe şahin")
    desk.type(FormField.BIRTH_DATE, "02111988")
    desk.type(FormField.PHONE, "05329876543")
    assert desk.desk.state.text(FormField.FULL_NAME) == "AYŞE ŞAHİN"
    desk.desk.find()
    state = desk.settle()
    assert state.step is DeskStep.CONFIRM_IDENTITY
    assert state.chosen is not None and state.chosen.number_last4 == "7895"
    desk.desk.identity_confirmed()
    desk.session.show_card(NEW_CARDS[1], Entry.TAPPED)
    desk.desk.confirm_move()
    state = desk.settle()
    assert state.step is DeskStep.MOVE_DONE and state.moved is not None
    assert (state.moved.moved_fuel, state.moved.moved_autogas) == (4250, 0)


def test_wrong_identity_details_find_nothing_and_say_so(desk: Desk) -> None:
    desk.sign_in()
    desk.desk.start_replacement()
    desk.desk.find_by_identity_instead()
    desk.type(FormField.FULL_NAME, "AYŞE ŞAHİN")
    desk.type(FormField.BIRTH_DATE, "03111988")
    desk.type(FormField.PHONE, "05329876543")
    desk.desk.find()
    state = desk.settle()
    assert state.step is DeskStep.FIND_BY_IDENTITY and state.notice is DeskNotice.NO_MATCH


def test_form_mistakes_are_caught_before_any_request(desk: Desk) -> None:
    desk.sign_in()
    desk.desk.start_replacement()
    desk.desk.find_by_identity_instead()
    desk.type(FormField.FULL_NAME, "AYŞE")
    desk.desk.find()
    assert desk.desk.state.notice is DeskNotice.NAME_NEEDS_SURNAME and not desk.desk.state.busy
    desk.type(FormField.FULL_NAME, " ŞAHİN")
    desk.type(FormField.BIRTH_DATE, "31021988")
    desk.desk.find()
    assert desk.desk.state.notice is DeskNotice.BIRTH_DATE_INVALID
    desk.desk.back()
    desk.desk.start_replacement()
    desk.type(FormField.CARD_NUMBER, "7000070012806567")
    desk.desk.find()
    assert desk.desk.state.notice is DeskNotice.NUMBER_CHECK_DIGIT


def test_a_replaced_card_cannot_be_replaced_again(desk: Desk) -> None:
    desk.sign_in()
    state = desk.find_by_number(CardNumber.parse("7000075555000014"))
    assert state.chosen is not None and state.chosen.status is CardStatus.REPLACED
    desk.desk.identity_confirmed()
    assert desk.desk.state.step is DeskStep.CONFIRM_IDENTITY
    assert desk.desk.state.notice is DeskNotice.ALREADY_REPLACED


def test_a_lost_answer_is_retried_with_the_same_key_and_moves_the_points_once(service: CentralService) -> None:
    path = NetworkPath(int(service.base_url.rsplit(":", 1)[1]))
    path.restore()
    harness = Desk(path.url, service.token, change_tries=2)
    try:
        harness.sign_in()
        harness.find_by_number(ENDER_CARD)
        harness.desk.identity_confirmed()
        harness.session.show_card(NEW_CARDS[0], Entry.TAPPED)
        path.lose_answers(2)  # both tries reach the service; neither answer comes back
        harness.desk.confirm_move()
        state = harness.settle()
        assert state.step is DeskStep.MOVE_UNCERTAIN and state.notice is DeskNotice.UNAVAILABLE
        path.restore()
        harness.desk.confirm_move()  # "Try again": the same request, the same key
        state = harness.settle()
        assert state.step is DeskStep.MOVE_DONE and state.moved is not None
        assert state.moved.replayed  # the service had done it on the first try
        assert (state.moved.moved_fuel, state.moved.moved_autogas) == (123456, 8790)
        new_balance = harness.lookups.look_up(NEW_CARDS[0], Entry.TYPED)
        assert (new_balance.fuel, new_balance.autogas) == (123456, 8790)  # not twice
        events = service.cli("attendant-actions", "--attendant", CODE)
        assert events.count("replacement") == 1
    finally:
        harness.close()
        path.cut()


def test_one_lost_answer_is_absorbed_by_the_automatic_retry(service: CentralService) -> None:
    path = NetworkPath(int(service.base_url.rsplit(":", 1)[1]))
    path.restore()
    harness = Desk(path.url, service.token, change_tries=3)
    try:
        harness.sign_in()
        harness.find_by_number(ENDER_CARD)
        harness.desk.identity_confirmed()
        harness.session.show_card(NEW_CARDS[0], Entry.TAPPED)
        path.lose_answers(1)
        harness.desk.confirm_move()
        state = harness.settle()
        assert state.step is DeskStep.MOVE_DONE and state.moved is not None and state.moved.replayed
        assert harness.lookups.look_up(NEW_CARDS[0], Entry.TYPED).fuel == 123456
    finally:
        harness.close()
        path.cut()


def test_a_registration_stores_turkish_capitals_and_a_retry_is_not_a_conflict(desk: Desk) -> None:
    desk.sign_in()
    desk.desk.start_registration()
    desk.session.show_card(NEW_CARDS[1], Entry.TAPPED)
    assert desk.desk.state.step is DeskStep.REGISTRATION_FORM and desk.desk.state.new_card_last4 == "0020"
    desk.type(FormField.FULL_NAME, "şükrü ığdır-çağlar")
    desk.type(FormField.BIRTH_DATE, "29021984")
    desk.type(FormField.PHONE, "05551112233")
    desk.desk.set_consent(True)
    desk.desk.submit_registration()
    state = desk.settle()
    assert state.step is DeskStep.REGISTERED and state.registered is not None
    assert state.registered_name == "ŞÜKRÜ IĞDIR-ÇAĞLAR"
    assert desk.lookups.look_up(NEW_CARDS[1], Entry.TYPED).holder_registered


def test_attendant_mode_closes_itself_when_idle_and_signs_out(desk: Desk, service: CentralService) -> None:
    desk.sign_in()
    desk.clock.advance(IDLE - 1)
    desk.desk.activity()
    desk.clock.advance(IDLE - 1)
    assert desk.desk.state.step is DeskStep.MENU  # a touch kept it open
    desk.clock.advance(2)
    assert desk.desk.state.step is DeskStep.CLOSED
    desk.ui.pump_for(0.5)
    actions = service.cli("attendant-actions", "--attendant", CODE)
    assert "logout" in actions or "sign_out" in actions
    desk.session.show_card(ENDER_CARD, Entry.TAPPED)  # cards are the driver's again
    assert desk.session.state.screen is Screen.READING


def test_signing_out_gives_the_reader_back_to_drivers(desk: Desk) -> None:
    desk.sign_in()
    desk.desk.start_registration()
    desk.desk.sign_out()
    assert not desk.desk.state.active
    desk.session.show_card(ENDER_CARD, Entry.TAPPED)
    assert desk.session.state.screen is Screen.READING
