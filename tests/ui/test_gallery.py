"""Every screen at every supported size and orientation, each size a test of its own in a process
of its own (Kivy's window size is fixed per process; parallel workers take the sizes side by
side): touch targets >= 15 mm, no overflowing text, no full card number on screen. The
screenshots land in tests/artifacts/screenshots/gallery."""
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.rigs.pcsc import SOCKET_ENV
from tests.rigs.xvfb import screenshot_dir

pytestmark = pytest.mark.ui

SIZES = ("1280x800", "1920x1080", "1080x1920", "800x1280")


def render(size: str, tmp_path: Path) -> dict:
    result = subprocess.run(
        [sys.executable, "-m", "tests.ui.gallery", "--size", size, "--out", str(screenshot_dir() / "gallery")],
        capture_output=True,
        text=True,
        timeout=300,
        env={k: v for k, v in os.environ.items() if k not in ("NOTIFY_SOCKET", "WATCHDOG_USEC", "DISPLAY")}
        | {SOCKET_ENV: str(tmp_path / "no-pcscd.comm")},  # no pcscd: the technician's check says so, every run
    )
    assert result.stdout, f"gallery {size} printed nothing: {result.stderr[-3000:]}"
    return json.loads(result.stdout)


@pytest.mark.timeout(600)  # 74 scenes: ~40 s on a quiet machine
@pytest.mark.parametrize("size", SIZES)
def test_every_screen_passes_the_checks(size: str, tmp_path: Path) -> None:
    summary = render(size, tmp_path)
    problems = {scene["name"]: scene["problems"] for scene in summary["scenes"] if scene["problems"]}
    assert problems == {}, f"{summary['size']}: {problems}"
    # 23 driver scenes, 24 of attendant mode, 2 of the technician's self-test; issue 17's dead
    # ends: 10 driver scenes in each language, the service-down call in English, 2 of a
    # blocked card's replacement in each language
    assert len(summary["scenes"]) == 74
