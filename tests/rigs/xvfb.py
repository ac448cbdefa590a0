"""Xvfb rig: a private X display for the UI tests, and the Kivy environment they need.

Kivy's Window is created when ``kivy.core.window`` is first imported, so UI test modules
import the app inside fixtures, after this rig has set ``DISPLAY``.
"""
from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

SCREEN_SIZE = (1280, 800)


@dataclass(frozen=True)
class XDisplay:
    name: str
    width: int
    height: int


def start_xvfb(width: int, height: int) -> tuple[subprocess.Popen[bytes], str]:
    """Xvfb on a free display number (it picks and tells it); returns it and ``":N"``."""
    if shutil.which("Xvfb") is None:
        raise RuntimeError("Xvfb is not installed: run scripts/bootstrap.sh --test")
    read_fd, write_fd = os.pipe()
    process = subprocess.Popen(
        ["Xvfb", "-displayfd", str(write_fd), "-screen", "0", f"{width}x{height}x24", "-nolisten", "tcp", "-noreset"],
        pass_fds=(write_fd,),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    os.close(write_fd)
    with os.fdopen(read_fd) as pipe:
        number = pipe.readline().strip()
    if not number:
        process.kill()
        raise RuntimeError("Xvfb did not start")
    return process, f":{number}"


@pytest.fixture(scope="session")
def xvfb_display(tmp_path_factory: pytest.TempPathFactory) -> Iterator[XDisplay]:
    """Start Xvfb on a free display number; point DISPLAY and Kivy's settings at it."""
    width, height = SCREEN_SIZE
    try:
        process, display = start_xvfb(width, height)
    except RuntimeError as exc:
        pytest.fail(str(exc))
    kivy_home = tmp_path_factory.mktemp("kivy-home")
    saved = {key: os.environ.get(key) for key in _KIVY_ENV}
    os.environ.update(
        DISPLAY=display,
        KIVY_HOME=str(kivy_home),
        KIVY_NO_ARGS="1",
        KIVY_LOG_MODE="MIXED",
        KIVY_USE_DEFAULTCONFIG="1",
        KIVY_NO_FILELOG="1",
        SDL_VIDEODRIVER="x11",
    )
    try:
        yield XDisplay(display, width, height)
    finally:
        process.terminate()
        process.wait(timeout=10)
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


_KIVY_ENV = ("DISPLAY", "KIVY_HOME", "KIVY_NO_ARGS", "KIVY_LOG_MODE", "KIVY_USE_DEFAULTCONFIG", "KIVY_NO_FILELOG", "SDL_VIDEODRIVER")


def screenshot_dir() -> Path:
    """Where UI tests save what they saw (kept after the run, ignored by git)."""
    path = Path(__file__).resolve().parents[1] / "artifacts" / "screenshots"
    path.mkdir(parents=True, exist_ok=True)
    return path
