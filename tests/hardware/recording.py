"""A card listener for tests: records every watcher event and lets a test wait for one."""
from __future__ import annotations

import queue
import threading
from typing import Any

from hardware.watcher import CardRead, ReaderProblem

Event = tuple[str, Any]


class RecordingListener:
    """Keeps events in order; :meth:`wait_for` blocks until the next event of a kind arrives."""

    def __init__(self) -> None:
        self.events: list[Event] = []
        self._queue: queue.Queue[Event] = queue.Queue()
        self._lock = threading.Lock()

    def _record(self, kind: str, payload: Any) -> None:
        with self._lock:
            self.events.append((kind, payload))
        self._queue.put((kind, payload))

    def card_presented(self, reader: str) -> None:
        self._record("card_presented", reader)

    def card_read(self, read: CardRead) -> None:
        self._record("card_read", read)

    def card_removed(self, reader: str) -> None:
        self._record("card_removed", reader)

    def reader_problem(self, problem: ReaderProblem) -> None:
        self._record("reader_problem", problem)

    def readers_changed(self, readers: list[str]) -> None:
        self._record("readers_changed", readers)

    def wait_for(self, kind: str, timeout: float = 30.0) -> Any:
        """The payload of the next ``kind`` event (others are skipped); AssertionError on
        timeout, which bounds a hang, not how soon the event must come."""
        try:
            while True:
                got, payload = self._queue.get(timeout=timeout)
                if got == kind:
                    return payload
        except queue.Empty:
            raise AssertionError(f"no {kind} event within {timeout:g} s; events so far: {self.kinds()}") from None

    def drain(self) -> list[Event]:
        """Events not yet consumed by :meth:`wait_for`."""
        pending = []
        while not self._queue.empty():
            pending.append(self._queue.get_nowait())
        return pending

    def kinds(self) -> list[str]:
        with self._lock:
            return [kind for kind, _ in self.events]
