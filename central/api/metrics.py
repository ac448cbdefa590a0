"""Prometheus metrics of one service process (``GET /metrics``, text exposition format)."""
from __future__ import annotations

import datetime as dt

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Histogram,
    disable_created_metrics,
    generate_latest,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy import select

from central.clock import Clock
from central.domain.fleet import KioskState, fleet_health
from central.storage.db import Database
from central.storage.models import Device

disable_created_metrics()  # no *_created series: they only double the scrape

LATENCY_BUCKETS = (0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)


class _HeartbeatCollector(Collector):
    """Reads the devices' last heartbeats from the database at scrape time."""

    def __init__(self, database: Database, silent_after: dt.timedelta, clock: Clock) -> None:
        self._database = database
        self._silent_after = silent_after
        self._clock = clock

    def collect(self):  # type: ignore[no-untyped-def]
        family = GaugeMetricFamily(
            "opet_central_device_last_heartbeat_timestamp_seconds",
            "Unix time of each device's last heartbeat",
            labels=["device", "kind"],
        )
        with self._database.reader() as session:
            rows = session.execute(
                select(Device.name, Device.kind, Device.last_seen_at)
                .where(Device.last_seen_at.is_not(None), Device.revoked_at.is_(None))
            )
            for name, kind, seen in rows:
                family.add_metric([name, kind], seen.timestamp())
            kiosks = fleet_health(session, self._clock(), self._silent_after)
        yield family
        states = GaugeMetricFamily("opet_central_kiosks", "Kiosks by state (see GET /v1/kiosks)", labels=["state"])
        for state in KioskState:
            states.add_metric([state.value], sum(kiosk.state is state for kiosk in kiosks))
        yield states


class Metrics:
    """The counters the service keeps, in a registry of its own."""

    def __init__(self, database: Database, kiosk_silent_after: dt.timedelta, clock: Clock) -> None:
        self.registry = CollectorRegistry()
        registry = self.registry
        self.requests = Counter("opet_central_http_requests", "HTTP requests answered",
                                ["method", "route", "status"], registry=registry)
        self.latency = Histogram("opet_central_http_request_duration_seconds", "Time to answer a request",
                                 ["method", "route"], buckets=LATENCY_BUCKETS, registry=registry)
        self.sales = Counter("opet_central_sales", "Sales booked", ["fuel_type"], registry=registry)
        self.points_earned = Counter("opet_central_points_earned", "Hundredths of a Paropuan earned",
                                     ["pot"], registry=registry)
        self.points_redeemed = Counter("opet_central_points_redeemed", "Hundredths of a Paropuan spent",
                                       ["pot"], registry=registry)
        self.replacements = Counter("opet_central_replacements", "Cards replaced", registry=registry)
        self.registrations = Counter("opet_central_registrations", "Holder records created", registry=registry)
        self.activations = Counter("opet_central_activation_attempts", "Activation attempts by outcome",
                                   ["channel", "outcome"], registry=registry)
        self.rate_limited = Counter("opet_central_rate_limited", "Requests refused by a rate limit",
                                    ["limit"], registry=registry)
        self.attendant_refusals = Counter("opet_central_attendant_refusals",
                                          "Attendant sign-ins refused (wrong PIN or locked)", registry=registry)
        self.idempotent_replays = Counter("opet_central_idempotent_replays",
                                          "Retried requests answered from the first result", ["operation"],
                                          registry=registry)
        registry.register(_HeartbeatCollector(database, kiosk_silent_after, clock))

    def render(self) -> bytes:
        """The text exposition of every metric."""
        return generate_latest(self.registry)
