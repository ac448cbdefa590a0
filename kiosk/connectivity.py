"""Is the central service reachable? A probe thread that answers quickly when it is not.

While the service answers, ``GET /healthz`` is asked every ``up_interval`` seconds; once it
does not (or a look-up found it unreachable: :meth:`ServiceMonitor.suspect`), every
``down_interval`` seconds, so the kiosk is back to normal within a few seconds of the fault
ending. Changes reach the UI thread through ``dispatch``.
"""
from __future__ import annotations

import logging
import threading
from typing import Callable

from kiosk.scheduling import Dispatch

log = logging.getLogger(__name__)

Probe = Callable[[], bool]


class ServiceMonitor:
    def __init__(
        self,
        probe: Probe,
        on_change: Callable[[bool], None],
        dispatch: Dispatch,
        up_interval: float = 15.0,
        down_interval: float = 2.0,
    ) -> None:
        self._probe = probe
        self._on_change = on_change
        self._dispatch = dispatch
        self._up_interval = up_interval
        self._down_interval = down_interval
        self._reachable = True
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="service-monitor", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def suspect(self) -> None:
        """A look-up could not reach the service: probe now rather than at the next tick."""
        self._wake.set()

    def _run(self) -> None:
        while not self._stop.is_set():
            reachable = self._probe()
            if reachable != self._reachable:
                self._reachable = reachable
                log.warning("central service %s", "reachable again" if reachable else "unreachable")
                self._dispatch(lambda: self._on_change(reachable))
            self._wake.wait(self._up_interval if reachable else self._down_interval)
            self._wake.clear()
