"""The session state machine, driven as the app drives it. The rules (linger, idle timeout,
stale answers, going home) run on the injected look-up (tests/kiosk/cards.py), whose answers
the test releases in the order it wants; the contract tests run the real API client against
the real central service over HTTP. Timers are advanced by hand; the 'UI thread' is a queue."""
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from hardware.card_number import CardNumber
from hardware.card_uid import CardUid
from kiosk.api_client import CentralClient
from kiosk.balance import CardStatus, Entry
from kiosk.scheduling import BackgroundWork
from kiosk.session import KioskSession, Lookup, SessionSettings
from kiosk.state import KioskState, Problem, ReaderHealth, Screen
from kiosk.transport import ServiceTransport
from tests.kiosk.cards import Cards
from tests.kiosk.silent_server import closed_port_url, silent_server
from tests.kiosk.ui_thread import ManualScheduler, UiQueue

ACTIVE = CardNumber.parse("7000070012806566")
AUTOGAS_ONLY = CardNumber.parse("7000079876543215")
UNKNOWN = CardNumber.parse("7000075555000022")
ACTIVE_UID = CardUid(bytes.fromhex("04A1B2C3D4E5F6"))  # the chip of ACTIVE in the demo data
UNKNOWN_UID = CardUid(bytes.fromhex("04FFFFFFFFFF02"))
IDLE, LINGER = 30.0, 4.0


class Harness:
    def __init__(self, lookup: Lookup) -> None:
        self.ui = UiQueue()
        self.clock = ManualScheduler()
        self.background = BackgroundWork(self.ui.dispatch)
        self.session = KioskSession(
            lookup,
            self.background,
            self.clock,
            SessionSettings(idle_timeout_seconds=IDLE, removal_linger_seconds=LINGER),
        )
        self.seen: list[KioskState] = []
        self.session.subscribe(self.seen.append)

    def wait_for(self, screen: Screen) -> KioskState:
        self.ui.pump_until(lambda: self.session.state.screen is screen)
        return self.session.state


@pytest.fixture
def cards() -> Cards:
    return Cards()


@pytest.fixture
def kiosk(cards: Cards) -> Iterator[Harness]:
    """A session on the injected look-up: the rules, without the network."""
    harness = Harness(cards)
    yield harness
    harness.background.shutdown()


@contextmanager
def over_http(base_url: str, token: str) -> Iterator[Harness]:
    """A session whose look-ups go to ``base_url`` through the real API client."""
    client = CentralClient(ServiceTransport(base_url, token, timeout_seconds=1.0, retries=0))
    harness = Harness(client.look_up)
    try:
        yield harness
    finally:
        harness.background.shutdown()
        client.close()


@pytest.fixture
def http_kiosk(central_service) -> Iterator[Harness]:
    """A session whose look-ups go to the real service: the contract."""
    with over_http(central_service.base_url, central_service.token) as harness:
        yield harness


def test_a_tap_shows_reading_then_the_balance(http_kiosk: Harness) -> None:
    http_kiosk.session.card_presented()
    assert http_kiosk.session.state.screen is Screen.READING
    http_kiosk.session.show_card(ACTIVE, Entry.TAPPED)
    assert http_kiosk.session.state.masked_number == "•••• •••• •••• 6566"
    state = http_kiosk.wait_for(Screen.BALANCE)
    assert state.balance is not None
    assert (state.balance.fuel, state.balance.autogas, state.balance.status) == (123456, 8790, CardStatus.ACTIVE)
    assert [s.screen for s in http_kiosk.seen] == [Screen.READING, Screen.READING, Screen.BALANCE]


def test_a_uid_only_card_is_looked_up_by_its_uid_and_kept_masked(http_kiosk: Harness) -> None:
    http_kiosk.session.card_presented()
    http_kiosk.session.show_card(ACTIVE_UID, Entry.TAPPED)
    assert http_kiosk.session.state.masked_number == "UID …E5F6"
    state = http_kiosk.wait_for(Screen.BALANCE)
    assert state.balance is not None
    assert (state.balance.fuel, state.balance.autogas, state.balance.status) == (123456, 8790, CardStatus.ACTIVE)
    assert state.balance.number is None and state.balance.last10 is None
    assert state.masked_number == "•••• •••• •••• 6566"
    http_kiosk.session.open_activation_help()
    assert http_kiosk.session.state.screen is Screen.ACTIVATION_HELP
    for seen in http_kiosk.seen:
        assert "04A1B2C3D4E5F6" not in repr(seen) and "0012806566" not in repr(seen)


def test_an_unknown_uid_is_a_card_the_kiosk_cannot_read_shown_masked(http_kiosk: Harness) -> None:
    """A chip UID no card is linked to may be any contactless card (a Parolu bank card): not
    told it is a blank OPET Kart, as a valid unknown number is."""
    http_kiosk.session.card_presented()
    http_kiosk.session.show_card(UNKNOWN_UID, Entry.TAPPED)
    state = http_kiosk.wait_for(Screen.PROBLEM)
    assert (state.problem, state.masked_number) == (Problem.UNSUPPORTED_CARD, "UID …FF02")


def test_removing_the_card_returns_to_attract_after_the_linger(kiosk: Harness) -> None:
    kiosk.session.card_presented()
    kiosk.session.show_card(ACTIVE, Entry.TAPPED)
    kiosk.wait_for(Screen.BALANCE)
    kiosk.session.card_removed()
    kiosk.clock.advance(LINGER - 0.1)
    assert kiosk.session.state.screen is Screen.BALANCE
    kiosk.clock.advance(0.2)
    assert kiosk.session.state == KioskState()


def test_a_quick_tap_still_shows_the_balance_it_started(kiosk: Harness) -> None:
    kiosk.session.card_presented()
    kiosk.session.show_card(AUTOGAS_ONLY, Entry.TAPPED)
    kiosk.session.card_removed()
    state = kiosk.wait_for(Screen.BALANCE)
    assert state.balance is not None and state.balance.autogas == 15075
    kiosk.clock.advance(LINGER + 0.1)
    assert kiosk.session.state.screen is Screen.ATTRACT


def test_the_idle_timeout_clears_the_screen_and_a_touch_postpones_it(kiosk: Harness) -> None:
    kiosk.session.card_presented()
    kiosk.session.show_card(ACTIVE, Entry.TAPPED)
    kiosk.wait_for(Screen.BALANCE)
    kiosk.clock.advance(IDLE - 1)
    kiosk.session.user_activity()
    kiosk.clock.advance(IDLE - 1)
    assert kiosk.session.state.screen is Screen.BALANCE
    kiosk.clock.advance(1.1)
    assert kiosk.session.state == KioskState()


def test_a_new_tap_drops_the_previous_drivers_late_answer(kiosk: Harness, cards: Cards) -> None:
    first_answer = cards.hold(ACTIVE)
    kiosk.session.card_presented()
    kiosk.session.show_card(ACTIVE, Entry.TAPPED)
    kiosk.session.card_removed()
    kiosk.session.card_presented()  # the next driver taps before the first answer is shown
    kiosk.session.show_card(AUTOGAS_ONLY, Entry.TAPPED)
    state = kiosk.wait_for(Screen.BALANCE)
    assert state.masked_number.endswith("3215")
    assert state.balance is not None and state.balance.number == AUTOGAS_ONLY
    handled = kiosk.ui.calls_run
    first_answer.set()  # the first driver's answer arrives late...
    kiosk.ui.pump_until(lambda: kiosk.ui.calls_run > handled)  # ...and is handled: it must not replace the screen
    assert [digits for digits, _entry in cards.asked] == [ACTIVE.digits, AUTOGAS_ONLY.digits]
    assert kiosk.session.state.balance is not None and kiosk.session.state.balance.number == AUTOGAS_ONLY
    assert all(s.balance is None or s.balance.number == AUTOGAS_ONLY for s in kiosk.seen)


def test_an_unknown_card_is_explained(http_kiosk: Harness) -> None:
    http_kiosk.session.show_card(UNKNOWN, Entry.TYPED)
    state = http_kiosk.wait_for(Screen.PROBLEM)
    assert state.problem is Problem.UNKNOWN_CARD
    assert state.masked_number.endswith("0022")


def test_going_home_forgets_the_card(kiosk: Harness) -> None:
    kiosk.session.show_card(ACTIVE, Entry.TYPED)
    kiosk.wait_for(Screen.BALANCE)
    kiosk.session.go_home()
    assert kiosk.session.state == KioskState()
    assert kiosk.clock.timers == [] or all(t.cancelled for t in kiosk.clock.timers)


def test_reader_health_is_shown_without_touching_the_card_flow(kiosk: Harness) -> None:
    kiosk.session.reader_health_changed(ReaderHealth.NO_READER)
    assert kiosk.session.state.reader is ReaderHealth.NO_READER
    assert kiosk.session.state.screen is Screen.ATTRACT


def test_a_dead_service_says_so() -> None:
    with over_http(closed_port_url(), "token") as harness:
        harness.session.show_card(ACTIVE, Entry.TAPPED)
        assert harness.wait_for(Screen.PROBLEM).problem is Problem.SERVICE_UNAVAILABLE


def test_a_slow_service_ends_in_its_error_not_in_a_silent_timeout() -> None:
    with silent_server() as url:
        with over_http(url, "token") as harness:
            harness.session.card_presented()
            harness.session.show_card(ACTIVE, Entry.TAPPED)
            harness.clock.advance(IDLE + LINGER + 1)  # longer than any idle timeout
            assert harness.session.state.screen is Screen.READING
            assert harness.wait_for(Screen.PROBLEM).problem is Problem.SERVICE_UNAVAILABLE
