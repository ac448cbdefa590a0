"""The technician's self-test: live checks of the station, each saying what is wrong and what to do.

:class:`SelfTest.run` blocks (PC/SC, HTTP, the disk) and is called on a worker thread; the
screen shows the :class:`SelfTestReport` it returns. What the checks need from the running
kiosk is recorded as it happens: :class:`ReaderLog` sits between the card watcher and the
session (readers, the last read with its profile and addressing, the last reader problem),
:class:`DeliveryLog` between the heartbeat sender and its transport (the last beat delivered).
Nothing here shows a full card number: reads are kept masked.
"""
from __future__ import annotations

import datetime as dt
import enum
import os
import shutil
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import TYPE_CHECKING

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


@dataclass(frozen=True)
class Check:
    """One line of the self-test: ``value`` is what was found, ``advice`` what to do (empty
    when nothing is to be done)."""

    key: str
    title: str
    status: Status
    value: str
    advice: str = ""


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
            Check("version", "Software version", Status.OK, app_version()),
            self._config_check(),
            self._disk_check(),
            self._heartbeat_check(),
        )
        return SelfTestReport(checks, dt.datetime.fromtimestamp(self._clock(), dt.timezone.utc))

    # --- the card reader -------------------------------------------------------------------
    def _reader_check(self) -> Check:
        from hardware.pcsc import PcscError
        from hardware.readers import reader_statuses

        title = "Card reader"
        wanted = self._config.reader.name_filter.casefold()
        try:
            statuses = [s for s in reader_statuses() if wanted in s.name.casefold()]
        except PcscError as exc:
            return Check("reader", title, Status.FAIL, f"PC/SC service not answering ({exc})",
                         "Restart it: sudo systemctl restart pcscd; then check again.")
        if not statuses:
            where = f' named like "{self._config.reader.name_filter}"' if wanted else ""
            return Check("reader", title, Status.FAIL, f"no reader{where} connected",
                         "Plug the reader in (another USB port if it still is not seen); `opet-reader list` shows what PC/SC sees."
                         + (" Check [reader] name_filter." if wanted else ""))
        value = "; ".join(f"{s.name}: {s.state}" for s in statuses)
        if all(s.state == "unavailable" for s in statuses):
            return Check("reader", title, Status.FAIL, value, "Unplug the reader and plug it in again.")
        return Check("reader", title, Status.OK, value)

    def _last_read_check(self) -> Check:
        title = "Last card read"
        log = self._readers
        read = log.last_read if log else None
        problem = log.last_problem if log else None
        if problem is not None and (read is None or problem[0] > read.at) and problem[1].kind.value in ("read_failed", "unsupported_card"):
            at, reported = problem
            return Check("last_read", title, Status.FAIL, f"{_clock_text(at)}: {reported.message}",
                         "Hold the card on the reader and run `opet-reader probe`; paste the [reader] block it prints "
                         f"into {self._config_path or 'the configuration file'} and restart the kiosk.")
        if read is None:
            return Check("last_read", title, Status.WARN, "no card read since the kiosk started",
                         "Tap a card to check the reader reads it.")
        where = f"{read.profile} ({read.addressing})" if read.addressing else read.profile
        return Check("last_read", title, Status.OK, f"{read.identity} by {where} at {_clock_text(read.at)}, {read.read_ms:.1f} ms")

    # --- the central service ---------------------------------------------------------------
    def _service_checks(self) -> tuple[Check, Check]:
        service = self._config.service
        title = f"Service {service.url}"
        sent = self._clock()
        started = time.perf_counter()
        try:
            answer = self._transport.call("GET", "/healthz", expect=(200,), retry=False)
        except RequestFailed as failure:
            if failure.status is not None:
                return (Check("service", title, Status.FAIL, f"HTTP {failure.status}",
                              "The service answers but is not healthy: call the help desk."), _unknown_clock())
            if failure.cause == "SSLError":
                return (Check("service", title, Status.FAIL, "TLS certificate not trusted",
                              "Check [service] ca_file names the service's CA, and the kiosk's date."), _unknown_clock())
            return (Check("service", title, Status.FAIL, f"not reachable ({failure.cause})",
                          "Check the network cable or Wi-Fi, then [service] url; the service may be down: call the help desk."),
                    _unknown_clock())
        latency = time.perf_counter() - started
        received = self._clock()
        value = f"HTTP {answer.status} in {latency * 1000:.0f} ms"
        if latency > SLOW_SERVICE_SECONDS:
            service_check = Check("service", title, Status.WARN, value, "Slow network: balances will take long to show.")
        else:
            service_check = Check("service", title, Status.OK, value)
        return service_check, _clock_check(answer.headers.get("Date"), (sent + received) / 2)

    # --- the station -----------------------------------------------------------------------
    def _config_check(self) -> Check:
        if not self._config_path:
            return Check("config", "Configuration", Status.WARN, "none: built-in defaults",
                         "A station runs with --config /etc/opet-kiosk/kiosk.toml.")
        return Check("config", "Configuration", Status.OK, self._config_path)

    def _disk_check(self) -> Check:
        usage = shutil.disk_usage(self._disk_path)
        value = f"{usage.free / (1 << 30):.1f} GiB free of {usage.total / (1 << 30):.1f} GiB ({self._disk_path})"
        if usage.free < DISK_FAIL_BYTES:
            return Check("disk", "Disk", Status.FAIL, value, "Almost full: heartbeats and logs stop being kept. Free space or call the help desk.")
        if usage.free < DISK_WARN_BYTES:
            return Check("disk", "Disk", Status.WARN, value, "Getting full: free some space.")
        return Check("disk", "Disk", Status.OK, value)

    def _heartbeat_check(self) -> Check:
        title = "Last heartbeat sent"
        log = self._deliveries
        if log is None or log.last_delivered is None:
            refused = log is not None and log.last_outcome is Delivery.RETRY_LATER
            return Check("heartbeat", title, Status.WARN, "none delivered yet" + (" (the last one is waiting to be resent)" if refused else ""),
                         "Heartbeats go once a minute; if the service check above fails, fix that first.")
        age = self._clock() - log.last_delivered.timestamp()
        value = f"{_clock_text(log.last_delivered)} ({age:.0f} s ago)"
        if age > 3 * self._config.service.heartbeat_seconds:
            return Check("heartbeat", title, Status.WARN, value, "Heartbeats are late: the fleet view will show this kiosk as silent.")
        return Check("heartbeat", title, Status.OK, value)


def _clock_check(date_header: str | None, local_midpoint: float) -> Check:
    """The kiosk's clock against the service's ``Date`` header (a whole second: ±1 s)."""
    title = "Clock against the service"
    if not date_header:
        return _unknown_clock("the service sent no Date header")
    try:
        service_time = parsedate_to_datetime(date_header).timestamp()
    except (TypeError, ValueError):
        return _unknown_clock("the service's Date header is unreadable")
    offset = local_midpoint - service_time
    value = f"{'ahead' if offset > 0 else 'behind'} by {abs(offset):.0f} s (±1 s)" if abs(offset) >= 1 else "in step (±1 s)"
    advice = "Turn time sync on: sudo timedatectl set-ntp true (and check the NTP server is reachable)."
    if abs(offset) > CLOCK_FAIL_SECONDS:
        return Check("clock", title, Status.FAIL, value, advice)
    if abs(offset) > CLOCK_WARN_SECONDS:
        return Check("clock", title, Status.WARN, value, advice)
    return Check("clock", title, Status.OK, value)


def _unknown_clock(why: str = "the service did not answer") -> Check:
    return Check("clock", "Clock against the service", Status.WARN, f"not checked: {why}", "")


def _clock_text(moment: dt.datetime) -> str:
    return moment.astimezone().strftime("%H:%M:%S")
