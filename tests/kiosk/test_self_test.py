"""The technician's self-test against the real parts: the central service over HTTP, pcscd
with its virtual readers, the card watcher's events, a real heartbeat delivery; the kiosk's
clock is injected to put it off the service's."""
from __future__ import annotations

import datetime as dt
import time

import pytest

from hardware.emulator import number_applet
from hardware.watcher import CardWatcher
from kiosk.config import load_config
from kiosk.heartbeat import Delivery, HeartbeatClient
from kiosk.self_test import DeliveryLog, Finding, ReaderLog, SelfTest, Status
from kiosk.transport import ServiceTransport
from tests.hardware.recording import RecordingListener
from tests.rigs.central import free_port

pytestmark = pytest.mark.pcsc

NUMBER = "7000070012806566"


def kiosk_config(tmp_path, service_url: str, token: str):
    path = tmp_path / "kiosk.toml"
    path.write_text(
        f'[service]\nurl = "{service_url}"\ntoken = "{token}"\ntimeout_seconds = 2\n'
        '[reader]\nname_filter = "Virtual PCD 00 00"\n',
        encoding="utf-8",
    )
    return load_config(path, environ={}), str(path)


def _transport(config) -> ServiceTransport:
    """The kiosk's one transport to the service, as the runtime builds it."""
    service = config.service
    return ServiceTransport(service.url, service.device_token(), service.timeout_seconds, service.retries)


def test_a_healthy_station_reports_every_check_and_the_last_read(tmp_path, central_service, pcscd, virtual_card):
    config, path = kiosk_config(tmp_path, central_service.base_url, central_service.token)
    listener = RecordingListener()
    reader_log = ReaderLog(listener)
    deliveries = DeliveryLog(HeartbeatClient(ServiceTransport(config.service.url, central_service.token)))
    watcher = CardWatcher(reader_log, config.reader.card_profiles(), config.reader.name_filter)
    watcher.start()
    try:
        listener.wait_for("readers_changed")
        with virtual_card(number_applet(NUMBER)):
            listener.wait_for("card_read")
        listener.wait_for("card_removed")
        assert deliveries.send({"app_version": "test", "uptime_seconds": 1, "readers": [], "screen": "attract"}) is Delivery.DELIVERED
        report = SelfTest(config, _transport(config), path, reader_log, deliveries, state_directory=str(tmp_path)).run()
    finally:
        watcher.stop()
        deliveries.close()
    by_key = {check.key: check for check in report.checks}
    assert list(by_key) == ["reader", "last_read", "service", "clock", "version", "config", "disk", "heartbeat"]
    assert by_key["reader"].status is Status.OK and by_key["reader"].values["readers"] == (("Virtual PCD 00 00", "empty"),)
    last_read = by_key["last_read"]
    assert (last_read.status, last_read.finding) == (Status.OK, Finding.READ_OK)
    read = last_read.values["read"]
    assert (read.identity, read.profile, read.addressing) == ("•••• •••• •••• 6566", "iso7816", "current")
    service = by_key["service"]
    assert (service.status, service.values["http_status"], service.values["url"]) == (Status.OK, 200, central_service.base_url)
    assert by_key["clock"].status is Status.OK
    assert (by_key["config"].status, by_key["config"].values) == (Status.OK, {"path": path})
    disk = by_key["disk"]
    assert disk.status is not Status.FAIL and disk.values["path"] == str(tmp_path) and 0 < disk.values["free_bytes"] <= disk.values["total_bytes"]
    assert by_key["heartbeat"].status is Status.OK and by_key["heartbeat"].finding is Finding.HEARTBEAT_SENT
    assert report.worst is Status.OK
    assert not any(NUMBER in repr(check.values) for check in report.checks)


def test_a_kiosk_clock_an_hour_fast_is_a_fault_with_what_to_do(tmp_path, central_service, pcscd):
    config, path = kiosk_config(tmp_path, central_service.base_url, central_service.token)
    report = SelfTest(config, _transport(config), path, None, None, clock=lambda: time.time() + 3600).run()
    clock = report.check("clock")
    assert (clock.status, clock.finding) == (Status.FAIL, Finding.CLOCK_OFF)
    # The hour, plus at most the request's own time (the Date header has whole seconds).
    assert 3599 <= clock.values["offset_seconds"] < 3600 + 60


def test_an_unreachable_service_and_a_missing_reader_say_what_to_do(tmp_path, pcscd):
    config, path = kiosk_config(tmp_path, f"http://127.0.0.1:{free_port()}", "x")
    config = config._replace(reader=config.reader._replace(name_filter="ACS ACR122U"))
    report = SelfTest(config, _transport(config), None, None, None).run()
    service, reader = report.check("service"), report.check("reader")
    assert (service.status, service.finding, service.values["cause"]) == (Status.FAIL, Finding.SERVICE_UNREACHABLE, "NewConnectionError")
    assert (report.check("clock").status, report.check("clock").finding) == (Status.WARN, Finding.CLOCK_NO_ANSWER)
    assert (reader.status, reader.finding, reader.values) == (Status.FAIL, Finding.NO_READER, {"name_filter": "ACS ACR122U"})
    assert (report.check("config").status, report.check("config").finding) == (Status.WARN, Finding.CONFIG_DEFAULTS)
    assert report.check("heartbeat").values == {"waiting": False}
    assert report.check("last_read").finding is Finding.NO_READ_YET
    assert report.worst is Status.FAIL


def test_a_failed_read_after_the_last_good_one_points_to_the_probe(tmp_path, pcscd, virtual_card):
    from hardware.profiles.config import build_profiles

    config, path = kiosk_config(tmp_path, f"http://127.0.0.1:{free_port()}", "x")
    listener = RecordingListener()
    reader_log = ReaderLog(listener)
    sfi_only = build_profiles(["iso7816"], {"iso7816": {"addressing": ["sfi"]}})
    watcher = CardWatcher(reader_log, sfi_only, "Virtual PCD 00 00")
    watcher.start()
    try:
        listener.wait_for("readers_changed")
        with virtual_card(number_applet(NUMBER)):
            listener.wait_for("reader_problem")
    finally:
        watcher.stop()
    last_read = SelfTest(config, _transport(config), path, reader_log, None).run().check("last_read")
    assert (last_read.status, last_read.finding) == (Status.FAIL, Finding.READ_FAILED)
    assert last_read.values["message"].endswith("READ BINARY: 6A81 FUNCTION_NOT_SUPPORTED")
    assert last_read.values["config_path"] == path


def test_a_heartbeat_not_delivered_is_not_counted_as_sent(central_service):
    moment = dt.datetime(2026, 12, 7, 12, 0, tzinfo=dt.timezone.utc)
    beat = {"app_version": "test", "uptime_seconds": 1, "readers": [], "screen": "attract"}
    down = DeliveryLog(HeartbeatClient(ServiceTransport(f"http://127.0.0.1:{free_port()}", "x", timeout_seconds=1)), now=lambda: moment)
    up = DeliveryLog(HeartbeatClient(ServiceTransport(central_service.base_url, central_service.token)), now=lambda: moment)
    try:
        assert down.send(beat) is Delivery.RETRY_LATER
        assert up.send(beat) is Delivery.DELIVERED
    finally:
        down.close()
        up.close()
    assert (down.last_delivered, down.last_outcome) == (None, Delivery.RETRY_LATER)
    assert up.last_delivered == moment
