"""Attendant mode's rules, driven as the screens drive it, on scripted answers
(tests/kiosk/desk_answers.py) and the injected driver's look-up (tests/kiosk/cards.py): what the
desk does with each answer, what it catches before any request, what it keeps secret, when it
closes. Timers are advanced by hand; the 'UI thread' is a queue. The real attendant client
against the real service is the contract in test_attendant_desk.py."""
from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterator

import pytest

from hardware.card_number import CardNumber
from hardware.card_uid import CardUid
from kiosk.attendant_client import HolderCard, MaskedHolder, ReplacementDone, SignedIn
from kiosk.attendant_desk import DeskNotice, DeskStep
from kiosk.balance import CardStatus, Entry
from kiosk.holder_form import FormError, FormField
from kiosk.state import KeypadError, Problem, Screen
from kiosk.transport import FailureKind, RequestFailed
from screens.attendant_texts import notice_text
from tests.kiosk.cards import Cards
from tests.kiosk.desk_answers import DeskAnswers
from tests.kiosk.desk_driver import CODE, IDLE, PIN, DeskDriver

ENDER_CARD = CardNumber.parse("7000070012806566")
NEW_CARD = CardNumber.parse("7000079876543215")
ENDER = MaskedHolder("E**** A******", "**.**.1974", "0*** *** **67")
ENDER_FOUND = HolderCard("ref-ender", ENDER_CARD.last4, CardStatus.ACTIVE, 123456, 8790, ENDER)


class Desk(DeskDriver):
    """The desk and the driver's session on scripted answers."""

    def __init__(self) -> None:
        self.answers = DeskAnswers()
        self.cards = Cards()
        super().__init__(self.answers, self.cards)

    def requests(self) -> list[str]:
        """The calls that left the kiosk, by name."""
        return [name for name, _ in self.answers.calls]


@pytest.fixture
def desk() -> Iterator[Desk]:
    harness = Desk()
    yield harness
    harness.desk.close()
    harness.background.shutdown(wait=True)


def found(number: CardNumber, status: CardStatus = CardStatus.ACTIVE, autogas: int = 0, ref: str = "") -> HolderCard:
    return HolderCard(ref or f"ref-{number.last4}", number.last4, status, 1000, autogas, ENDER)


def test_form_mistakes_are_caught_before_any_request(desk: Desk) -> None:
    desk.desk.open()
    desk.desk.sign_in()
    assert desk.desk.state.notice is FormError.CODE_MISSING and desk.desk.state.focus is FormField.ATTENDANT_CODE
    desk.type(FormField.ATTENDANT_CODE, CODE)
    desk.type(FormField.PIN, PIN[:2])
    desk.desk.sign_in()
    assert desk.desk.state.notice is FormError.PIN_TOO_SHORT and desk.desk.state.focus is FormField.PIN
    assert desk.requests() == []
    desk.type(FormField.PIN, PIN[2:])
    desk.desk.sign_in()
    assert desk.settle().step is DeskStep.MENU
    desk.desk.start_replacement()
    desk.desk.find_by_identity_instead()
    desk.type(FormField.FULL_NAME, "AYŞE")
    desk.desk.find()
    assert desk.desk.state.notice is FormError.NAME_NEEDS_SURNAME and not desk.desk.state.busy
    desk.type(FormField.FULL_NAME, " ŞAHİN")
    desk.type(FormField.BIRTH_DATE, "31021988")
    desk.desk.find()
    assert desk.desk.state.notice is FormError.BIRTH_DATE_INVALID
    desk.desk.back()
    desk.desk.start_replacement()
    desk.type(FormField.CARD_NUMBER, "7000070012806567")
    desk.desk.find()
    assert desk.desk.state.notice is KeypadError.CHECK_DIGIT
    assert desk.requests() == ["sign_in"]


def test_no_state_ever_holds_the_pin(desk: Desk) -> None:
    desk.answers.script("sign_in", RequestFailed(FailureKind.WRONG_PIN, "HTTP 401", attempts_left=4))
    state = desk.sign_in(pin="9999")
    assert state.notice is FailureKind.WRONG_PIN and state.attempts_left == 4 and state.pin_length == 0
    desk.type(FormField.PIN, PIN)
    assert desk.desk.state.pin_length == len(PIN)
    desk.desk.sign_in()
    assert desk.settle().step is DeskStep.MENU
    assert desk.desk.state.attendant_name == "DEMO GÖREVLİ"
    assert desk.answers.asked("sign_in") == [(CODE, "9999"), (CODE, PIN)]  # the PIN went to the client only
    assert all(PIN not in repr(state) and "9999" not in repr(state) for state in desk.seen)


def test_a_lockout_notice_shows_its_minutes(desk: Desk) -> None:
    desk.answers.script("sign_in", RequestFailed(FailureKind.LOCKED, "HTTP 423", retry_after_seconds=841))
    state = desk.sign_in()
    assert state.step is DeskStep.SIGN_IN and state.notice is FailureKind.LOCKED
    assert state.retry_after_seconds == 841 and state.focus is FormField.PIN
    assert "15 min" in notice_text(lambda message: message, state)  # 841 s, rounded up


def test_the_old_card_tapped_as_the_new_card_is_refused(desk: Desk) -> None:
    desk.answers.script("find_by_number", ENDER_FOUND)
    desk.sign_in()
    desk.find_by_number(ENDER_CARD)
    assert desk.answers.asked("find_by_number")[0][1] == ENDER_CARD
    desk.confirm_identity("20031974")
    desk.session.show_card(ENDER_CARD, Entry.TAPPED)
    assert desk.desk.state.step is DeskStep.TAP_NEW_CARD
    assert desk.desk.state.notice is FailureKind.SAME_CARD
    assert "replace" not in desk.requests() and desk.cards.asked == []  # never sent: ENDER's card stays as it is


def test_a_card_without_a_readable_number_asks_for_the_printed_one(desk: Desk) -> None:
    desk.sign_in()
    desk.desk.start_registration()
    desk.session.show_card(CardUid(bytes.fromhex("04A1B2C3D4E5F6")), Entry.TAPPED)
    assert desk.desk.state.notice is DeskNotice.NO_NUMBER_ON_CARD
    assert desk.desk.state.focus is FormField.CARD_NUMBER
    desk.type(FormField.CARD_NUMBER, NEW_CARD.digits)
    desk.desk.use_typed_card()
    assert desk.desk.state.step is DeskStep.REGISTRATION_FORM and desk.desk.state.new_card_last4 == NEW_CARD.last4
    assert desk.requests() == ["sign_in"]


def test_wrong_identity_details_find_nothing_and_say_so(desk: Desk) -> None:
    desk.answers.script("find_by_identity", [])
    desk.sign_in()
    state = desk.find_by_identity("ENDER AYTEKİN", "21031974", "05551234567")
    assert state.step is DeskStep.FIND_BY_IDENTITY and state.notice is DeskNotice.NO_MATCH
    (_, name, born, phone), = desk.answers.asked("find_by_identity")
    assert (name, born, phone) == ("ENDER AYTEKİN", dt.date(1974, 3, 21), "05551234567")


def test_a_wrong_birth_date_sends_the_desk_back_to_the_identity_step(desk: Desk) -> None:
    moved = ReplacementDone("A1B2C3", ENDER_CARD.last4, NEW_CARD.last4, 123456, 8790, 123456, 8790, False)
    desk.answers.script("find_by_number", ENDER_FOUND)
    desk.answers.script("replace", RequestFailed(FailureKind.WRONG_BIRTH_DATE, "HTTP 409"), moved)
    desk.sign_in()
    desk.find_by_number(ENDER_CARD)
    assert desk.confirm_identity("2003").notice is FormError.BIRTH_DATE_INCOMPLETE  # caught before any request
    for _ in range(4):
        desk.desk.erase()
    assert desk.confirm_identity("21031974").step is DeskStep.TAP_NEW_CARD  # a real date, but not his
    assert "replace" not in desk.requests()
    desk.session.show_card(NEW_CARD, Entry.TAPPED)
    desk.desk.confirm_move()
    state = desk.settle()
    assert state.step is DeskStep.CONFIRM_IDENTITY and state.notice is FailureKind.WRONG_BIRTH_DATE
    assert state.text(FormField.BIRTH_DATE) == "" and state.chosen == ENDER_FOUND
    desk.confirm_identity("20031974")
    desk.session.show_card(NEW_CARD, Entry.TAPPED)
    desk.desk.confirm_move()
    state = desk.settle()
    assert state.step is DeskStep.MOVE_DONE and state.moved == moved
    first, second = desk.answers.asked("replace")
    assert (first[1:4], second[1:4]) == (("ref-ender", NEW_CARD, dt.date(1974, 3, 21)),
                                         ("ref-ender", NEW_CARD, dt.date(1974, 3, 20)))
    assert first[4] != second[4]  # another birth date is another change: another Idempotency-Key


def test_attendant_mode_closes_itself_when_idle_and_signs_out(desk: Desk) -> None:
    desk.sign_in()
    desk.clock.advance(IDLE - 1)
    desk.desk.activity()
    desk.clock.advance(IDLE - 1)
    assert desk.desk.state.step is DeskStep.MENU  # a touch kept it open
    handled = desk.ui.calls_run
    desk.clock.advance(2)
    assert desk.desk.state.step is DeskStep.CLOSED
    desk.ui.pump_until(lambda: desk.ui.calls_run > handled)  # the sign-out's answer, handled
    assert desk.answers.asked("sign_out") == [(SignedIn(f"session-of-{CODE}", CODE, "DEMO GÖREVLİ"),)]
    desk.session.show_card(ENDER_CARD, Entry.TAPPED)  # cards are the driver's again
    assert desk.session.state.screen is Screen.READING
    desk.ui.pump_until(lambda: desk.session.state.screen is Screen.BALANCE)
    assert desk.cards.asked == [(ENDER_CARD.digits, Entry.TAPPED)]


def _find_ender_with_the_answer_held(desk: Desk) -> threading.Event:
    """Signs in and looks up Ender's card by number; the answer waits until the returned gate is set."""
    gate = desk.answers.hold("find_by_number")
    desk.answers.script("find_by_number", ENDER_FOUND)
    desk.sign_in()
    desk.desk.start_replacement()
    desk.type(FormField.CARD_NUMBER, ENDER_CARD.digits)
    desk.desk.find()
    return gate


def test_an_answer_on_its_way_keeps_the_desk_open_past_its_idle_time(desk: Desk) -> None:
    gate = _find_ender_with_the_answer_held(desk)
    desk.clock.advance(IDLE + 1)
    assert desk.desk.state.busy and desk.desk.state.step is DeskStep.FIND_BY_NUMBER
    gate.set()
    assert desk.settle().step is DeskStep.CONFIRM_IDENTITY


def test_signing_out_gives_the_reader_back_to_drivers(desk: Desk) -> None:
    desk.sign_in()
    desk.desk.start_registration()
    desk.desk.sign_out()
    assert not desk.desk.state.active
    desk.session.show_card(ENDER_CARD, Entry.TAPPED)
    assert desk.session.state.screen is Screen.READING
    assert desk.desk.signed_in_code is None


def test_a_holder_with_two_cards_chooses_the_one_being_replaced(desk: Desk) -> None:
    first, second = CardNumber.parse("7000079876543215"), CardNumber.parse("7000071234567895")
    desk.answers.script("find_by_identity", [found(first, autogas=0), found(second, autogas=200)])
    desk.sign_in()
    state = desk.find_by_identity("DENİZ ÇELİK", "05051995", "05441234567")
    assert state.step is DeskStep.CHOOSE_CARD and state.chosen is None
    assert [card.number_last4 for card in state.cards] == [first.last4, second.last4]
    desk.desk.choose(2)  # no such card: nothing happens
    assert desk.desk.state.step is DeskStep.CHOOSE_CARD
    desk.desk.choose(1)
    state = desk.desk.state
    assert state.step is DeskStep.CONFIRM_IDENTITY and state.chosen is not None
    assert (state.chosen.number_last4, state.chosen.autogas) == (second.last4, 200)
    desk.desk.back()
    assert desk.desk.state.step is DeskStep.MENU


def test_a_replaced_card_cannot_be_replaced_again(desk: Desk) -> None:
    replaced = CardNumber.parse("7000075555000014")
    desk.answers.script("find_by_number", found(replaced, CardStatus.REPLACED))
    desk.sign_in()
    state = desk.find_by_number(replaced)
    assert state.chosen is not None and state.chosen.status is CardStatus.REPLACED
    desk.desk.identity_confirmed()
    assert desk.desk.state.step is DeskStep.CONFIRM_IDENTITY
    assert desk.desk.state.notice is FailureKind.ALREADY_REPLACED
    assert "replace" not in desk.requests()


def test_a_late_answer_after_sign_out_is_dropped(desk: Desk) -> None:
    gate = _find_ender_with_the_answer_held(desk)
    assert desk.desk.state.busy
    desk.desk.sign_out()
    desk.ui.pump_until(lambda: len(desk.answers.asked("sign_out")) == 1)
    desk.sign_in()  # the next attendant, at the same step
    desk.desk.start_replacement()
    handled = desk.ui.calls_run
    gate.set()  # the first attendant's answer arrives now
    desk.ui.pump_until(lambda: desk.ui.calls_run >= handled + 1)
    state = desk.desk.state
    assert state.step is DeskStep.FIND_BY_NUMBER and state.chosen is None and state.cards == ()
    assert all(each.chosen is None for each in desk.seen[-3:])


def test_a_blocked_card_is_replaced_like_a_lost_one(desk: Desk) -> None:
    """A card reported lost is blocked: replacing it is the attendant's job, not 444 6738's."""
    blocked = found(ENDER_CARD, CardStatus.BLOCKED)
    moved = ReplacementDone("A1B2C3", ENDER_CARD.last4, NEW_CARD.last4, 1000, 0, 1000, 0, False)
    desk.answers.script("find_by_number", blocked)
    desk.answers.script("replace", moved)
    desk.sign_in()
    state = desk.find_by_number(ENDER_CARD)
    assert state.step is DeskStep.CONFIRM_IDENTITY and state.chosen == blocked
    assert desk.confirm_identity("20031974").step is DeskStep.TAP_NEW_CARD and desk.desk.state.notice is None
    desk.session.show_card(NEW_CARD, Entry.TAPPED)
    desk.desk.confirm_move()
    assert desk.settle().step is DeskStep.MOVE_DONE


def test_the_old_card_tapped_at_the_find_step_is_looked_up_and_never_shown_whole(desk: Desk) -> None:
    desk.answers.script("find_by_number", ENDER_FOUND)
    desk.sign_in()
    desk.desk.start_replacement()
    desk.session.show_card(ENDER_CARD, Entry.TAPPED)
    assert desk.settle().step is DeskStep.CONFIRM_IDENTITY
    assert desk.answers.asked("find_by_number")[0][1] == ENDER_CARD
    assert all(ENDER_CARD.digits not in repr(state) for state in desk.seen)
    desk.confirm_identity("20031974")
    desk.session.show_card(ENDER_CARD, Entry.TAPPED)  # the same card again, as the new one
    assert desk.desk.state.notice is FailureKind.SAME_CARD


def test_a_damaged_old_card_is_found_by_the_number_typed(desk: Desk) -> None:
    desk.answers.script("find_by_number", ENDER_FOUND)
    desk.sign_in()
    desk.desk.start_replacement()
    desk.session.card_unreadable(Problem.READ_FAILED)
    assert desk.desk.state.notice is DeskNotice.CARD_UNREADABLE and desk.desk.state.focus is FormField.CARD_NUMBER
    assert desk.requests() == ["sign_in"]
    desk.type(FormField.CARD_NUMBER, ENDER_CARD.digits)
    desk.desk.find()
    assert desk.settle().step is DeskStep.CONFIRM_IDENTITY


def test_a_holder_without_a_phone_is_searched_by_name_and_birth_date(desk: Desk) -> None:
    no_phone = HolderCard("ref-old", ENDER_CARD.last4, CardStatus.ACTIVE, 1000, 0,
                          MaskedHolder("E**** A******", "**.**.1974", ""))
    desk.answers.script("find_by_identity", [no_phone])
    desk.sign_in()
    desk.desk.start_replacement()
    desk.desk.find_by_identity_instead()
    desk.type(FormField.FULL_NAME, "ENDER AYTEKİN")
    desk.type(FormField.BIRTH_DATE, "20031974")
    desk.desk.find()
    assert desk.settle().step is DeskStep.CONFIRM_IDENTITY
    (_, name, born, phone), = desk.answers.asked("find_by_identity")
    assert (name, born, phone) == ("ENDER AYTEKİN", dt.date(1974, 3, 20), None)
    desk.desk.back()
    desk.desk.start_replacement()
    desk.desk.find_by_identity_instead()
    desk.type(FormField.FULL_NAME, "ENDER AYTEKİN")
    desk.type(FormField.BIRTH_DATE, "20031974")
    desk.type(FormField.PHONE, "0555")  # a phone typed is still checked
    desk.desk.find()
    assert desk.desk.state.notice is FormError.PHONE_INVALID and len(desk.answers.asked("find_by_identity")) == 1
