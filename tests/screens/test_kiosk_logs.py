"""What a kiosk process writes to its journal (stderr) and Kivy's log file never holds a full
card number or chip UID: a fresh process sets its logging up as ``opet-kiosk`` does, under the
station's Kivy log mode (MIXED, see deploy/kiosk/opet-kiosk.service) and a developer's (KIVY)."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.deploy.helpers import REPO

NUMBER = "7000070012806566"
UID = "04A1B2C3D4E5F6"


@pytest.mark.parametrize("mode", ["MIXED", "KIVY"])
def test_the_kiosk_process_logs_neither_a_full_number_nor_a_uid(tmp_path: Path, mode: str) -> None:
    env = {**os.environ, "KIVY_LOG_MODE": mode, "KIVY_HOME": str(tmp_path), "KIVY_NO_ARGS": "1"}
    env.pop("KIVY_NO_FILELOG", None)
    child = subprocess.run(
        [sys.executable, "-m", "tests.screens.log_child", NUMBER, UID],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=60, check=False,
    )
    logs = child.stderr + "".join(path.read_text() for path in (tmp_path / "logs").glob("*"))
    assert child.returncode == 1, logs  # the uncaught exception ended it
    assert NUMBER not in logs and UID not in logs
    if mode == "KIVY":  # under MIXED, urllib3's own NullHandler keeps its warnings out of the journal
        assert "Retrying" in logs and "/v1/cards/by-uid/…E5F6?entry=tapped" in logs
    assert "look-up failed" in logs and "Max retries exceeded with url: /v1/cards/by-uid/…E5F6" in logs
    assert "ValueError: thread read card •••• •••• •••• 6566" in logs
    assert "ValueError: main thread read card •••• •••• •••• 6566" in logs
