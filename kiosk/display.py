"""Screen geometry: how big a millimetre and a layout unit are on the configured screen."""
from __future__ import annotations

import math
from dataclasses import dataclass

DESIGN_SHORT_SIDE_PX = 800
"""Layouts are drawn for a screen whose short side is 800 px (1280x800) and scale from there."""


@dataclass(frozen=True)
class DisplayMetrics:
    dpi: float
    density: float


def display_metrics(width: int, height: int, diagonal_inches: float) -> DisplayMetrics:
    """Pixels per inch of the physical screen (so 15 mm is 15 mm) and the layout scale."""
    if width <= 0 or height <= 0 or diagonal_inches <= 0:
        raise ValueError("screen width, height and diagonal must be positive")
    dpi = math.hypot(width, height) / diagonal_inches
    return DisplayMetrics(dpi=dpi, density=min(width, height) / DESIGN_SHORT_SIDE_PX)
