"""The service monitor against the real central service behind a real TCP relay."""
import logging
import queue
from collections.abc import Iterator

import pytest

from hardware.card_number import CardNumber
from kiosk.api_client import CentralClient
from kiosk.balance import Entry
from kiosk.connectivity import ServiceMonitor
from kiosk.transport import RequestFailed, ServiceTransport
from tests.kiosk.ui_thread import UiQueue
from tests.rigs.network_path import NetworkPath

HANG_S = 30.0
"""Bounds a wait that would otherwise hang; the waits end long before it."""
ACTIVE = CardNumber.parse("7000070012806566")


@pytest.fixture
def path(central_service) -> Iterator[NetworkPath]:
    relay = NetworkPath(int(central_service.base_url.rsplit(":", 1)[1]))
    relay.restore()
    yield relay
    relay.cut()


class CountedProbe:
    """The client's health probe, each result also put on a queue the test can wait on."""

    def __init__(self, client: CentralClient) -> None:
        self._client = client
        self.results: queue.Queue[bool] = queue.Queue()

    def __call__(self) -> bool:
        healthy = self._client.healthy()
        self.results.put(healthy)
        return healthy

    def next(self) -> bool:
        return self.results.get(timeout=HANG_S)


@pytest.mark.parametrize("fault", ["cut", "stall"])
def test_the_monitor_notices_an_outage_and_the_recovery_quickly(path: NetworkPath, central_service, fault: str) -> None:
    ui = UiQueue()
    changes: list[bool] = []
    client = CentralClient(ServiceTransport(path.url, central_service.token, timeout_seconds=0.5))
    probe = CountedProbe(client)
    # Probes 10 minutes apart while the service answers: only the 0.2 s probing of a service
    # found down can notice the recovery within HANG_S.
    monitor = ServiceMonitor(probe, changes.append, ui.dispatch, up_interval=600.0, down_interval=0.2)
    monitor.start()
    try:
        assert probe.next() is True
        monitor.suspect()
        assert probe.next() is True  # the first probe's round, and any change it made, is over
        ui.run_pending()
        assert changes == []  # reachable from the start: nothing to report
        getattr(path, fault)()
        monitor.suspect()  # as a failed look-up does; otherwise the next probe is 10 minutes away
        ui.pump_until(lambda: changes == [False], timeout=HANG_S)
        path.restore()
        ui.pump_until(lambda: changes == [False, True], timeout=HANG_S)
    finally:
        monitor.stop()
        client.close()


def test_healthy_is_one_quick_try(path: NetworkPath, central_service, caplog: pytest.LogCaptureFixture) -> None:
    client = CentralClient(ServiceTransport(path.url, central_service.token, timeout_seconds=0.5, retries=2))
    assert client.healthy()
    path.stall()
    with caplog.at_level(logging.WARNING, logger="urllib3"):
        assert not client.healthy()
        probe_retries = [record for record in caplog.records if "Retrying" in record.msg]
        with pytest.raises(RequestFailed):
            client.balance(ACTIVE, Entry.TAPPED)  # the same client, the same stalled path
    look_up_retries = [record for record in caplog.records if "Retrying" in record.msg]
    assert probe_retries == []  # retries are for look-ups, not probes
    assert len(look_up_retries) == 2
    client.close()
