"""The kiosk session: what the screen shows, and every event that changes it.

All methods run on the UI thread (the card watcher and the network reach it through a
dispatcher). The state is one immutable :class:`KioskState`; listeners get each new state.
A look-up that comes back after a newer tap, a removal or a timeout is dropped, so nothing
of the previous driver is ever shown to the next one.
"""
from __future__ import annotations

import enum
import logging
from dataclasses import dataclass, replace
from typing import Callable

from hardware.card_number import CardNumber
from kiosk.api_client import FailureKind, LookupFailed
from kiosk.balance import Balance, Entry
from kiosk.scheduling import BackgroundWork, Outcome, Scheduler, Timer

log = logging.getLogger(__name__)


class Screen(enum.Enum):
    ATTRACT = "attract"
    READING = "reading"
    BALANCE = "balance"
    PROBLEM = "problem"


class Problem(enum.Enum):
    """Why a look-up gave no balance; each has its own message and next step on screen."""

    UNKNOWN_CARD = "unknown_card"
    INVALID_NUMBER = "invalid_number"
    SERVICE_UNAVAILABLE = "service_unavailable"
    RATE_LIMITED = "rate_limited"
    KIOSK_NOT_AUTHORIZED = "kiosk_not_authorized"
    READ_FAILED = "read_failed"
    UNSUPPORTED_CARD = "unsupported_card"


class ReaderHealth(enum.Enum):
    READY = "ready"
    NO_READER = "no_reader"
    SERVICE_DOWN = "service_down"


_PROBLEM_FOR_FAILURE = {
    FailureKind.UNKNOWN_CARD: Problem.UNKNOWN_CARD,
    FailureKind.INVALID_NUMBER: Problem.INVALID_NUMBER,
    FailureKind.RATE_LIMITED: Problem.RATE_LIMITED,
    FailureKind.UNAUTHORIZED: Problem.KIOSK_NOT_AUTHORIZED,
    FailureKind.UNAVAILABLE: Problem.SERVICE_UNAVAILABLE,
}


@dataclass(frozen=True)
class KioskState:
    """Everything a screen needs; ``masked_number`` is the only form of the number kept."""

    screen: Screen = Screen.ATTRACT
    masked_number: str = ""
    balance: Balance | None = None
    problem: Problem | None = None
    reader: ReaderHealth = ReaderHealth.READY


Lookup = Callable[[CardNumber, Entry], Balance]


class KioskSession:
    """Turns card, network, touch and timer events into :class:`KioskState` changes."""

    def __init__(
        self,
        lookup: Lookup,
        background: BackgroundWork,
        scheduler: Scheduler,
        idle_timeout_seconds: float = 30.0,
        removal_linger_seconds: float = 4.0,
    ) -> None:
        self._lookup = lookup
        self._background = background
        self._scheduler = scheduler
        self._idle_timeout = idle_timeout_seconds
        self._removal_linger = removal_linger_seconds
        self._state = KioskState()
        self._listeners: list[Callable[[KioskState], None]] = []
        self._generation = 0
        self._shown_entry: Entry | None = None
        self._card_on_reader = False
        self._timer: Timer | None = None

    @property
    def state(self) -> KioskState:
        return self._state

    def subscribe(self, listener: Callable[[KioskState], None]) -> None:
        """Call ``listener`` with every new state (on the UI thread)."""
        self._listeners.append(listener)

    # --- card events -------------------------------------------------------------
    def card_presented(self) -> None:
        """A card is on the reader and being read: immediate feedback, old data gone."""
        self._generation += 1
        self._shown_entry = Entry.TAPPED
        self._card_on_reader = True
        self._set(screen=Screen.READING, masked_number="", balance=None, problem=None)

    def show_card(self, number: CardNumber, entry: Entry) -> None:
        """Look up ``number`` (tapped or typed) and show its balance when it arrives."""
        self._generation += 1
        generation = self._generation
        self._shown_entry = entry
        self._set(screen=Screen.READING, masked_number=number.masked, balance=None, problem=None)
        log.info("look-up started for card %s (%s)", number, entry.value)
        self._background.submit(
            lambda: self._lookup(number, entry),
            lambda outcome: self._lookup_finished(generation, outcome),
        )

    def card_removed(self) -> None:
        """A tapped card left the reader: back to attract after a short linger, so that a
        quick contactless tap still shows its balance."""
        self._card_on_reader = False
        if self._shown_entry is Entry.TAPPED and self._state.screen is not Screen.ATTRACT:
            self._arm_timer(self._removal_linger)

    def card_unreadable(self, problem: Problem) -> None:
        """The reader saw a card but could not read its number."""
        self._generation += 1
        self._set(screen=Screen.PROBLEM, masked_number="", balance=None, problem=problem)

    def reader_health_changed(self, health: ReaderHealth) -> None:
        if health is not self._state.reader:
            self._set(reader=health)

    # --- touch and timers --------------------------------------------------------
    def user_activity(self) -> None:
        """Any touch: the driver is still there, so the idle timeout starts again."""
        if self._state.screen is not Screen.ATTRACT:
            self._arm_timer(self._idle_timeout)

    def go_home(self) -> None:
        """Back to the attract screen, forgetting everything about the last card."""
        self._generation += 1
        self._shown_entry = None
        self._cancel_timer()
        self._set(screen=Screen.ATTRACT, masked_number="", balance=None, problem=None)

    # --- internals ---------------------------------------------------------------
    def _lookup_finished(self, generation: int, outcome: Outcome[Balance]) -> None:
        if generation != self._generation:
            return
        if outcome.value is not None:
            self._set(screen=Screen.BALANCE, balance=outcome.value, problem=None)
            return
        error = outcome.error
        if isinstance(error, LookupFailed):
            log.warning("look-up failed for card %s: %s", self._state.masked_number, error)
            problem = _PROBLEM_FOR_FAILURE[error.kind]
        else:
            log.error("look-up crashed: %r", type(error).__name__)
            problem = Problem.SERVICE_UNAVAILABLE
        self._set(screen=Screen.PROBLEM, balance=None, problem=problem)

    def _set(self, **changes: object) -> None:
        self._state = replace(self._state, **changes)
        if "screen" in changes:
            self._rearm_for_screen()
        for listener in list(self._listeners):
            listener(self._state)

    def _rearm_for_screen(self) -> None:
        if self._state.screen is Screen.ATTRACT:
            self._cancel_timer()
        elif self._shown_entry is Entry.TAPPED and not self._card_on_reader:
            self._arm_timer(self._removal_linger)
        else:
            self._arm_timer(self._idle_timeout)

    def _arm_timer(self, delay: float) -> None:
        self._cancel_timer()
        self._timer = self._scheduler.call_later(delay, self.go_home)

    def _cancel_timer(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
