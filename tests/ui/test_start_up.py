"""Issue 8's cold-start rule, as behaviour: the kiosk draws its attract screen before it
imports what that screen does not need (the session and its HTTP client, the worker pool, the
heartbeat, attendant mode, APDUs and card profiles, PC/SC, Babel), then builds all of that
and runs."""
import json
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.ui

NOT_BEFORE_THE_FIRST_FRAME = (
    "kiosk.session",
    "kiosk.runtime",
    "kiosk.api_client",
    "kiosk.scheduling",
    "kiosk.heartbeat",
    "kiosk.connectivity",
    "kiosk.attendant_desk",
    "hardware.watcher",
    "hardware.apdu",
    "hardware.card_number",
    "kiosk.balance",
    "hardware.profiles.iso7816",
    "concurrent.futures.thread",
    "requests",
    "urllib3",
    "babel",
    "smartcard",
    "qrcode",
)


def test_the_attract_screen_is_drawn_before_the_runtime_is_imported(xvfb_display, tmp_path: Path) -> None:
    config = tmp_path / "kiosk.toml"
    config.write_text(
        '[service]\nurl = "http://127.0.0.1:9"\ntoken = "rig"\n'
        f"[screen]\nwidth = {xvfb_display.width}\nheight = {xvfb_display.height}\n",
        encoding="utf-8",
    )
    result = subprocess.run(
        [sys.executable, "-m", "tests.ui.start_up_child", str(config)],
        capture_output=True, text=True, timeout=120, cwd=Path(__file__).resolve().parents[2],
    )
    assert result.returncode == 0 and result.stdout, result.stderr[-3000:]
    report = json.loads(result.stdout)

    first = report["first_frame"]
    assert first["screen"] == "attract" and not first["runtime_built"]
    early = sorted(name for name in NOT_BEFORE_THE_FIRST_FRAME if name in first["modules"])
    assert early == [], f"imported before the first frame: {early}"

    running = report["running"]
    assert running["screen"] == "attract"
    for name in ("kiosk.session", "kiosk.runtime", "kiosk.heartbeat", "kiosk.api_client"):
        assert name in running["modules"]
