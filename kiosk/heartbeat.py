"""Fleet heartbeats: ``POST /v1/kiosks/heartbeat`` every minute, queued while the service is away.

:class:`FleetHealth` collects what the beat reports from the session's states (it is a session
listener) and from the card watcher's reader list. :class:`HeartbeatSender` runs on a thread of
its own: each tick it takes a snapshot, appends it to a bounded queue and sends the queue
oldest first, stopping at the first failure. The queue is on disk under the unit's
``$STATE_DIRECTORY`` so that beats survive the restarts the watchdog causes; without it (a
development run) it is in memory.

A beat is the service's ``HeartbeatRequest`` (``central/schemas.py``): ``app_version``,
``uptime_seconds``, ``readers``, ``screen``, ``reader_state``, ``last_lookup_at``,
``errors_since_last_beat``, ``observed_at`` (a queued beat arrives late) and
``service_latency_ms``, the round trip of the last beat the service took (the fleet page shows
it beside each kiosk; absent until one was delivered). The beats go
through the kiosk's one :class:`~kiosk.transport.ServiceTransport`, without its retries: the
queue is the retry.
"""
from __future__ import annotations

import datetime as dt
import enum
import json
import logging
import os
import threading
import time
from collections import Counter, deque
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, Protocol

from kiosk.state import KioskState, Screen
from kiosk.transport import RequestFailed, ServiceTransport

log = logging.getLogger(__name__)

Beat = dict[str, Any]
MAX_READERS = 8  # the service accepts at most 8 reader names of at most 100 characters


def app_version() -> str:
    """The installed distribution's version (importlib.metadata is imported here: it cost ~40 ms
    of the kiosk's cold start at module level)."""
    from importlib import metadata

    try:
        return metadata.version("opet-kiosk")
    except metadata.PackageNotFoundError:
        return "unknown"


def _utc_now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def _iso(moment: dt.datetime) -> str:
    return moment.isoformat(timespec="seconds").replace("+00:00", "Z")


class FleetHealth:
    """What the next heartbeat reports. ``observe`` is a session listener (UI thread);
    ``readers_changed`` may be called from the watcher thread; ``snapshot`` from the sender's."""

    def __init__(self, clock: Callable[[], float] = time.monotonic, now: Callable[[], dt.datetime] = _utc_now) -> None:
        self._clock = clock
        self._now = now
        self._started = clock()
        self._lock = threading.Lock()
        self._previous = KioskState()
        self._readers: list[str] = []
        self._last_lookup_at: dt.datetime | None = None
        self._errors: Counter[str] = Counter()
        self._service_latency_ms: int | None = None

    def observe(self, state: KioskState) -> None:
        """Notes a new session state: a balance shown is a successful look-up, a problem shown is an error."""
        with self._lock:
            previous, self._previous = self._previous, state
            if state.balance is not None and state.balance is not previous.balance:
                self._last_lookup_at = self._now()
            if state.problem is not None and (state.problem is not previous.problem or previous.screen is not Screen.PROBLEM):
                self._errors[state.problem.value] += 1

    def readers_changed(self, readers: list[str]) -> None:
        """The card watcher's current reader names."""
        with self._lock:
            self._readers = [name[:100] for name in readers[:MAX_READERS]]

    def service_answered(self, round_trip_ms: int) -> None:
        """Notes how long the service took to take a beat (the sender's thread)."""
        with self._lock:
            self._service_latency_ms = round_trip_ms

    def snapshot(self) -> Beat:
        """The next beat; the error counts start again from zero."""
        with self._lock:
            errors, self._errors = dict(self._errors), Counter()
            return {
                "app_version": app_version()[:40],
                "uptime_seconds": int(self._clock() - self._started),
                "readers": list(self._readers),
                "screen": self._previous.screen.value,
                "reader_state": self._previous.reader.value,
                "last_lookup_at": _iso(self._last_lookup_at) if self._last_lookup_at else None,
                "errors_since_last_beat": errors,
                "observed_at": _iso(self._now()),
                "service_latency_ms": self._service_latency_ms,
            }


class HeartbeatQueue(Protocol):
    """Beats waiting to be sent, oldest first, bounded: when full the oldest is dropped."""

    def push(self, beat: Beat) -> None: ...
    def oldest(self) -> Beat | None: ...
    def drop_oldest(self) -> None: ...
    def __len__(self) -> int: ...


class MemoryQueue:
    """A bounded in-memory queue (lost when the app restarts)."""

    def __init__(self, max_beats: int = 500) -> None:
        self._beats: deque[Beat] = deque(maxlen=max_beats)

    def push(self, beat: Beat) -> None:
        self._beats.append(beat)

    def oldest(self) -> Beat | None:
        return self._beats[0] if self._beats else None

    def drop_oldest(self) -> None:
        if self._beats:
            self._beats.popleft()

    def __len__(self) -> int:
        return len(self._beats)


class DiskQueue:
    """A bounded queue of one JSON file per beat (``000000000042.json``), written atomically
    (temporary file, then rename), so a restart or a power cut loses at most the beat being written."""

    def __init__(self, directory: Path, max_beats: int = 500) -> None:
        self._directory = directory
        self._max = max_beats
        directory.mkdir(parents=True, exist_ok=True, mode=0o700)

    def _files(self) -> list[Path]:
        return sorted(self._directory.glob("[0-9]*.json"))

    def push(self, beat: Beat) -> None:
        files = self._files()
        sequence = int(files[-1].stem) + 1 if files else 1
        target = self._directory / f"{sequence:012d}.json"
        partial = target.with_suffix(".tmp")
        partial.write_text(json.dumps(beat), encoding="utf-8")
        os.replace(partial, target)
        for stale in files[: max(0, len(files) + 1 - self._max)]:
            stale.unlink(missing_ok=True)

    def oldest(self) -> Beat | None:
        for path in self._files():
            try:
                return json.loads(path.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                log.warning("dropping unreadable queued heartbeat %s", path.name)
                path.unlink(missing_ok=True)
        return None

    def drop_oldest(self) -> None:
        files = self._files()
        if files:
            files[0].unlink(missing_ok=True)

    def __len__(self) -> int:
        return len(self._files())


def queue_for_environment(environ: Mapping[str, str] | None = None) -> HeartbeatQueue:
    """On disk under ``$STATE_DIRECTORY/heartbeats`` (set by the unit's ``StateDirectory=``), else in memory."""
    state_directory = (os.environ if environ is None else environ).get("STATE_DIRECTORY", "")
    if state_directory:
        # systemd may list several directories separated by ":"; the first is the kiosk's.
        return DiskQueue(Path(state_directory.split(":")[0]) / "heartbeats")
    return MemoryQueue()


class Delivery(enum.Enum):
    """What became of one beat."""

    DELIVERED = "delivered"
    REJECTED = "rejected"        # the service will never take this beat: drop it
    RETRY_LATER = "retry_later"  # unreachable, overloaded or failing: keep it queued


class BeatPoster(Protocol):
    """Delivers one beat and says what became of it."""

    def send(self, beat: Beat) -> Delivery: ...


class HeartbeatClient:
    """``POST /v1/kiosks/heartbeat`` on the kiosk's transport, sent once (the queue is the retry)."""

    def __init__(self, transport: ServiceTransport) -> None:
        self._transport = transport

    def send(self, beat: Beat) -> Delivery:
        """Delivers one beat: kept for later when the service is away or failing, dropped when it refuses it."""
        try:
            self._transport.call("POST", "/v1/kiosks/heartbeat", body=beat, expect=(200, 201, 202, 204), retry=False)
        except RequestFailed as failure:
            status = failure.status
            if status is None or status in (408, 429) or status >= 500:
                log.info("heartbeat not sent: %s", failure.detail)
                return Delivery.RETRY_LATER
            log.warning("the service refused a heartbeat with HTTP %d; dropped", status)
            return Delivery.REJECTED
        return Delivery.DELIVERED

    def close(self) -> None:
        """Closes the transport's connections."""
        self._transport.close()


class HeartbeatSender:
    """Every ``interval_seconds`` (and once at start): snapshot, queue, then send the queue."""

    def __init__(
        self,
        health: FleetHealth,
        poster: BeatPoster,
        queue: HeartbeatQueue,
        interval_seconds: float = 60.0,
        max_per_tick: int = 100,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._health = health
        self._clock = clock
        self._poster = poster
        self._queue = queue
        self._interval = interval_seconds
        self._max_per_tick = max_per_tick
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def tick(self) -> int:
        """Queues a beat and sends what the queue holds; returns how many were delivered."""
        self._queue.push(self._health.snapshot())
        return self.flush()

    def flush(self) -> int:
        """Sends queued beats oldest first until one must wait (or ``max_per_tick`` are sent); the
        round trip of each delivered beat is the service latency the next beat reports."""
        delivered = 0
        for _ in range(self._max_per_tick):
            beat = self._queue.oldest()
            if beat is None:
                break
            started = self._clock()
            outcome = self._poster.send(beat)
            if outcome is Delivery.RETRY_LATER:
                break
            if outcome is Delivery.DELIVERED:
                self._health.service_answered(round((self._clock() - started) * 1000))
            self._queue.drop_oldest()
            delivered += outcome is Delivery.DELIVERED
        return delivered

    def start(self) -> None:
        """Starts the daemon thread ``kiosk-heartbeat``; the first beat goes at once."""
        self._thread = threading.Thread(target=self._run, name="kiosk-heartbeat", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        """Ends the thread, waiting for a send in progress."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.tick()
            except Exception:  # noqa: BLE001 - a heartbeat bug must not end the beats
                log.exception("heartbeat tick failed")
            self._stop.wait(self._interval)
