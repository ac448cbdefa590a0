"""The real kiosk app under Xvfb, wired to the real central service and real pcscd.

Kivy's Window is process-global, so one app serves every test of this package (session
scope); an autouse fixture brings it back to the attract screen between tests. Kivy is
imported only inside fixtures, after the Xvfb rig has set DISPLAY.
"""
from __future__ import annotations

import os
import socket
import subprocess
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.rigs.network_path import NetworkPath
from tests.rigs.xvfb import XDisplay, screenshot_dir

HANG_S = 30.0
"""Bounds a wait that would otherwise hang; waits end long before it (never a measure of speed)."""
UI_IDLE_TIMEOUT_SECONDS = 3.0
UI_REMOVAL_LINGER_SECONDS = 1.5
SCREEN_DIAGONAL_INCHES = 15.6
KIOSK_READER = 1
TECHNICIAN_CODE = "1001"  # the demo attendant is also this kiosk's technician
"""The kiosk watches the second virtual reader only, so the hardware tests' cards on the
first one never reach it (they may run at the same time on a developer's machine)."""


@pytest.fixture(scope="session")
def service_path(central_service) -> Iterator[NetworkPath]:
    """The kiosk reaches the central service through this relay, which tests can cut."""
    path = NetworkPath(int(central_service.base_url.rsplit(":", 1)[1]))
    path.restore()
    yield path
    path.cut()


@pytest.fixture(scope="session")
def kiosk_ui(
    xvfb_display: XDisplay, pcscd, central_service, service_path: NetworkPath, tmp_path_factory: pytest.TempPathFactory
) -> Iterator["KioskUnderTest"]:
    config_file = tmp_path_factory.mktemp("kiosk") / "kiosk.toml"
    config_file.write_text(
        f'[service]\nurl = "{service_path.url}"\ntoken = "{central_service.token}"\n'
        "timeout_seconds = 2\nretries = 1\nheartbeat_seconds = 1\n"
        "probe_seconds = 1\nprobe_when_down_seconds = 1\n"
        f"[screen]\nidle_timeout_seconds = {UI_IDLE_TIMEOUT_SECONDS}\n"
        f"removal_linger_seconds = {UI_REMOVAL_LINGER_SECONDS}\n"
        f"width = {xvfb_display.width}\nheight = {xvfb_display.height}\n"
        f"diagonal_inches = {SCREEN_DIAGONAL_INCHES}\n"
        f'[reader]\nname_filter = "{pcscd.readers[KIOSK_READER]}"\nprofiles = ["iso7816", "uid"]\n'
        f'[attendant]\ntechnician_codes = ["{TECHNICIAN_CODE}"]\n',
        encoding="utf-8",
    )
    from kiosk.config import load_config
    from screens.kivy_setup import configure_kivy

    config = load_config(config_file, environ={})
    configure_kivy(config.screen.width, config.screen.height, SCREEN_DIAGONAL_INCHES, fullscreen=False)
    from kivy.config import Config

    Config.set("graphics", "position", "custom")
    Config.set("graphics", "left", "0")
    Config.set("graphics", "top", "0")

    from screens.app import CardInput, KioskApp
    from tests.ui.kivy_driver import KivyDriver

    # A real sd_notify socket, as systemd gives a Type=notify unit with WatchdogSec=2.
    notify_path = tmp_path_factory.mktemp("systemd") / "notify"
    notify_socket = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    notify_socket.bind(str(notify_path))
    notify_socket.setblocking(False)
    os.environ.update(NOTIFY_SOCKET=str(notify_path), WATCHDOG_USEC="2000000")

    timers = HeldTimers()
    driver = KivyDriver(KioskApp(config, card_input=CardInput.READER, config_path=str(config_file), scheduler=timers))
    driver.start()
    kiosk = KioskUnderTest(driver, screenshot_dir(), notify_socket, timers)
    driver.pump_until(lambda: driver.app.runtime.watcher is not None and bool(driver.app.runtime.watcher.readers), HANG_S, "the card watcher sees the readers")
    try:
        yield kiosk
    finally:
        driver.stop()
        notify_socket.close()
        for name in ("NOTIFY_SOCKET", "WATCHDOG_USEC"):
            os.environ.pop(name)


@pytest.fixture(autouse=True)
def _back_to_attract(request: pytest.FixtureRequest) -> Iterator[None]:
    yield
    if "kiosk_ui" in request.fixturenames:
        kiosk: KioskUnderTest = request.getfixturevalue("kiosk_ui")
        kiosk.session.go_home()
        kiosk.session.set_language("tr")
        kiosk.driver.pump(0.1)


class HeldTimers:
    """The app's scheduler for the core's timers (the idle timeout, the removal linger, the
    reading timeout, the attendant desk's idle close) on a clock only the test moves.

    A loaded machine can then never let a timer run out between two clicks of a test (a slow
    frame once sent the kiosk home mid-typing, and the next click landed on the attract
    screen). A test that wants time to pass says so with :meth:`run_next`, which also tells
    which timer it was (the linger or the idle timeout). Everything else (heartbeats, probes,
    frames) stays on Kivy's Clock, as in the product."""

    def __init__(self) -> None:
        self.now = 0.0
        self.fired: list[float] = []
        self._pending: list[HeldTimer] = []

    def call_later(self, delay: float, callback: Callable[[], None]) -> HeldTimer:
        timer = HeldTimer(self.now + delay, delay, callback, self._pending)
        self._pending.append(timer)
        return timer

    def pending(self) -> list[float]:
        """The delays of the timers armed now, soonest first."""
        return [timer.delay for timer in sorted(self._pending, key=lambda timer: timer.due)]

    def run_next(self) -> float:
        """Moves the clock to the soonest armed timer and runs it (here, on the UI thread);
        returns the delay it was armed with."""
        assert self._pending, "no timer is armed"
        timer = min(self._pending, key=lambda timer: timer.due)
        timer.cancel()
        self.now = timer.due
        self.fired.append(timer.delay)
        timer.callback()
        return timer.delay


@dataclass(eq=False)
class HeldTimer:
    """One armed timer of :class:`HeldTimers` (in ``armed`` until it runs or is cancelled)."""

    due: float
    delay: float
    callback: Callable[[], None]
    armed: list[HeldTimer]

    def cancel(self) -> None:
        if self in self.armed:
            self.armed.remove(self)


class KioskUnderTest:
    """The running app, with the ways a person would use and see it."""

    def __init__(self, driver, shots: Path, notify_socket: socket.socket, timers: HeldTimers) -> None:
        self.driver = driver
        self.timers = timers
        self.app = driver.app
        self.session = driver.app.session
        self.shots = shots
        self._notify_socket = notify_socket

    def systemd_messages(self) -> list[str]:
        """What the app has sent to its NOTIFY_SOCKET since the last call."""
        messages = []
        while True:
            try:
                messages.append(self._notify_socket.recv(4096).decode())
            except BlockingIOError:
                return messages

    @property
    def screen(self) -> str:
        return self.app.root.ids.manager.current

    def wait_for_screen(self, name: str, timeout: float = HANG_S) -> float:
        """Pump frames until ``name`` is shown; the seconds it took (for a print, never an assert)."""
        try:
            return self.driver.pump_until(lambda: self.screen == name, timeout, f"screen {name!r}")
        except AssertionError as missed:
            self.screenshot(f"missed-{name}")
            raise AssertionError(
                f"{missed}; showing {self.screen!r}, session {self.session.state}, desk {self.app.desk.state.step}"
            ) from None

    def let_the_linger_run_out(self) -> None:
        """A tapped card has left the reader: once the kiosk has heard so from pcscd (the linger
        is then the timer armed, in place of the idle timeout), the linger runs out and the
        kiosk goes home."""
        self._run_out(self.app.kiosk_config.screen.removal_linger_seconds, "the removal linger")

    def let_the_idle_timeout_run_out(self) -> None:
        """Nobody touches the kiosk: the idle timeout (the timer armed) runs out, the kiosk goes home."""
        self._run_out(self.app.kiosk_config.screen.idle_timeout_seconds, "the idle timeout")

    def _run_out(self, delay: float, what: str) -> None:
        self.driver.pump_until(lambda: self.timers.pending() == [delay], HANG_S, f"{what} armed")
        assert self.timers.run_next() == delay
        self.wait_for_screen("attract")

    @property
    def banner(self) -> str:
        return self.app.root.banner

    def texts(self) -> list[str]:
        return self.driver.visible_texts()

    def widget(self, widget_id: str, screen: str | None = None):
        owner = self.app.root if screen is None else self.app.root.ids.manager.get_screen(screen)
        return owner.ids[widget_id]

    def click(self, widget) -> None:
        """A real mouse click through the X server (xdotool) at the widget's centre; returns
        once the app has handled the release (llvmpipe frames can take a while)."""
        from kivy.core.window import Window

        released: list[bool] = []

        def on_release(_window: object, touch) -> None:
            released.append(widget.collide_point(*widget.to_widget(*touch.pos)))

        x, y = widget.to_window(*widget.center)
        Window.fbind("on_touch_up", on_release)
        try:
            # No --sync: xdotool then waits forever when the pointer is already there.
            subprocess.run(
                ["xdotool", "mousemove", str(int(x)), str(int(Window.height - y)), "click", "1"],
                check=True,
                timeout=10,
            )
            self.driver.pump_until(lambda: bool(released), HANG_S, "the click reaching the app")
        finally:
            Window.funbind("on_touch_up", on_release)
        # A layout change between finding the widget and the click (a banner coming or going)
        # would make the click land beside it: say so rather than wait for its effect in vain.
        assert released[0], f"the click missed {getattr(widget, 'text', widget)!r}: it moved before the click"
        self.driver.pump(0.05)

    def click_text(self, text: str) -> None:
        """Click the visible button that shows exactly ``text``."""
        from kivy.uix.button import Button

        for candidate in self.driver.visible_widgets():
            if isinstance(candidate, Button) and candidate.text == text and not candidate.disabled:
                self.click(candidate)
                return
        raise AssertionError(f"no button {text!r} on screen; visible: {self.texts()}")

    def screenshot(self, name: str) -> Path:
        return self.driver.screenshot(self.shots / f"{name}.png")


@pytest.fixture
def tap(pcscd):
    """``with tap("7000..."):`` holds an emulated card on the kiosk's reader."""
    return lambda card: pcscd.tap(card, port=pcscd.ports[KIOSK_READER])
