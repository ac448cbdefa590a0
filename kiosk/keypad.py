"""Typed card numbers: the checks before any request, and the limit on typed look-ups."""
from __future__ import annotations

import time
from collections import deque
from typing import Callable

from hardware.card_number import CardNumber
from kiosk.state import KeypadError
from opetcard.numbers import CARD_DIGITS, luhn_valid


def check_typed_number(digits: str, require_luhn: bool) -> CardNumber | KeypadError:
    """The number to look up, or why it cannot be one (no request is made then)."""
    if len(digits) != CARD_DIGITS:
        return KeypadError.INCOMPLETE
    if require_luhn and not luhn_valid(digits):
        return KeypadError.CHECK_DIGIT
    return CardNumber(digits)


class Throttle:
    """At most ``limit`` events in any ``window_seconds``: typed look-ups on this kiosk, so
    that card numbers cannot be enumerated from the keypad (the service limits them too)."""

    def __init__(self, limit: int, window_seconds: float, clock: Callable[[], float] = time.monotonic) -> None:
        self._limit = limit
        self._window = window_seconds
        self._clock = clock
        self._recent: deque[float] = deque()

    def allow(self) -> bool:
        """Record an attempt; False when it is over the limit (and then not counted)."""
        now = self._clock()
        while self._recent and now - self._recent[0] >= self._window:
            self._recent.popleft()
        if len(self._recent) >= self._limit:
            return False
        self._recent.append(now)
        return True
