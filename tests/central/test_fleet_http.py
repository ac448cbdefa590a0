"""The fleet view: which kiosks are healthy, unhealthy or silent, over HTTP and in /metrics."""
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.rigs.central import CentralService, running_central

SILENT_AFTER_S = 120.0


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CentralService]:
    workdir: Path = tmp_path_factory.mktemp("fleet")
    with running_central(
        f"sqlite:///{workdir / 'central.db'}", workdir, serve_args=("--kiosk-silent-after", str(SILENT_AFTER_S))
    ) as running:
        yield running


def beat(service: CentralService, token: str, reader_state: str) -> None:
    body = {"app_version": "0.1.0", "uptime_seconds": 5, "readers": ["Virtual PCD 00 00"], "reader_state": reader_state}
    response = httpx.post(
        f"{service.base_url}/v1/kiosks/heartbeat", json=body, headers={"Authorization": f"Bearer {token}"}, timeout=5
    )
    assert response.status_code == 200


def states(service: CentralService, operations: str) -> dict[str, str]:
    response = httpx.get(f"{service.base_url}/v1/kiosks", headers={"Authorization": f"Bearer {operations}"}, timeout=5)
    assert response.status_code == 200
    return {kiosk["name"]: kiosk["state"] for kiosk in response.json()["kiosks"]}


def kiosk_gauge(service: CentralService) -> dict[str, float]:
    metrics = httpx.get(f"{service.base_url}/metrics", timeout=5).text
    return {
        line.split('state="')[1].split('"')[0]: float(line.rsplit(" ", 1)[1])
        for line in metrics.splitlines()
        if line.startswith("opet_central_kiosks{")
    }


def test_healthy_unhealthy_and_silent_kiosks(service: CentralService) -> None:
    operations = service.add_device("operations", "ops portal")
    good, broken = service.add_device("kiosk", "island 1"), service.add_device("kiosk", "island 2")
    service.add_device("kiosk", "island 3")  # never beats
    beat(service, good, "ready")
    beat(service, broken, "no_reader")
    seen = states(service, operations)
    assert (seen["island 1"], seen["island 2"], seen["island 3"]) == ("healthy", "unhealthy", "silent")
    assert kiosk_gauge(service)["unhealthy"] >= 1
    service.advance_clock(SILENT_AFTER_S + 1)
    assert states(service, operations)["island 1"] == "silent"
    beat(service, good, "ready")
    assert states(service, operations)["island 1"] == "healthy"


def test_only_operations_sees_the_fleet(service: CentralService) -> None:
    response = httpx.get(f"{service.base_url}/v1/kiosks", headers={"Authorization": f"Bearer {service.token}"}, timeout=5)
    assert response.status_code == 403
