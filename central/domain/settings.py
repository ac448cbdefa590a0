"""Tunable limits of the service and its clock, set on the ``serve`` command line."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from central.clock import Clock, system_clock
from central.storage.limits import Budget


@dataclass(frozen=True)
class Settings:
    """Budgets and lockouts (central.storage.limits), attendant sessions, silent kiosks, the access log, the clock."""

    typed_lookups_per_minute: int = 10
    """Look-ups per device that say the number was typed."""
    tapped_lookups_per_minute: int = 60
    """Look-ups per device that say the card was tapped: a budget too, whatever the client claims."""
    activation_failures_per_hour: int = 5
    """Activation attempts per card (its last 10 digits), online and by SMS together; a success is not counted."""
    sms_per_sender_per_hour: int = 10
    """Activation SMS per sending phone that did not activate a card."""
    signin_failures_per_device_per_hour: int = 4
    """Attendant sign-ins per device that were not right; fewer than ``pin_max_failures``, so one
    device is throttled before it can lock an attendant out."""
    pin_max_failures: int = 5
    pin_lockout: dt.timedelta = dt.timedelta(minutes=15)
    """The first lockout of an attendant code; each lockout in a row lasts twice the one before."""
    attendant_lookups_per_hour: int = 30
    """Card look-ups and holder searches per attendant (all their sessions)."""
    attendant_idle_timeout: dt.timedelta = dt.timedelta(minutes=5)
    """An attendant session unused this long has ended; every use starts the wait again."""
    attendant_session_max: dt.timedelta = dt.timedelta(hours=12)
    """An attendant session ends this long after sign-in however busy it is (one shift)."""
    kiosk_silent_after: dt.timedelta = dt.timedelta(minutes=3)
    """Three missed beats at the kiosk's default 60 s interval."""
    log_every_request: bool = False
    """Also log successful reads (central.api.observe logs changes, failures and slow requests)."""
    api_docs: bool = False
    """Serve /openapi.json, /docs and /redoc (``serve --docs``); off in production."""
    clock: Clock = system_clock
    """What every time-dependent rule takes as now (central.clock)."""

    def typed_lookups(self) -> Budget:
        """The per-device budget of typed look-ups."""
        return Budget(self.typed_lookups_per_minute, dt.timedelta(minutes=1))

    def tapped_lookups(self) -> Budget:
        """The per-device budget of tapped look-ups."""
        return Budget(self.tapped_lookups_per_minute, dt.timedelta(minutes=1))

    def activations(self) -> Budget:
        """The per-card budget of activation attempts."""
        return Budget(self.activation_failures_per_hour, dt.timedelta(hours=1))

    def sms_senders(self) -> Budget:
        """The per-phone budget of activation SMS."""
        return Budget(self.sms_per_sender_per_hour, dt.timedelta(hours=1))

    def signin_devices(self) -> Budget:
        """The per-device budget of failed attendant sign-ins."""
        return Budget(self.signin_failures_per_device_per_hour, dt.timedelta(hours=1))

    def attendant_lookups(self) -> Budget:
        """The per-attendant budget of card look-ups and holder searches."""
        return Budget(self.attendant_lookups_per_hour, dt.timedelta(hours=1))
