"""Runs the real Kivy app frame by frame inside the test process, under Xvfb.

The test thread is the UI thread: it pumps Kivy's event loop one frame at a time while cards, the network and X input events arrive from other threads and
processes. Assertions read what the widgets show; screenshots are taken from the X
display itself, i.e. the pixels a driver would see.
"""
from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path
from collections.abc import Callable, Iterator

from kivy.app import App
from kivy.base import EventLoop, runTouchApp
from kivy.uix.label import Label
from kivy.uix.widget import Widget


class KivyDriver:
    def __init__(self, app: App) -> None:
        self.app = app

    def start(self) -> None:
        # App.run() is _run_prepare() + runTouchApp() (input providers, then the blocking
        # loop); runTouchApp(embedded=True) starts the providers and leaves the loop to us.
        self.app._run_prepare()
        runTouchApp(embedded=True)
        # The kiosk builds its runtime (session, card watcher) once its first frame is drawn.
        self.pump_until(lambda: self.app.session is not None, 60.0, "the kiosk's runtime, built after its first frame")
        self.pump(0.3)

    def stop(self) -> None:
        """Stop the app (its on_stop stops the card watcher and the worker pool); no frame
        is pumped afterwards, since kv rules must not run without a running app."""
        self.app.stop()

    @staticmethod
    def frame() -> None:
        """One turn of Kivy's main loop: clock, input, drawing, then the window's queued
        SDL events (mouse, keyboard), exactly as ``EventLoop.mainloop()`` does."""
        EventLoop.idle()
        if EventLoop.window is not None:
            EventLoop.window.mainloop()

    def pump(self, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            self.frame()

    def pump_until(self, condition: Callable[[], bool], timeout: float = 5.0, what: str = "condition") -> float:
        """Pump frames until ``condition()``; return the seconds it took."""
        start = time.monotonic()
        while not condition():
            if time.monotonic() - start > timeout:
                raise AssertionError(f"{what} not reached within {timeout} s")
            self.frame()
        return time.monotonic() - start

    def visible_widgets(self) -> Iterator[Widget]:
        """Every widget a person can see now: the shown screen (by name, so a screen being
        switched away from does not count), the bars around it, nothing transparent."""
        manager = self.app.root.ids.manager.__self__  # ids hold weak proxies; `is` needs the widget

        def walk(widget: Widget) -> Iterator[Widget]:
            if widget.opacity <= 0:
                return
            yield widget
            children = [manager.get_screen(manager.current)] if widget is manager else widget.children
            for child in children:
                yield from walk(child)

        return walk(self.app.root)

    def visible_texts(self) -> list[str]:
        """The text of every label now on screen (buttons are labels too)."""
        return [w.text for w in self.visible_widgets() if isinstance(w, Label) and w.text]

    def screenshot(self, path: Path) -> Path:
        """Capture the app's window as the X display shows it (a few frames drawn first)."""
        from kivy.core.window import Window

        self.pump(0.15)
        width, height = Window.size
        subprocess.run(
            ["import", "-display", os.environ["DISPLAY"], "-window", "root",
             "-crop", f"{width}x{height}+0+0", "+repage", str(path)],
            check=True,
            timeout=20,
        )
        return path
