"""Kivy's main loop at the frame cap only while the kiosk is being used; nearly asleep otherwise.

Kivy's loop runs up to ``maxfps`` times a second even when nothing changes (about 1.5 % of a
core at 30 fps under software GL, measured by bench.kiosk_idle_cpu). With ``KIVY_CLOCK=interrupt``
(screens.kivy_setup) the clock's sleep ends early for work scheduled from any thread and for
timers that fall due, so card and network events and the tap hint's steps need no polling. The
only thing the loop still polls for is input: SDL reads X events only when the loop turns.

So while the kiosk is idle the cap drops to ``idle_fps``, and a small thread watches the X
server's connection: as soon as it has something to read, the loop is woken to let SDL read it.
Input (a touch, a click, a key) sets the pace back to ``busy_fps`` until ``linger`` seconds
pass without any; so does the app when the session's state changes (``busy()``). Without an X11 window (e.g. offscreen or KMSDRM)
the pacing stays off and the configured ``maxfps`` holds.

The cap is the clock's ``_max_fps``, which Kivy reads at every frame; Kivy has no public setter.
"""
from __future__ import annotations

import ctypes
import ctypes.util
import logging
import os
import select
import threading
from typing import Any

from kivy.clock import Clock

log = logging.getLogger(__name__)

# SDL's input events (read from the X connection), and every touch or click the input
# providers dispatch (e.g. a touchscreen read directly from /dev/input).
_WINDOW_INPUT_EVENTS = (
    "on_mouse_down", "on_mouse_move", "on_mouse_up", "on_key_down", "on_key_up", "on_textinput", "on_motion",
)


def x_connection_fd(window: Any) -> int | None:
    """The file descriptor of the window's X server connection, or None if it has none."""
    info = window.get_window_info() if hasattr(window, "get_window_info") else None
    display = getattr(info, "display", None)
    if not display:
        return None
    library = ctypes.util.find_library("X11")
    if library is None:
        return None
    xlib = ctypes.CDLL(library)
    xlib.XConnectionNumber.argtypes = [ctypes.c_void_p]
    xlib.XConnectionNumber.restype = ctypes.c_int
    fd = xlib.XConnectionNumber(ctypes.c_void_p(display))
    return fd if fd >= 0 else None


class FramePacer:
    """Lowers Kivy's frame cap while no input arrives; any input restores it at once."""

    def __init__(self, window: Any, busy_fps: float = 30.0, idle_fps: float = 1.0, linger: float = 1.5) -> None:
        self._window = window
        self.busy_fps = busy_fps
        self.idle_fps = idle_fps
        self._go_idle = Clock.create_trigger(lambda _dt: self._set_fps(self.idle_fps), linger)
        self._served = threading.Event()
        self._stop_read, self._stop_write = os.pipe()
        self._thread: threading.Thread | None = None

    @property
    def active(self) -> bool:
        return self._thread is not None

    def start(self) -> bool:
        """Start pacing; False (and the configured cap kept) when there is no X connection to watch."""
        fd = x_connection_fd(self._window)
        if fd is None:
            log.info("frame pacing off: no X11 connection to watch for input")
            return False
        for event in _WINDOW_INPUT_EVENTS:
            self._window.fbind(event, self._input_seen)
        # The clock's resolution is 1/(3 maxfps) unless set: at 1 fps it would be 0.33 s, and
        # the interrupt clock would spin instead of sleeping whenever a timer is due within ~0.6 s.
        Clock.clock_resolution = 1 / (3 * self.busy_fps)
        self._thread = threading.Thread(target=self._watch, args=(fd,), name="input-waker", daemon=True)
        self._thread.start()
        self._go_idle()
        return True

    def stop(self) -> None:
        """Idempotent: Kivy dispatches on_stop twice when the app stops itself (stop(), then run()'s end)."""
        if self._stop_read < 0:
            return
        if self._thread is not None:
            os.write(self._stop_write, b"x")
            self._served.set()
            self._thread.join(2.0)
            self._thread = None
        os.close(self._stop_read)
        os.close(self._stop_write)
        self._stop_read = self._stop_write = -1
        self._go_idle.cancel()
        self._set_fps(self.busy_fps)
        Clock.clock_resolution = -1

    def busy(self) -> None:
        """Run at the busy pace for a while (UI thread)."""
        self._set_fps(self.busy_fps)
        self._go_idle.cancel()
        self._go_idle()

    def _input_seen(self, *_args: object) -> None:
        # Called from Window.mainloop() after the clock's sleep: waking the clock here makes the
        # next frame dispatch this input at once instead of after the sleep.
        self.busy()
        Clock.schedule_once(_nothing, 0)

    def _set_fps(self, fps: float) -> None:
        Clock._max_fps = fps

    def _served_on_ui(self, _dt: float) -> None:
        # Only a wake-up: the X connection also carries the replies and events of drawing
        # itself (every buffer swap). Real input reaches _input_seen when SDL reads it.
        self._served.set()

    def _watch(self, fd: int) -> None:
        """Wake the UI loop whenever the X connection has data; then wait until the loop has
        turned (it reads the connection right after the clock tick that served the wake-up)."""
        while True:
            readable, _, _ = select.select([fd, self._stop_read], [], [])
            if self._stop_read in readable:
                return
            self._served.clear()
            Clock.schedule_once(self._served_on_ui, 0)
            self._served.wait()


def _nothing(_dt: float) -> None:
    """A no-op: scheduling it wakes the interrupt clock."""
