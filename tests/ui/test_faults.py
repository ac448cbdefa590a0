"""Faults while the kiosk runs: the central service unreachable or hung (the network path cut
or stalled by a real TCP relay), the service process killed, and pcscd stopped. The kiosk says
what is wrong, keeps the help screens working, never crashes, and is back to normal once the
fault ends (how soon is the service monitor's schedule, tested in tests/kiosk/test_connectivity.py;
the seconds it took here are printed, not asserted)."""
import pytest

from tests.rigs.central import running_central
from tests.ui.conftest import HANG_S

pytestmark = [pytest.mark.ui, pytest.mark.pcsc]

ACTIVE = "7000070012806566"
SERVICE_BANNER = "Paropuan sistemine şu anda ulaşılamıyor"
READER_BANNER = "Kart okuyucu yeniden başlatılıyor"


def check_help_still_works(kiosk_ui) -> None:
    kiosk_ui.session.go_home()
    kiosk_ui.driver.pump(0.1)
    kiosk_ui.click(kiosk_ui.widget("activation_button", "attract"))
    kiosk_ui.wait_for_screen("activation_help")
    kiosk_ui.click_text("Geri")
    kiosk_ui.wait_for_screen("attract")


def check_a_tap_shows_the_balance(kiosk_ui, tap) -> None:
    with tap(ACTIVE):
        kiosk_ui.wait_for_screen("balance")
        assert "1.234,56 Paropuan" in kiosk_ui.texts()


@pytest.mark.parametrize("fault", ["cut", "stall"])
def test_service_unreachable_then_back(kiosk_ui, service_path, tap, fault: str) -> None:
    getattr(service_path, fault)()
    try:
        kiosk_ui.driver.pump_until(lambda: SERVICE_BANNER in kiosk_ui.banner, HANG_S, "the service banner")
        with tap(ACTIVE):
            kiosk_ui.wait_for_screen("problem")
            assert "Bakiye şu anda gösterilemiyor" in kiosk_ui.texts()
            kiosk_ui.screenshot(f"fault-service-{fault}")
        check_help_still_works(kiosk_ui)
    finally:
        service_path.restore()
    took = kiosk_ui.driver.pump_until(lambda: kiosk_ui.banner == "", HANG_S, "recovery")
    print(f"service {fault}: normal again {took:.2f} s after the path was restored")
    check_a_tap_shows_the_balance(kiosk_ui, tap)


def test_pcscd_stopped_then_back(kiosk_ui, pcscd, tap) -> None:
    pcscd.stop()
    try:
        kiosk_ui.driver.pump_until(lambda: READER_BANNER in kiosk_ui.banner, HANG_S, "the reader banner")
        kiosk_ui.screenshot("fault-pcscd-stopped")
        check_help_still_works(kiosk_ui)
    finally:
        pcscd.start()
    took = kiosk_ui.driver.pump_until(lambda: kiosk_ui.banner == "", HANG_S, "recovery")
    print(f"pcscd: normal again {took:.2f} s after it was back")
    check_a_tap_shows_the_balance(kiosk_ui, tap)


def test_service_process_killed_then_another_takes_over(kiosk_ui, service_path, central_service, tap, tmp_path) -> None:
    """The kiosk's service is a real process that is killed; then a running service is
    back behind the same address."""
    own_port = int(central_service.base_url.rsplit(":", 1)[1])
    with running_central(f"sqlite:///{tmp_path / 'second.db'}", tmp_path) as second:
        probed = second.log_text().count("GET /healthz 200")  # the rig's own, while it started
        service_path.retarget(int(second.base_url.rsplit(":", 1)[1]))
        kiosk_ui.driver.pump_until(
            lambda: second.log_text().count("GET /healthz 200") > probed, HANG_S, "the kiosk's probe answered by the second service"
        )
        assert kiosk_ui.banner == ""
        second.process.kill()
        second.process.wait(timeout=10)
        try:
            kiosk_ui.driver.pump_until(lambda: SERVICE_BANNER in kiosk_ui.banner, HANG_S, "the service banner")
            check_help_still_works(kiosk_ui)
        finally:
            service_path.retarget(own_port)
    took = kiosk_ui.driver.pump_until(lambda: kiosk_ui.banner == "", HANG_S, "recovery")
    print(f"service killed: normal again {took:.2f} s after a service was back")
    check_a_tap_shows_the_balance(kiosk_ui, tap)
