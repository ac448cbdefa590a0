"""The service monitor against the real central service behind a real TCP relay."""
import time
from collections.abc import Iterator

import pytest

from kiosk.api_client import CentralClient
from kiosk.connectivity import ServiceMonitor
from kiosk.transport import ServiceTransport
from tests.kiosk.ui_thread import UiQueue
from tests.rigs.network_path import NetworkPath


@pytest.fixture
def path(central_service) -> Iterator[NetworkPath]:
    relay = NetworkPath(int(central_service.base_url.rsplit(":", 1)[1]))
    relay.restore()
    yield relay
    relay.cut()


@pytest.mark.parametrize("fault", ["cut", "stall"])
def test_the_monitor_notices_an_outage_and_the_recovery_quickly(path: NetworkPath, central_service, fault: str) -> None:
    ui = UiQueue()
    changes: list[bool] = []
    client = CentralClient(ServiceTransport(path.url, central_service.token, timeout_seconds=0.5))
    monitor = ServiceMonitor(client.healthy, changes.append, ui.dispatch, up_interval=30.0, down_interval=0.5)
    monitor.start()
    try:
        ui.pump_for(0.3)
        assert changes == []  # reachable from the start: nothing to report
        getattr(path, fault)()
        monitor.suspect()  # as a failed look-up does; otherwise the next probe is 30 s away
        ui.pump_until(lambda: changes == [False], timeout=3)
        path.restore()
        restored = time.monotonic()
        ui.pump_until(lambda: changes == [False, True], timeout=3)
        assert time.monotonic() - restored < 2.0
    finally:
        monitor.stop()
        client.close()


def test_healthy_is_one_quick_try(path: NetworkPath, central_service) -> None:
    client = CentralClient(ServiceTransport(path.url, central_service.token, timeout_seconds=0.5, retries=5))
    assert client.healthy()
    path.stall()
    started = time.monotonic()
    assert not client.healthy()
    assert time.monotonic() - started < 1.0  # retries are for look-ups, not probes
    client.close()
