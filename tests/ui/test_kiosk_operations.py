"""What the running kiosk tells the systems around it: systemd (readiness and a watchdog fed
from the UI thread) and the central service (fleet heartbeats)."""
import time

import httpx
import pytest

pytestmark = pytest.mark.ui


def test_systemd_hears_ready_then_watchdog_pings_from_the_ui_loop(kiosk_ui) -> None:
    # Earlier tests left the notify socket unread: its queue filled and pings failed. They
    # must resume once systemd reads again (a failed ping must not end the pinging).
    seen: list[str] = []
    kiosk_ui.driver.pump_until(
        lambda: seen.extend(kiosk_ui.systemd_messages()) or any("WATCHDOG=1" in m for m in seen), 5.0, "a watchdog ping"
    )
    assert any(m.startswith("READY=1") for m in seen)
    kiosk_ui.systemd_messages()
    time.sleep(2.5)  # the UI loop is not pumped: a frozen UI sends no pings
    assert not any("WATCHDOG=1" in m for m in kiosk_ui.systemd_messages())
    kiosk_ui.driver.pump(1.2)
    assert any("WATCHDOG=1" in m for m in kiosk_ui.systemd_messages())


def test_the_kiosk_beats_to_the_central_service(kiosk_ui, central_service) -> None:
    def last_beat() -> float:
        metrics = httpx.get(f"{central_service.base_url}/metrics", timeout=5).text
        for line in metrics.splitlines():
            if line.startswith("opet_central_device_last_heartbeat_timestamp_seconds") and 'device="rig-kiosk"' in line:
                return float(line.rsplit(" ", 1)[1])
        return 0.0

    first = last_beat()
    kiosk_ui.driver.pump(2.2)
    assert last_beat() > max(first, time.time() - 10)
