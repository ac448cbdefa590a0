"""Tunable limits of the service, set on the ``serve`` command line."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True)
class Settings:
    """Rate limits, the attendant PIN lockout and sessions, when a kiosk counts as silent, the access log."""

    typed_lookups_per_minute: int = 10
    activation_failures_per_hour: int = 5
    pin_max_failures: int = 5
    pin_lockout: dt.timedelta = dt.timedelta(minutes=15)
    attendant_idle_timeout: dt.timedelta = dt.timedelta(minutes=5)
    """An attendant session unused this long has ended; every use starts the wait again."""
    attendant_session_max: dt.timedelta = dt.timedelta(hours=12)
    """An attendant session ends this long after sign-in however busy it is (one shift)."""
    kiosk_silent_after: dt.timedelta = dt.timedelta(minutes=3)
    """Three missed beats at the kiosk's default 60 s interval."""
    log_every_request: bool = False
    """Also log successful reads (central.observe logs changes, failures and slow requests)."""
    api_docs: bool = False
    """Serve /openapi.json, /docs and /redoc (``serve --docs``); off in production."""
