"""systemd's notify protocol (``sd_notify``) over ``$NOTIFY_SOCKET``, with plain sockets.

The kiosk unit is ``Type=notify`` with ``WatchdogSec=``: the app says ``READY=1`` once its
first frame is up, then ``WATCHDOG=1`` from the UI thread's main loop, so a frozen UI stops
the pings and systemd restarts the session. Outside systemd (no ``$NOTIFY_SOCKET``) every call
is a no-op that returns False, so development runs and tests need nothing.

The app runs under ``xinit``, so it is not the unit's main process: the unit sets
``NotifyAccess=all``, and :func:`watchdog_interval` deliberately ignores ``$WATCHDOG_PID``
(which names xinit), unlike libsystemd's ``sd_watchdog_enabled``.
"""
from __future__ import annotations

import logging
import os
import socket
from collections.abc import Mapping

log = logging.getLogger(__name__)


def notify(*assignments: str, environ: Mapping[str, str] | None = None) -> bool:
    """Sends ``KEY=value`` lines in one datagram; True if systemd's socket took it."""
    address = (os.environ if environ is None else environ).get("NOTIFY_SOCKET", "")
    if not address:
        return False
    if address.startswith("@"):
        # An abstract socket: the name starts with a NUL byte instead of "@".
        address = "\0" + address[1:]
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC) as sock:
            # Non-blocking: these calls come from the UI loop, and a receiver that stopped
            # reading (its queue full) must cost a lost ping, never a frozen screen.
            sock.sendto("\n".join(assignments).encode(), socket.MSG_DONTWAIT, address)
    except OSError as exc:
        # Never let a notification take the UI down; a missed WATCHDOG=1 is what systemd is for.
        log.warning("sd_notify failed: %s", exc.strerror or type(exc).__name__)
        return False
    return True


def ready(status: str | None = None, environ: Mapping[str, str] | None = None) -> bool:
    """Start-up is complete (``READY=1``), with an optional status line."""
    lines = ["READY=1"] + ([_status_line(status)] if status else [])
    return notify(*lines, environ=environ)


def watchdog(environ: Mapping[str, str] | None = None) -> bool:
    """The main loop is alive (``WATCHDOG=1``)."""
    return notify("WATCHDOG=1", environ=environ)


def status(text: str, environ: Mapping[str, str] | None = None) -> bool:
    """A one-line status shown by ``systemctl status`` (``STATUS=...``)."""
    return notify(_status_line(text), environ=environ)


def stopping(environ: Mapping[str, str] | None = None) -> bool:
    """The app is shutting down on purpose (``STOPPING=1``)."""
    return notify("STOPPING=1", environ=environ)


def watchdog_interval(environ: Mapping[str, str] | None = None) -> float | None:
    """How often to send ``WATCHDOG=1``: half of ``$WATCHDOG_USEC`` as systemd advises, in
    seconds; None when no watchdog is configured."""
    raw = (os.environ if environ is None else environ).get("WATCHDOG_USEC", "")
    try:
        usec = int(raw)
    except ValueError:
        return None
    return usec / 2_000_000 if usec > 0 else None


def _status_line(text: str) -> str:
    # One datagram holds newline-separated assignments: a newline in the text would end it.
    return "STATUS=" + " ".join(text.split())
