"""kiosk.heartbeat: what a beat reports, the bounded queues, and delivery to the real service
(queued while it is down, flushed oldest first when it is back)."""
from __future__ import annotations

import datetime as dt
from dataclasses import replace
from pathlib import Path

import httpx
import pytest

from hardware.card_number import CardNumber
from kiosk.balance import Balance, CardStatus
from kiosk.heartbeat import (
    Beat,
    Delivery,
    DiskQueue,
    FleetHealth,
    HeartbeatClient,
    HeartbeatSender,
    MemoryQueue,
    queue_for_environment,
)
from kiosk.state import KioskState, Problem, ReaderHealth, Screen
from kiosk.transport import ServiceTransport
from tests.rigs.central import CentralService
from tests.rigs.network_path import NetworkPath

NOW = dt.datetime(2026, 11, 27, 18, 20, tzinfo=dt.timezone.utc)


def _balance() -> Balance:
    return Balance(CardNumber.parse("7000070012806566"), CardStatus.ACTIVE, 123456, 8790, True, NOW, "6566")


class _Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_snapshot_reports_lookups_errors_and_readers_then_resets_errors() -> None:
    clock = _Clock()
    health = FleetHealth(clock=clock, now=lambda: NOW)
    shown = replace(KioskState(), screen=Screen.BALANCE, balance=_balance())
    health.observe(shown)
    health.observe(replace(shown, language="en"))  # same balance, other language: no new look-up
    for _ in range(2):  # two taps that both end on the same problem count twice
        health.observe(replace(KioskState(), screen=Screen.READING))
        health.observe(replace(KioskState(), screen=Screen.PROBLEM, problem=Problem.SERVICE_UNAVAILABLE))
    health.observe(replace(KioskState(), reader=ReaderHealth.NO_READER))
    health.readers_changed(["ACS ACR1252 1S CL Reader PICC 00 00"])
    clock.now += 75.9

    beat = health.snapshot()

    assert beat == {
        "app_version": beat["app_version"],
        "uptime_seconds": 75,
        "readers": ["ACS ACR1252 1S CL Reader PICC 00 00"],
        "screen": "attract",
        "reader_state": "no_reader",
        "last_lookup_at": "2026-11-27T18:20:00Z",
        "errors_since_last_beat": {"service_unavailable": 2},
        "observed_at": "2026-11-27T18:20:00Z",
        "service_latency_ms": None,
    }
    assert beat["app_version"] not in ("", "unknown")
    assert health.snapshot()["errors_since_last_beat"] == {}


def test_a_beat_never_holds_a_full_card_number() -> None:
    health = FleetHealth()
    health.observe(replace(KioskState(), screen=Screen.BALANCE, balance=_balance(), masked_number="•••• 6566"))
    assert "7000070012806566" not in repr(health.snapshot())


@pytest.mark.parametrize("make_queue", [lambda path: MemoryQueue(max_beats=3), lambda path: DiskQueue(path, max_beats=3)])
def test_queues_are_bounded_and_oldest_first(make_queue, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    queue = make_queue(tmp_path / "beats")
    for number in range(5):
        queue.push({"n": number})
    assert len(queue) == 3
    seen = []
    while (beat := queue.oldest()) is not None:
        seen.append(beat["n"])
        queue.drop_oldest()
    assert seen == [2, 3, 4]
    assert len(queue) == 0


def test_disk_queue_survives_a_restart_and_skips_a_damaged_file(tmp_path: Path) -> None:
    first = DiskQueue(tmp_path / "beats")
    first.push({"n": 1})
    first.push({"n": 2})
    (tmp_path / "beats" / "000000000001.json").write_text("{truncated")
    reopened = DiskQueue(tmp_path / "beats")
    assert reopened.oldest() == {"n": 2}
    reopened.push({"n": 3})
    assert sorted(path.name for path in (tmp_path / "beats").iterdir()) == ["000000000002.json", "000000000003.json"]
    assert oct((tmp_path / "beats").stat().st_mode & 0o777) == oct(0o700)


def test_queue_is_on_disk_under_systemd_state_directory(tmp_path: Path) -> None:
    queue = queue_for_environment({"STATE_DIRECTORY": f"{tmp_path}:/var/lib/other"})
    queue.push({"n": 1})
    assert [path.name for path in (tmp_path / "heartbeats").iterdir()] == ["000000000001.json"]
    assert isinstance(queue_for_environment({}), MemoryQueue)


class _Recording:
    """The real transport, with a note of each beat it delivered."""

    def __init__(self, inner: HeartbeatClient) -> None:
        self.inner = inner
        self.delivered: list[Beat] = []

    def send(self, beat: Beat) -> Delivery:
        outcome = self.inner.send(beat)
        if outcome is Delivery.DELIVERED:
            self.delivered.append(beat)
        return outcome

    def close(self) -> None:
        self.inner.close()


def _last_heartbeat_metric(base_url: str, device: str) -> float | None:
    text = httpx.get(f"{base_url}/metrics", timeout=5).text
    prefix = f'opet_central_device_last_heartbeat_timestamp_seconds{{device="{device}",kind="kiosk"}} '
    values = [float(line[len(prefix):]) for line in text.splitlines() if line.startswith(prefix)]
    return values[0] if values else None


def test_the_real_service_records_a_beat(central_service: CentralService) -> None:
    token = central_service.add_device("kiosk", "heartbeat-test-kiosk")
    assert _last_heartbeat_metric(central_service.base_url, "heartbeat-test-kiosk") is None
    sender = HeartbeatSender(FleetHealth(), HeartbeatClient(ServiceTransport(central_service.base_url, token)), MemoryQueue())
    try:
        assert sender.tick() == 1
    finally:
        sender.stop()
    assert _last_heartbeat_metric(central_service.base_url, "heartbeat-test-kiosk") is not None


class _SteppingClock:
    """A monotonic clock that moves ``step`` seconds each time it is read."""

    def __init__(self, step: float) -> None:
        self.now, self.step = 0.0, step

    def __call__(self) -> float:
        self.now += self.step
        return self.now


def test_the_fleet_view_shows_the_round_trip_of_the_kiosks_last_delivered_beat(central_service: CentralService) -> None:
    token = central_service.add_device("kiosk", "latency-kiosk")
    operations = central_service.add_device("operations", "latency-ops")
    client = HeartbeatClient(ServiceTransport(central_service.base_url, token))
    sender = HeartbeatSender(FleetHealth(), client, MemoryQueue(), clock=_SteppingClock(0.042))
    try:
        assert sender.tick() == 1  # the first beat has no measured round trip yet
        assert sender.tick() == 1  # the second reports the first one's: 42 ms on this clock
    finally:
        sender.stop()
        client.close()
    fleet = httpx.get(f"{central_service.base_url}/v1/kiosks", headers={"Authorization": f"Bearer {operations}"}, timeout=5)
    assert fleet.status_code == 200
    [kiosk] = [row for row in fleet.json()["kiosks"] if row["name"] == "latency-kiosk"]
    assert kiosk["service_latency_ms"] == 42


def test_a_refused_token_drops_the_beat_instead_of_queueing_it(central_service: CentralService) -> None:
    queue = MemoryQueue()
    sender = HeartbeatSender(FleetHealth(), HeartbeatClient(ServiceTransport(central_service.base_url, "not-a-token")), queue)
    try:
        assert sender.tick() == 0
    finally:
        sender.stop()
    assert len(queue) == 0


def test_beats_queue_while_the_network_is_down_and_flush_oldest_first(
    central_service: CentralService, tmp_path: Path
) -> None:
    token = central_service.add_device("kiosk", "outage-kiosk")
    path = NetworkPath(int(central_service.base_url.rsplit(":", 1)[1]))
    path.restore()
    clock = _Clock()
    transport = _Recording(HeartbeatClient(ServiceTransport(path.url, token, timeout_seconds=2)))
    queue = DiskQueue(tmp_path / "beats")
    sender = HeartbeatSender(FleetHealth(clock=clock), transport, queue)
    try:
        assert sender.tick() == 1
        path.cut()
        for _ in range(3):  # every beat waits on disk
            clock.now += 60
            assert sender.tick() == 0
        assert len(queue) == 3
        path.restore()
        clock.now += 60
        assert sender.tick() == 4
    finally:
        sender.stop()
        path.cut()
    assert len(queue) == 0
    assert [beat["uptime_seconds"] for beat in transport.delivered] == [0, 60, 120, 180, 240]
