"""Plain-Python stand-ins for the two things the Kivy app gives the core: a UI thread
(a queue that the test pumps) and a clock (timers the test fires by advancing time)."""
from __future__ import annotations

import queue
import time
from dataclasses import dataclass, field
from typing import Callable


class UiQueue:
    """``dispatch`` from any thread; the test thread runs the calls in ``pump``."""

    def __init__(self) -> None:
        self._calls: queue.Queue[Callable[[], None]] = queue.Queue()

    def dispatch(self, call: Callable[[], None]) -> None:
        self._calls.put(call)

    def pump_until(self, condition: Callable[[], bool], timeout: float = 5.0) -> None:
        """Run dispatched calls until ``condition()`` holds; fail after ``timeout`` s."""
        deadline = time.monotonic() + timeout
        while not condition():
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError("condition not reached in time")
            try:
                self._calls.get(timeout=remaining)()
            except queue.Empty:
                continue

    def pump_for(self, seconds: float) -> None:
        """Run every call dispatched during the next ``seconds``."""
        deadline = time.monotonic() + seconds
        while (remaining := deadline - time.monotonic()) > 0:
            try:
                self._calls.get(timeout=remaining)()
            except queue.Empty:
                return


@dataclass
class _ManualTimer:
    due: float
    callback: Callable[[], None]
    cancelled: bool = False

    def cancel(self) -> None:
        self.cancelled = True


@dataclass
class ManualScheduler:
    """Timers that fire only when the test calls :meth:`advance`."""

    now: float = 0.0
    timers: list[_ManualTimer] = field(default_factory=list)

    def call_later(self, delay: float, callback: Callable[[], None]) -> _ManualTimer:
        timer = _ManualTimer(self.now + delay, callback)
        self.timers.append(timer)
        return timer

    def advance(self, seconds: float) -> None:
        self.now += seconds
        for timer in sorted(self.timers, key=lambda t: t.due):
            if not timer.cancelled and timer.due <= self.now:
                timer.cancelled = True
                timer.callback()
        self.timers = [t for t in self.timers if not t.cancelled]
