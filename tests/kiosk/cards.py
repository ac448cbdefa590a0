"""The session's injected look-up for its rule tests, which need answers but not the network:
the demo cards' balances from memory, a record of every question asked, and answers a test
holds back to decide the order they arrive in. The real client over HTTP is tested in
test_api_client_http.py and by the contract tests beside the rule tests."""
from __future__ import annotations

import threading
from datetime import datetime, timezone

from hardware.card_number import CardNumber
from hardware.card_uid import CardUid
from kiosk.transport import FailureKind, RequestFailed
from kiosk.balance import Balance, CardStatus, Entry

HANG_S = 30.0
"""Bounds a wait that would otherwise hang."""
AS_OF = datetime(2026, 11, 27, 18, 20, tzinfo=timezone.utc)
DEMO_CARDS = {
    "7000070012806566": (CardStatus.ACTIVE, 123456, 8790),
    "7000079876543215": (CardStatus.ACTIVE, 0, 15075),
    "7000071234567895": (CardStatus.NOT_ACTIVATED, 4250, 0),
}
"""Number -> (status, fuel, autogas) as in the service's demo data."""


class Cards:
    """A ``Lookup``: balances of ``DEMO_CARDS``; any other number is unknown."""

    def __init__(self) -> None:
        self.asked: list[tuple[str, Entry]] = []
        self._held: dict[str, threading.Event] = {}
        self._lock = threading.Lock()

    def hold(self, number: CardNumber) -> threading.Event:
        """``number``'s answers wait until the returned event is set."""
        gate = self._held[number.digits] = threading.Event()
        return gate

    def __call__(self, card: CardNumber | CardUid, entry: Entry) -> Balance:
        if not isinstance(card, CardNumber):
            raise AssertionError("the rule tests look up numbers; UIDs go over HTTP")
        with self._lock:
            self.asked.append((card.digits, entry))
        gate = self._held.get(card.digits)
        if gate is not None and not gate.wait(HANG_S):
            raise AssertionError(f"the answer for {card} was held and never released")
        if card.digits not in DEMO_CARDS:
            raise RequestFailed(FailureKind.UNKNOWN_CARD, "HTTP 404 unknown_card")
        status, fuel, autogas = DEMO_CARDS[card.digits]
        return Balance(card, status, fuel, autogas, True, AS_OF, card.last4)
