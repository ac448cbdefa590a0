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
        self.calls_run = 0
        """How many dispatched calls have run: a test waits for one more to see an answer handled."""

    def dispatch(self, call: Callable[[], None]) -> None:
        self._calls.put(call)

    def _run(self, call: Callable[[], None]) -> None:
        call()
        self.calls_run += 1

    def pump_until(self, condition: Callable[[], bool], timeout: float = 30.0) -> None:
        """Run dispatched calls until ``condition()`` holds; fail after ``timeout`` s, a bound
        on a hang rather than on how long it may take."""
        deadline = time.monotonic() + timeout
        while not condition():
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError("condition not reached in time")
            try:
                self._run(self._calls.get(timeout=remaining))
            except queue.Empty:
                continue

    def run_pending(self) -> None:
        """Run the calls dispatched so far, without waiting for more."""
        while True:
            try:
                call = self._calls.get_nowait()
            except queue.Empty:
                return
            self._run(call)


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
