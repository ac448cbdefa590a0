"""The service's clock: what every time-dependent rule asks for "now".

Lockouts, limit windows, attendant session expiry and the fleet's "silent" kiosks take the time
from ``Settings.clock`` instead of the system, so tests move time instead of sleeping. In
production the clock is :func:`system_clock`. ``opet-central serve --clock-file PATH`` (a test
and operations aid) serves with a :class:`FileClock` instead, read again whenever the file
changes, by every worker process. The file holds either a number of seconds to add to the
system time (``120.5``), or ``@`` and a Unix time (``@1796644800.0``): a frozen clock, which
moves only when the file is written. A missing or empty file means the system time. A test
moves a running service's time by writing that file (tests/rigs/central.py).
"""
from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable
from pathlib import Path

Clock = Callable[[], dt.datetime]
"""A function returning the current time, timezone-aware UTC."""


def system_clock() -> dt.datetime:
    """The system's time, timezone-aware UTC, to the microsecond."""
    return dt.datetime.now(dt.timezone.utc)


class FileClock:
    """The time a file says: an offset to the system time, or a frozen instant (see the module docstring)."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self._stamp: tuple[int, int] | None = None
        self._offset = dt.timedelta(0)
        self._frozen: dt.datetime | None = None

    def _read(self) -> None:
        try:
            status = self.path.stat()
        except FileNotFoundError:
            self._stamp, self._offset, self._frozen = None, dt.timedelta(0), None
            return
        stamp = (status.st_mtime_ns, status.st_ino)
        if stamp != self._stamp:
            text = self.path.read_text(encoding="ascii").strip()
            if text.startswith("@"):
                self._frozen = dt.datetime.fromtimestamp(float(text[1:]), dt.timezone.utc)
            else:
                self._frozen, self._offset = None, dt.timedelta(seconds=float(text or 0))
            self._stamp = stamp

    def __call__(self) -> dt.datetime:
        self._read()
        return self._frozen if self._frozen is not None else system_clock() + self._offset


def epoch_us(moment: dt.datetime) -> int:
    """Microseconds since the Unix epoch of an aware datetime (how the limits table stores time)."""
    return (moment - _EPOCH) // dt.timedelta(microseconds=1)


_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)
