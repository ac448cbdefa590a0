"""Recent movements on the balance screen, in the session: they are asked for once the balance
is on screen (never holding it back), with the same entry as the balance; a late answer for a
card no longer shown is dropped; a failure leaves the balance and says the movements are not
available. The real client against the real service is in tests/central/test_movements_http.py."""
from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import datetime, timezone

import pytest

from hardware.card_number import CardNumber
from hardware.card_uid import CardUid
from kiosk.balance import Entry, Movement, MovementKind, Pot
from kiosk.scheduling import BackgroundWork
from kiosk.session import KioskSession, SessionSettings
from kiosk.state import Screen
from kiosk.transport import FailureKind, RequestFailed
from tests.kiosk.cards import HANG_S, Cards
from tests.kiosk.ui_thread import ManualScheduler, UiQueue

ACTIVE = CardNumber.parse("7000070012806566")
NOT_ACTIVATED = CardNumber.parse("7000071234567895")
SALE = Movement(datetime(2026, 11, 27, 18, 20, tzinfo=timezone.utc), MovementKind.EARNED, "OPET Maslak", Pot.FUEL, 1000)


class Movements:
    """The movements look-up: answers a test releases; records what was asked."""

    def __init__(self) -> None:
        self.asked: list[tuple[str, Entry]] = []
        self.gates: dict[str, threading.Event] = {}
        self.fail = False

    def __call__(self, card: CardNumber | CardUid, entry: Entry) -> tuple[Movement, ...]:
        assert isinstance(card, CardNumber)
        self.asked.append((card.digits, entry))
        gate = self.gates.get(card.digits)
        if gate is not None and not gate.wait(HANG_S):
            raise AssertionError("held movements never released")
        if self.fail:
            raise RequestFailed(FailureKind.UNAVAILABLE, "HTTP 503")
        return (SALE,) if card == ACTIVE else ()


class Kiosk:
    def __init__(self) -> None:
        self.ui, self.movements = UiQueue(), Movements()
        self.background = BackgroundWork(self.ui.dispatch)
        self.session = KioskSession(Cards(), self.background, ManualScheduler(), SessionSettings(),
                                    movements=self.movements)


@pytest.fixture
def kiosk() -> Iterator[Kiosk]:
    harness = Kiosk()
    yield harness
    harness.background.shutdown()


def test_the_balance_shows_first_then_its_movements(kiosk) -> None:
    gate = kiosk.movements.gates[ACTIVE.digits] = threading.Event()
    kiosk.session.show_card(ACTIVE, Entry.TAPPED)
    kiosk.ui.pump_until(lambda: kiosk.session.state.screen is Screen.BALANCE)
    assert kiosk.session.state.movements is None  # on screen without waiting for them
    gate.set()
    kiosk.ui.pump_until(lambda: kiosk.session.state.movements is not None)
    assert kiosk.session.state.movements == (SALE,)
    assert kiosk.movements.asked == [(ACTIVE.digits, Entry.TAPPED)]  # the balance's entry: its budget


def test_a_card_without_movements_says_so_and_the_help_page_keeps_them(kiosk) -> None:
    kiosk.session.show_card(NOT_ACTIVATED, Entry.TYPED)
    kiosk.ui.pump_until(lambda: kiosk.session.state.movements == ())
    kiosk.session.open_activation_help()
    kiosk.session.back()
    assert kiosk.session.state.screen is Screen.BALANCE and kiosk.session.state.movements == ()


def test_late_movements_of_the_last_card_are_dropped(kiosk) -> None:
    gate = kiosk.movements.gates[ACTIVE.digits] = threading.Event()
    kiosk.session.show_card(ACTIVE, Entry.TAPPED)
    kiosk.ui.pump_until(lambda: kiosk.session.state.screen is Screen.BALANCE)  # its movements asked for
    kiosk.session.show_card(NOT_ACTIVATED, Entry.TAPPED)
    kiosk.ui.pump_until(lambda: kiosk.session.state.movements == ())
    handled = kiosk.ui.calls_run
    gate.set()
    kiosk.ui.pump_until(lambda: kiosk.ui.calls_run > handled)
    assert kiosk.session.state.movements == () and kiosk.session.state.balance.number == NOT_ACTIVATED


def test_movements_that_fail_leave_the_balance(kiosk) -> None:
    kiosk.movements.fail = True
    kiosk.session.show_card(ACTIVE, Entry.TAPPED)
    kiosk.ui.pump_until(lambda: kiosk.session.state.movements_unavailable)
    assert kiosk.session.state.screen is Screen.BALANCE and kiosk.session.state.balance is not None


def test_going_home_forgets_them(kiosk) -> None:
    kiosk.session.show_card(ACTIVE, Entry.TAPPED)
    kiosk.ui.pump_until(lambda: kiosk.session.state.movements is not None)
    kiosk.session.go_home()
    assert kiosk.session.state.movements is None and not kiosk.session.state.movements_unavailable
