"""What the running kiosk tells the systems around it: systemd (readiness and a watchdog fed
from the UI thread) and the central service (fleet heartbeats)."""
import threading

import httpx
import pytest

from kiosk import systemd_notify
from tests.ui.conftest import HANG_S

pytestmark = pytest.mark.ui


def test_systemd_hears_ready_then_watchdog_pings_from_the_ui_loop(kiosk_ui, monkeypatch: pytest.MonkeyPatch) -> None:
    # Earlier tests left the notify socket unread: its queue filled and pings failed. They
    # must resume once systemd reads again (a failed ping must not end the pinging).
    seen: list[str] = []
    kiosk_ui.driver.pump_until(
        lambda: seen.extend(kiosk_ui.systemd_messages()) or any("WATCHDOG=1" in m for m in seen), HANG_S, "a watchdog ping"
    )
    assert any(m.startswith("READY=1") for m in seen)
    # A frozen UI sends no pings: every ping is sent by the thread that runs the UI loop
    # (this test's thread, which pumps the frames), none by a thread of its own.
    senders: list[threading.Thread] = []
    ping = systemd_notify.watchdog

    def noted_ping(environ=None) -> bool:
        senders.append(threading.current_thread())
        return ping(environ)

    monkeypatch.setattr(systemd_notify, "watchdog", noted_ping)
    kiosk_ui.systemd_messages()
    kiosk_ui.driver.pump_until(lambda: len(senders) >= 2, HANG_S, "two more watchdog pings")
    assert set(senders) == {threading.current_thread()}
    assert any("WATCHDOG=1" in m for m in kiosk_ui.systemd_messages())  # the noted pings went out


def test_the_kiosk_beats_to_the_central_service(kiosk_ui, central_service) -> None:
    def last_beat() -> float:
        metrics = httpx.get(f"{central_service.base_url}/metrics", timeout=5).text
        for line in metrics.splitlines():
            if line.startswith("opet_central_device_last_heartbeat_timestamp_seconds") and 'device="rig-kiosk"' in line:
                return float(line.rsplit(" ", 1)[1])
        return 0.0

    first = last_beat()
    kiosk_ui.driver.pump_until(lambda: last_beat() > first, HANG_S, "a newer heartbeat at the service")
