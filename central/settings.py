"""Tunable limits of the service, set on the ``serve`` command line."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True)
class Settings:
    """Rate limits, the attendant PIN lockout, and when a kiosk counts as silent."""

    typed_lookups_per_minute: int = 10
    activation_failures_per_hour: int = 5
    pin_max_failures: int = 5
    pin_lockout: dt.timedelta = dt.timedelta(minutes=15)
    kiosk_silent_after: dt.timedelta = dt.timedelta(minutes=3)
    """Three missed beats at the kiosk's default 60 s interval."""
