"""A test double of :class:`kiosk.attendant_client.AttendantClient` for the attendant desk's rule
tests, which need answers but not the network: each call returns what the test scripted for it
(the kiosk's own types) or raises the scripted :class:`~kiosk.transport.RequestFailed`, every
call is recorded (so a test can say no request left the kiosk), and a test can hold a call's
answer back to decide when it arrives. It scripts answers; it knows none of the service's
rules. The real client over HTTP is tested by the contract tests in test_attendant_desk.py."""
from __future__ import annotations

import datetime as dt
import threading
from typing import Any
from collections import defaultdict, deque

from hardware.card_number import CardNumber
from kiosk.attendant_client import HolderCard, HolderDetails, RegistrationDone, ReplacementDone, SignedIn

HANG_S = 30.0
"""Bounds a wait that would otherwise hang."""


class DeskAnswers:
    """Scripted answers to the desk's calls. ``sign_in`` signs ``attendant_name`` in and
    ``sign_out`` succeeds unless the test scripted otherwise; every other call answers only
    what was scripted for it, and an unscripted one fails the test."""

    def __init__(self, attendant_name: str = "DEMO GÖREVLİ") -> None:
        self.attendant_name = attendant_name
        self.calls: list[tuple[str, tuple[object, ...]]] = []
        self._scripted: dict[str, deque[object]] = defaultdict(deque)
        self._held: dict[str, threading.Event] = {}
        self._lock = threading.Lock()

    def script(self, method: str, *answers: object) -> None:
        """The next answers of ``method``, in order: a value to return, or an exception to raise."""
        self._scripted[method].extend(answers)

    def hold(self, method: str) -> threading.Event:
        """``method``'s answers wait until the returned event is set."""
        gate = self._held[method] = threading.Event()
        return gate

    def asked(self, method: str) -> list[tuple[object, ...]]:
        """The arguments of every call of ``method`` so far, in order."""
        with self._lock:
            return [arguments for name, arguments in self.calls if name == method]

    def sign_in(self, code: str, pin: str) -> SignedIn:
        return self._answer("sign_in", (code, pin), SignedIn(f"session-of-{code}", code, self.attendant_name))

    def sign_out(self, session: SignedIn) -> None:
        self._answer("sign_out", (session,), None)

    def find_by_number(self, session: SignedIn, number: CardNumber) -> HolderCard:
        return self._answer("find_by_number", (session, number))

    def find_by_identity(self, session: SignedIn, full_name: str, birth_date: dt.date, phone: str | None) -> list[HolderCard]:
        return self._answer("find_by_identity", (session, full_name, birth_date, phone))

    def replace(
        self, session: SignedIn, old_card_ref: str, new_number: CardNumber, birth_date: dt.date, key: str
    ) -> ReplacementDone:
        return self._answer("replace", (session, old_card_ref, new_number, birth_date, key))

    def register(self, session: SignedIn, number: CardNumber, details: HolderDetails, key: str) -> RegistrationDone:
        return self._answer("register", (session, number, details, key))

    _UNSCRIPTED = object()

    def _answer(self, method: str, arguments: tuple[object, ...], default: object = _UNSCRIPTED) -> Any:
        with self._lock:
            self.calls.append((method, arguments))
            scripted = self._scripted[method]
            answer = scripted.popleft() if scripted else default
        gate = self._held.get(method)
        if gate is not None and not gate.wait(HANG_S):
            raise AssertionError(f"the answer to {method} was held and never released")
        if answer is self._UNSCRIPTED:
            raise AssertionError(f"{method} was called but no answer was scripted for it")
        if isinstance(answer, BaseException):
            raise answer
        return answer
