"""Carries the card watcher's events (its own thread) into the session (the UI thread)."""
from __future__ import annotations

import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Callable

from hardware.card_number import CardNumber
from hardware.card_uid import CardUid
from hardware.watcher import CardRead, ProblemKind, ReaderProblem
from kiosk.balance import Balance, Entry
from kiosk.heartbeat import FleetHealth
from kiosk.scheduling import Dispatch
from kiosk.session import KioskSession
from kiosk.state import Problem, ReaderHealth

_UNREADABLE = {
    ProblemKind.READ_FAILED: Problem.READ_FAILED,
    ProblemKind.CARD_REMOVED: Problem.READ_FAILED,
    ProblemKind.UNSUPPORTED_CARD: Problem.UNSUPPORTED_CARD,
}
_HEALTH = {
    ProblemKind.NO_READER: ReaderHealth.NO_READER,
    ProblemKind.SERVICE_DOWN: ReaderHealth.SERVICE_DOWN,
}

Card = CardNumber | CardUid


class EarlyLookup:
    """Starts a tapped card's look-up the moment the watcher has read it, on its own thread.

    The session asks for the same look-up only once the UI thread has taken the event, which
    under software GL can be a whole frame later (bench.kiosk_tap_to_balance); it then takes this
    request's answer, or waits for it, instead of starting a second one. An answer is taken at
    most once and only for the same card within ``max_age`` seconds.
    """

    def __init__(self, lookup: Callable[[Card, Entry], Balance], max_age: float = 5.0) -> None:
        self._lookup = lookup
        self._max_age = max_age
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="kiosk-early-lookup")
        self._lock = threading.Lock()
        self._pending: tuple[Card, float, Future[Balance]] | None = None
        self.enabled = True
        """False while tapped cards are not the driver's (attendant mode): nothing is looked up."""

    def start(self, card: Card) -> None:
        """Any thread: look ``card`` up now, as a tap."""
        if not self.enabled:
            return
        future = self._pool.submit(self._lookup, card, Entry.TAPPED)
        with self._lock:
            self._pending = (card, time.monotonic(), future)

    def take(self, card: Card, entry: Entry) -> Future[Balance] | None:
        """The look-up already started for this tap of ``card``, or None."""
        with self._lock:
            pending, self._pending = self._pending, None
        if pending is None or entry is not Entry.TAPPED:
            return None
        started_card, started_at, future = pending
        if started_card != card or time.monotonic() - started_at > self._max_age:
            return None
        return future

    def shutdown(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)


class CardEventBridge:
    """A ``CardListener`` that forwards every event to the session through ``dispatch``
    (and starts a read card's look-up at once through ``early_lookup``, when given)."""

    def __init__(
        self,
        session: KioskSession,
        dispatch: Dispatch,
        health: FleetHealth | None = None,
        early_lookup: EarlyLookup | None = None,
    ) -> None:
        self._session = session
        self._dispatch = dispatch
        self._health = health
        self._early_lookup = early_lookup

    def card_presented(self, reader: str) -> None:
        self._dispatch(self._session.card_presented)

    def card_read(self, read: CardRead) -> None:
        """A number, or a UID-only card's UID: the central service resolves either."""
        card = read.identity
        if self._early_lookup is not None:
            self._early_lookup.start(card)
        self._dispatch(lambda: self._session.show_card(card, Entry.TAPPED))

    def card_removed(self, reader: str) -> None:
        self._dispatch(self._session.card_removed)

    def reader_problem(self, problem: ReaderProblem) -> None:
        if problem.kind in _HEALTH:
            health = _HEALTH[problem.kind]
            self._dispatch(lambda: self._session.reader_health_changed(health))
        elif problem.kind in _UNREADABLE:
            unreadable = _UNREADABLE[problem.kind]
            self._dispatch(lambda: self._session.card_unreadable(unreadable))

    def readers_changed(self, readers: list[str]) -> None:
        if self._health is not None:
            self._health.readers_changed(readers)
        health = ReaderHealth.READY if readers else ReaderHealth.NO_READER
        self._dispatch(lambda: self._session.reader_health_changed(health))
