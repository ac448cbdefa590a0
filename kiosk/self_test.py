"""The technician's self-test: live checks of the station, each saying what it found.

:class:`SelfTest.run` blocks (PC/SC, HTTP, the disk) and is called on a worker thread; the
screen shows the :class:`SelfTestReport` it returns. What the checks need from the running
kiosk is recorded as it happens: :class:`ReaderLog` sits between the card watcher and the
session (readers, the last read with its profile and addressing, the last reader problem),
:class:`DeliveryLog` between the heartbeat sender and its transport (the last beat delivered).
Nothing here shows a full card number: reads are kept masked. Like the rest of ``kiosk``,
no words for people: a check is a :class:`Finding` with values, and the screens say it (and
what to do) in the kiosk's language (``screens/technician_texts.py``).
"""
from __future__ import annotations

import datetime as dt
import enum
import os
import shutil
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kiosk.heartbeat import Beat, BeatPoster, Delivery, app_version
from kiosk.transport import RequestFailed, ServiceTransport

if TYPE_CHECKING:
    from hardware.watcher import CardListener, CardRead, ReaderProblem
    from kiosk.config import KioskConfig

CLOCK_WARN_SECONDS = 5.0   # receipts and audit times drift visibly beyond this
CLOCK_FAIL_SECONDS = 60.0
SLOW_SERVICE_SECONDS = 0.5
DISK_WARN_BYTES = 1 << 30  # 1 GiB
DISK_FAIL_BYTES = 200 << 20


class Status(str, enum.Enum):
    OK = "ok"
    WARN = "warn"
    FAIL = "fail"


class Finding(str, enum.Enum):
    """What a check found; the screens turn it and the check's values into words."""

    READERS_SEEN = "readers_seen"              # values: readers (name, state) pairs
    PCSC_DOWN = "pcsc_down"                    # error
    NO_READER = "no_reader"                    # name_filter
    READERS_UNAVAILABLE = "readers_unavailable"  # readers
    READ_OK = "read_ok"                        # read (LastRead)
    READ_FAILED = "read_failed"                # at, message, config_path
    NO_READ_YET = "no_read_yet"
    SERVICE_OK = "service_ok"                  # url, http_status, latency_ms
    SERVICE_SLOW = "service_slow"              # url, http_status, latency_ms
    SERVICE_UNHEALTHY = "service_unhealthy"    # url, http_status
    SERVICE_TLS = "service_tls"                # url
    SERVICE_UNREACHABLE = "service_unreachable"  # url, cause
    CLOCK_IN_STEP = "clock_in_step"
    CLOCK_OFF = "clock_off"                    # offset_seconds (> 0: the kiosk is ahead)
    CLOCK_NO_ANSWER = "clock_no_answer"
    CLOCK_NO_DATE = "clock_no_date"
    CLOCK_BAD_DATE = "clock_bad_date"
    VERSION = "version"                        # version
    CONFIG_FILE = "config_file"                # path
    CONFIG_DEFAULTS = "config_defaults"
    DISK_FREE = "disk_free"                    # free_bytes, total_bytes, path
    DISK_LOW = "disk_low"                      # same
    DISK_ALMOST_FULL = "disk_almost_full"      # same
    HEARTBEAT_SENT = "heartbeat_sent"          # at, age_seconds
    HEARTBEAT_LATE = "heartbeat_late"          # at, age_seconds
    HEARTBEAT_NONE = "heartbeat_none"          # waiting (the last one is queued for a resend)


@dataclass(frozen=True)
class Check:
    """One line of the self-test: ``finding`` and ``values`` are what was found (the screens
    say it, and what to do, in the kiosk's language); ``key`` names the check."""

    key: str
    status: Status
    finding: Finding
    values: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class SelfTestReport:
    checks: tuple[Check, ...]
    finished_at: dt.datetime

    @property
    def worst(self) -> Status:
        order = (Status.OK, Status.WARN, Status.FAIL)
        return max((check.status for check in self.checks), key=order.index, default=Status.OK)

    def check(self, key: str) -> Check:
        return next(check for check in self.checks if check.key == key)


@dataclass(frozen=True)
class LastRead:
    """A read as the technician sees it: masked identity, profile, addressing, when, how long."""

    reader: str
    identity: str
    profile: str
    addressing: str
    at: dt.datetime
    read_ms: float


class ReaderLog:
    """A card listener that records what the technician needs, then passes every event on."""

    def __init__(self, listener: CardListener, now: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.timezone.utc)) -> None:
        self._listener = listener
        self._now = now
        self._lock = threading.Lock()
        self.readers: list[str] = []
        self.last_read: LastRead | None = None
        self.last_problem: tuple[dt.datetime, ReaderProblem] | None = None

    def card_presented(self, reader: str) -> None:
        self._listener.card_presented(reader)

    def card_read(self, read: CardRead) -> None:
        identity = read.number.masked if read.number is not None else str(read.uid)
        with self._lock:
            self.last_read = LastRead(read.reader, identity, read.profile, read.addressing, self._now(), read.read_seconds * 1000)
        self._listener.card_read(read)

    def card_removed(self, reader: str) -> None:
        self._listener.card_removed(reader)

    def reader_problem(self, problem: ReaderProblem) -> None:
        with self._lock:
            self.last_problem = (self._now(), problem)
        self._listener.reader_problem(problem)

    def readers_changed(self, readers: list[str]) -> None:
        with self._lock:
            self.readers = list(readers)
        self._listener.readers_changed(readers)


class DeliveryLog:
    """A heartbeat poster that remembers when a beat was last delivered."""

    def __init__(self, transport: BeatPoster, now: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.timezone.utc)) -> None:
        self._transport = transport
        self._now = now
        self.last_delivered: dt.datetime | None = None
        self.last_outcome: Delivery | None = None

    def send(self, beat: Beat) -> Delivery:
        outcome = self._transport.send(beat)
        self.last_outcome = outcome
        if outcome is Delivery.DELIVERED:
            self.last_delivered = self._now()
        return outcome

    def close(self) -> None:
        self._transport.close()


class SelfTest:
    """The checks of one station. ``clock`` (epoch seconds) and ``now`` are injectable so a test
    can put the kiosk's clock off the service's."""

    def __init__(
        self,
        config: KioskConfig,
        transport: ServiceTransport,
        config_path: str | None,
        reader_log: ReaderLog | None,
        delivery_log: DeliveryLog | None,
        clock: Callable[[], float] = time.time,
        state_directory: str | None = None,
    ) -> None:
        self._config = config
        self._transport = transport
        self._config_path = config_path
        self._readers = reader_log
        self._deliveries = delivery_log
        self._clock = clock
        first = (state_directory if state_directory is not None else os.environ.get("STATE_DIRECTORY", "")).split(":")[0]
        self._disk_path = Path(first or "/")

    def run(self) -> SelfTestReport:
        """Every check, live (blocks: run it off the UI thread)."""
        service, clock = self._service_checks()
        checks = (
            self._reader_check(),
            self._last_read_check(),
            service,
            clock,
            Check("version", Status.OK, Finding.VERSION, {"version": app_version()}),
            self._config_check(),
            self._disk_check(),
            self._heartbeat_check(),
        )
        return SelfTestReport(checks, dt.datetime.fromtimestamp(self._clock(), dt.timezone.utc))

    # --- the card reader -------------------------------------------------------------------
    def _reader_check(self) -> Check:
        from hardware.pcsc import PcscError
        from hardware.readers import reader_statuses

        wanted = self._config.reader.name_filter.casefold()
        try:
            statuses = [s for s in reader_statuses() if wanted in s.name.casefold()]
        except PcscError as exc:
            return Check("reader", Status.FAIL, Finding.PCSC_DOWN, {"error": str(exc)})
        if not statuses:
            return Check("reader", Status.FAIL, Finding.NO_READER, {"name_filter": self._config.reader.name_filter})
        readers = {"readers": tuple((s.name, s.state) for s in statuses)}
        if all(s.state == "unavailable" for s in statuses):
            return Check("reader", Status.FAIL, Finding.READERS_UNAVAILABLE, readers)
        return Check("reader", Status.OK, Finding.READERS_SEEN, readers)

    def _last_read_check(self) -> Check:
        log = self._readers
        read = log.last_read if log else None
        problem = log.last_problem if log else None
        if problem is not None and (read is None or problem[0] > read.at) and problem[1].kind.value in ("read_failed", "unsupported_card"):
            at, reported = problem
            return Check("last_read", Status.FAIL, Finding.READ_FAILED,
                         {"at": at, "message": reported.message, "config_path": self._config_path})
        if read is None:
            return Check("last_read", Status.WARN, Finding.NO_READ_YET)
        return Check("last_read", Status.OK, Finding.READ_OK, {"read": read})

    # --- the central service ---------------------------------------------------------------
    def _service_checks(self) -> tuple[Check, Check]:
        url = self._config.service.url
        sent = self._clock()
        started = time.perf_counter()
        try:
            answer = self._transport.call("GET", "/healthz", expect=(200,), retry=False)
        except RequestFailed as failure:
            if failure.status is not None:
                service = Check("service", Status.FAIL, Finding.SERVICE_UNHEALTHY, {"url": url, "http_status": failure.status})
            elif failure.cause == "SSLError":
                service = Check("service", Status.FAIL, Finding.SERVICE_TLS, {"url": url})
            else:
                service = Check("service", Status.FAIL, Finding.SERVICE_UNREACHABLE, {"url": url, "cause": failure.cause})
            return service, Check("clock", Status.WARN, Finding.CLOCK_NO_ANSWER)
        latency = time.perf_counter() - started
        received = self._clock()
        values = {"url": url, "http_status": answer.status, "latency_ms": latency * 1000}
        if latency > SLOW_SERVICE_SECONDS:
            service_check = Check("service", Status.WARN, Finding.SERVICE_SLOW, values)
        else:
            service_check = Check("service", Status.OK, Finding.SERVICE_OK, values)
        return service_check, _clock_check(answer.headers.get("Date"), (sent + received) / 2)

    # --- the station -----------------------------------------------------------------------
    def _config_check(self) -> Check:
        if not self._config_path:
            return Check("config", Status.WARN, Finding.CONFIG_DEFAULTS)
        return Check("config", Status.OK, Finding.CONFIG_FILE, {"path": self._config_path})

    def _disk_check(self) -> Check:
        usage = shutil.disk_usage(self._disk_path)
        values = {"free_bytes": usage.free, "total_bytes": usage.total, "path": str(self._disk_path)}
        if usage.free < DISK_FAIL_BYTES:
            return Check("disk", Status.FAIL, Finding.DISK_ALMOST_FULL, values)
        if usage.free < DISK_WARN_BYTES:
            return Check("disk", Status.WARN, Finding.DISK_LOW, values)
        return Check("disk", Status.OK, Finding.DISK_FREE, values)

    def _heartbeat_check(self) -> Check:
        log = self._deliveries
        if log is None or log.last_delivered is None:
            waiting = log is not None and log.last_outcome is Delivery.RETRY_LATER
            return Check("heartbeat", Status.WARN, Finding.HEARTBEAT_NONE, {"waiting": waiting})
        age = self._clock() - log.last_delivered.timestamp()
        values = {"at": log.last_delivered, "age_seconds": age}
        if age > 3 * self._config.service.heartbeat_seconds:
            return Check("heartbeat", Status.WARN, Finding.HEARTBEAT_LATE, values)
        return Check("heartbeat", Status.OK, Finding.HEARTBEAT_SENT, values)


def _clock_check(date_header: str | None, local_midpoint: float) -> Check:
    """The kiosk's clock against the service's ``Date`` header (a whole second: ±1 s)."""
    if not date_header:
        return Check("clock", Status.WARN, Finding.CLOCK_NO_DATE)
    try:
        service_time = parsedate_to_datetime(date_header).timestamp()
    except (TypeError, ValueError):
        return Check("clock", Status.WARN, Finding.CLOCK_BAD_DATE)
    offset = local_midpoint - service_time
    if abs(offset) < 1:
        return Check("clock", Status.OK, Finding.CLOCK_IN_STEP, {"offset_seconds": offset})
    values = {"offset_seconds": offset}
    if abs(offset) > CLOCK_FAIL_SECONDS:
        return Check("clock", Status.FAIL, Finding.CLOCK_OFF, values)
    if abs(offset) > CLOCK_WARN_SECONDS:
        return Check("clock", Status.WARN, Finding.CLOCK_OFF, values)
    return Check("clock", Status.OK, Finding.CLOCK_OFF, values)
