"""Keypad, language, help screens and the attendant call, as the screens drive the session.
The rules run on the injected look-up (tests/kiosk/cards.py); typed look-ups that the service
itself must answer go over HTTP to the real central service."""
from collections.abc import Iterator

import pytest

from hardware.card_number import CardNumber
from kiosk.api_client import CentralClient
from kiosk.balance import Entry
from kiosk.formatting import group_digits
from kiosk.keypad import Throttle, check_typed_number
from kiosk.scheduling import BackgroundWork
from kiosk.session import KioskSession, Lookup, SessionSettings
from kiosk.state import AttendantCall, KeypadError, KioskState, Problem, Screen
from kiosk.transport import ServiceTransport
from tests.kiosk.cards import Cards
from tests.kiosk.ui_thread import ManualScheduler, UiQueue

ACTIVE = "7000070012806566"
IDLE = 30.0


class Kiosk:
    def __init__(self, lookup: Lookup, settings: SessionSettings, caller=None) -> None:
        self.ui = UiQueue()
        self.clock = ManualScheduler()
        self.background = BackgroundWork(self.ui.dispatch)
        self.session = KioskSession(lookup, self.background, self.clock, settings, caller, clock=lambda: self.clock.now)

    def type_number(self, digits: str) -> None:
        self.session.open_keypad()
        for digit in digits:
            self.session.keypad_press(digit)

    def wait_for(self, screen: Screen) -> KioskState:
        self.ui.pump_until(lambda: self.session.state.screen is screen)
        return self.session.state


@pytest.fixture
def cards() -> Cards:
    return Cards()


@pytest.fixture
def make_kiosk(cards: Cards) -> Iterator:
    """Kiosks on the injected look-up."""
    made: list[Kiosk] = []

    def make(settings: SessionSettings = SessionSettings(idle_timeout_seconds=IDLE), caller=None) -> Kiosk:
        kiosk = Kiosk(cards, settings, caller)
        made.append(kiosk)
        return kiosk

    yield make
    for kiosk in made:
        kiosk.background.shutdown()


@pytest.fixture
def make_http_kiosk(central_service) -> Iterator:
    """Kiosks whose look-ups go to the real service through the real API client."""
    made: list[tuple[Kiosk, CentralClient]] = []

    def make(settings: SessionSettings = SessionSettings(idle_timeout_seconds=IDLE)) -> Kiosk:
        client = CentralClient(ServiceTransport(central_service.base_url, central_service.token, timeout_seconds=1.0, retries=0))
        kiosk = Kiosk(client.balance, settings)
        made.append((kiosk, client))
        return kiosk

    yield make
    for kiosk, client in made:
        kiosk.background.shutdown()
        client.close()


def test_typed_number_is_grouped_checked_and_looked_up(make_http_kiosk) -> None:
    kiosk = make_http_kiosk()
    kiosk.type_number(ACTIVE[:10])
    assert group_digits(kiosk.session.state.typed_digits) == "7000 0700 12"
    for digit in ACTIVE[10:] + "9":  # a 17th digit is ignored
        kiosk.session.keypad_press(digit)
    assert kiosk.session.state.typed_digits == ACTIVE
    kiosk.session.keypad_submit()
    assert kiosk.session.state.typed_digits == ""
    state = kiosk.wait_for(Screen.BALANCE)
    assert state.masked_number == "•••• •••• •••• 6566"
    assert state.balance is not None and state.balance.fuel == 123456


def test_a_short_or_mistyped_number_is_refused_before_any_request(make_kiosk, cards: Cards) -> None:
    kiosk = make_kiosk()
    kiosk.type_number(ACTIVE[:15])
    kiosk.session.keypad_submit()
    assert (kiosk.session.state.screen, kiosk.session.state.keypad_error) == (Screen.KEYPAD, KeypadError.INCOMPLETE)
    kiosk.session.keypad_press("7")  # last digit wrong: Luhn fails
    kiosk.session.keypad_submit()
    assert kiosk.session.state.keypad_error is KeypadError.CHECK_DIGIT
    kiosk.session.keypad_delete()
    assert kiosk.session.state.keypad_error is None
    assert kiosk.session.state.typed_digits == ACTIVE[:15]
    assert cards.asked == []


def test_without_the_kiosk_check_a_mistyped_number_is_refused_by_the_service(make_http_kiosk) -> None:
    kiosk = make_http_kiosk(SessionSettings(require_luhn=False))
    kiosk.type_number(ACTIVE[:15] + "7")
    kiosk.session.keypad_submit()
    assert kiosk.wait_for(Screen.PROBLEM).problem is Problem.INVALID_NUMBER


def test_typed_look_ups_are_throttled_on_the_kiosk(make_kiosk, cards: Cards) -> None:
    kiosk = make_kiosk(SessionSettings(typed_lookups_per_minute=2))
    for _ in range(2):
        kiosk.type_number(ACTIVE)
        kiosk.session.keypad_submit()
        kiosk.wait_for(Screen.BALANCE)
    kiosk.type_number(ACTIVE)
    kiosk.session.keypad_submit()
    assert kiosk.session.state.problem is Problem.RATE_LIMITED
    assert len(cards.asked) == 2  # the third never left the kiosk
    kiosk.clock.advance(60)
    kiosk.type_number(ACTIVE)
    kiosk.session.keypad_submit()
    assert kiosk.wait_for(Screen.BALANCE).balance is not None
    assert cards.asked == [(ACTIVE, Entry.TYPED)] * 3


def test_the_throttle_window_slides() -> None:
    now = [0.0]
    throttle = Throttle(2, 60.0, clock=lambda: now[0])
    assert throttle.allow() and throttle.allow() and not throttle.allow()
    now[0] = 59.9
    assert not throttle.allow()
    now[0] = 60.0
    assert throttle.allow()


def test_check_typed_number() -> None:
    assert check_typed_number(ACTIVE, require_luhn=True) == CardNumber(ACTIVE)
    assert check_typed_number("", require_luhn=True) is KeypadError.INCOMPLETE
    assert check_typed_number(ACTIVE[:-1] + "0", require_luhn=True) is KeypadError.CHECK_DIGIT


def test_language_switch_lasts_until_the_driver_leaves(make_kiosk) -> None:
    kiosk = make_kiosk()
    kiosk.session.set_language("en")
    assert kiosk.session.state.language == "en"
    kiosk.type_number(ACTIVE)
    kiosk.session.keypad_submit()
    assert kiosk.wait_for(Screen.BALANCE).language == "en"
    kiosk.session.go_home()
    assert kiosk.session.state.language == "en"  # same driver, pressed OK
    kiosk.clock.advance(IDLE + 1)
    assert kiosk.session.state == KioskState(language="tr")
    with pytest.raises(ValueError):
        kiosk.session.set_language("de")


def test_high_contrast_is_per_driver_and_the_configured_default_returns(make_kiosk) -> None:
    kiosk = make_kiosk(SessionSettings(idle_timeout_seconds=IDLE, high_contrast=True))
    assert kiosk.session.state.high_contrast
    kiosk.session.toggle_high_contrast()
    assert not kiosk.session.state.high_contrast
    kiosk.clock.advance(IDLE + 1)
    assert kiosk.session.state.high_contrast


def test_activation_help_keeps_the_card_and_goes_back_to_it(make_kiosk) -> None:
    kiosk = make_kiosk()
    kiosk.type_number("7000071234567895")
    kiosk.session.keypad_submit()
    kiosk.wait_for(Screen.BALANCE)
    kiosk.session.open_activation_help()
    state = kiosk.session.state
    assert state.screen is Screen.ACTIVATION_HELP
    assert state.balance is not None and state.balance.number.last10 == "1234567895"
    kiosk.session.back()
    assert kiosk.session.state.screen is Screen.BALANCE
    kiosk.session.go_home()
    kiosk.session.open_activation_help()
    assert kiosk.session.state.balance is None
    kiosk.session.back()
    assert kiosk.session.state.screen is Screen.ATTRACT


def test_a_tap_replaces_the_keypad_and_what_was_typed(make_kiosk) -> None:
    kiosk = make_kiosk()
    kiosk.type_number(ACTIVE[:8])
    kiosk.session.card_presented()
    assert kiosk.session.state.screen is Screen.READING
    assert kiosk.session.state.typed_digits == ""


def test_calling_an_attendant_reports_success_and_failure(make_kiosk) -> None:
    calls: list[str] = []
    kiosk = make_kiosk(caller=calls.append)
    kiosk.session.open_lost_card()
    kiosk.session.call_attendant()
    assert kiosk.session.state.attendant_call is AttendantCall.CALLING
    kiosk.ui.pump_until(lambda: kiosk.session.state.attendant_call is AttendantCall.CALLED)
    kiosk.session.call_attendant()  # a second press does not call twice
    assert calls == ["lost_card"]

    def unreachable(reason: str) -> None:
        raise ConnectionError("service down")

    kiosk = make_kiosk(caller=unreachable)
    kiosk.session.open_lost_card()
    kiosk.session.call_attendant()
    kiosk.ui.pump_until(lambda: kiosk.session.state.attendant_call is AttendantCall.FAILED)
