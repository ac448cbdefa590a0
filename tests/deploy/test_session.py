"""deploy/kiosk/session (xinit's client on a station) on a real X server (Xvfb): it turns
blanking and DPMS off and starts the app fullscreen at the screen's own size."""
from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.deploy.helpers import DEPLOY, require_tool, run

WIDTH, HEIGHT = 1366, 768  # not Kivy's default size, so the script must have asked X


@pytest.fixture
def display() -> Iterator[str]:
    """Xvfb with -noreset, as the unit starts Xorg (settings survive the xset clients leaving)."""
    xvfb = require_tool("Xvfb")
    read_fd, write_fd = os.pipe()
    process = subprocess.Popen(
        [xvfb, "-displayfd", str(write_fd), "-screen", "0", f"{WIDTH}x{HEIGHT}x24", "-nolisten", "tcp", "-noreset"],
        pass_fds=(write_fd,), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    os.close(write_fd)
    with os.fdopen(read_fd) as pipe:
        number = pipe.readline().strip()
    try:
        assert number, "Xvfb did not start"
        yield f":{number}"
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_session_starts_the_app_at_screen_size_with_blanking_off(display: str, tmp_path: Path) -> None:
    # The app itself is stood in for by a script that notes its arguments and the X settings it
    # finds, which is all the session script decides.
    stand_in = tmp_path / "bin/opet-kiosk"
    stand_in.parent.mkdir()
    stand_in.write_text(f'#!/bin/sh\nprintf "%s\\n" "$@" > {tmp_path}/argv\nxset q > {tmp_path}/xset\n')
    stand_in.chmod(0o755)
    env = {**os.environ, "DISPLAY": display, "PATH": f"{stand_in.parent}:{os.environ['PATH']}"}

    result = run(["bash", str(DEPLOY / "kiosk/session")], env=env)

    assert result.returncode == 0, result.stderr
    argv = (tmp_path / "argv").read_text().split()
    assert argv == ["--config", "/etc/opet-kiosk/kiosk.toml", "--size", f"{WIDTH}x{HEIGHT}"]
    settings = (tmp_path / "xset").read_text()
    assert "prefer blanking:  no" in settings
    assert "timeout:  0" in settings
    # Xvfb has no DPMS extension: the script must carry on without it (a real Xorg has it).
    assert "Server does not have the DPMS Extension" in settings
