"""Kivy settings that must be made before Kivy creates its window."""
from __future__ import annotations

import os

from kiosk.display import display_metrics


def configure_kivy(width: int, height: int, diagonal_inches: float, fullscreen: bool) -> None:
    """Window size, physical metrics (``mm()`` is true to size), and kiosk behaviour:
    no exit on Escape, no multitouch emulation on right click, a modest frame cap (lowered
    further while idle: screens.frame_pacing), no multisampling."""
    metrics = display_metrics(width, height, diagonal_inches)
    os.environ.setdefault("KIVY_NO_ARGS", "1")
    # Work scheduled from the card watcher and the network wakes the main loop at once
    # instead of waiting out the frame cap (measured by bench.kiosk_tap_to_balance).
    os.environ.setdefault("KIVY_CLOCK", "interrupt")
    os.environ["KIVY_DPI"] = f"{metrics.dpi:.1f}"
    os.environ["KIVY_METRICS_DENSITY"] = f"{metrics.density:.3f}"

    from kivy.config import Config

    Config.set("graphics", "fullscreen", "auto" if fullscreen else "0")
    Config.set("graphics", "width", str(width))
    Config.set("graphics", "height", str(height))
    Config.set("graphics", "maxfps", "30")
    # No multisampling: under software GL (llvmpipe, no GPU) 2x MSAA cost ~35 ms of CPU per
    # frame even for an empty 1280x800 window (bench.kiosk_idle_cpu); edges that need
    # smoothing are drawn with Kivy's Smooth* instructions instead.
    Config.set("graphics", "multisamples", "0")
    Config.set("kivy", "exit_on_escape", "0")
    Config.set("input", "mouse", "mouse,disable_multitouch")
