"""Carries the card watcher's events (its own thread) into the session (the UI thread)."""
from __future__ import annotations

from hardware.watcher import CardRead, ProblemKind, ReaderProblem
from kiosk.balance import Entry
from kiosk.heartbeat import FleetHealth
from kiosk.scheduling import Dispatch
from kiosk.session import KioskSession, Problem, ReaderHealth

_UNREADABLE = {
    ProblemKind.READ_FAILED: Problem.READ_FAILED,
    ProblemKind.CARD_REMOVED: Problem.READ_FAILED,
    ProblemKind.UNSUPPORTED_CARD: Problem.UNSUPPORTED_CARD,
}
_HEALTH = {
    ProblemKind.NO_READER: ReaderHealth.NO_READER,
    ProblemKind.SERVICE_DOWN: ReaderHealth.SERVICE_DOWN,
}


class CardEventBridge:
    """A ``CardListener`` that forwards every event to the session through ``dispatch``."""

    def __init__(self, session: KioskSession, dispatch: Dispatch, health: FleetHealth | None = None) -> None:
        self._session = session
        self._dispatch = dispatch
        self._health = health

    def card_presented(self, reader: str) -> None:
        self._dispatch(self._session.card_presented)

    def card_read(self, read: CardRead) -> None:
        """A number, or a UID-only card's UID: the central service resolves either."""
        card = read.identity
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
