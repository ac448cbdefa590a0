"""How the core asks for timers and background work without knowing the UI toolkit.

The Kivy app supplies a scheduler built on ``Clock`` and a dispatcher that hands a call to
the UI thread; tests supply plain-Python ones. The core itself never sleeps or polls.
"""
from __future__ import annotations

from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Callable, Generic, Protocol, TypeVar

T = TypeVar("T")

Dispatch = Callable[[Callable[[], None]], None]
"""Runs a zero-argument callable on the UI thread, soon; callable from any thread."""


class Timer(Protocol):
    def cancel(self) -> None: ...


class Scheduler(Protocol):
    """Runs ``callback`` on the UI thread after ``delay`` seconds unless cancelled."""

    def call_later(self, delay: float, callback: Callable[[], None]) -> Timer: ...


class Countdown:
    """One pending call of ``callback`` at a time: arming it again replaces the pending one."""

    def __init__(self, scheduler: Scheduler, callback: Callable[[], None]) -> None:
        self._scheduler = scheduler
        self._callback = callback
        self._timer: Timer | None = None

    def arm(self, delay: float) -> None:
        """``callback`` in ``delay`` seconds, instead of when it was due."""
        self.cancel()
        self._timer = self._scheduler.call_later(delay, self._fire)

    def cancel(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    def _fire(self) -> None:
        self._timer = None
        self._callback()


@dataclass(frozen=True)
class Outcome(Generic[T]):
    """The result of background work: a value, or the exception it raised."""

    value: T | None = None
    error: BaseException | None = None


class BackgroundWork:
    """A small thread pool whose results come back through ``dispatch`` on the UI thread."""

    def __init__(self, dispatch: Dispatch, workers: int = 2) -> None:
        self._dispatch = dispatch
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="kiosk-io")

    def submit(self, work: Callable[[], T], on_done: Callable[[Outcome[T]], None]) -> None:
        future = self._pool.submit(work)
        future.add_done_callback(lambda done: self._dispatch(lambda: on_done(_outcome_of(done))))

    def shutdown(self, wait: bool = False) -> None:
        """Take no more work. Work not started yet is dropped, unless ``wait``: then everything
        submitted runs to its end first (its results are still dispatched)."""
        self._pool.shutdown(wait=wait, cancel_futures=not wait)


def _outcome_of(future: Future[T]) -> Outcome[T]:
    if future.cancelled():
        return Outcome(error=RuntimeError("cancelled"))
    error = future.exception()
    return Outcome(error=error) if error is not None else Outcome(value=future.result())
