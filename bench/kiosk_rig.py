"""Shared by the kiosk benchmarks: a private Xvfb, Kivy's environment, a kiosk.toml, /proc figures."""
from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

from tests.rigs.central import stop_process
from tests.rigs.xvfb import start_xvfb

SCREEN_SIZE = (1280, 800)
DIAGONAL_INCHES = 15.6


@contextlib.contextmanager
def xvfb(width: int = SCREEN_SIZE[0], height: int = SCREEN_SIZE[1]) -> Iterator[dict[str, str]]:
    """Starts Xvfb on a free display number; yields the environment a Kivy process needs there
    (also applied to ``os.environ`` for this process while the context lasts)."""
    process, display = start_xvfb(width, height)
    kivy_home = tempfile.TemporaryDirectory(prefix="bench-kivy-home-")
    env = {
        "DISPLAY": display,
        "KIVY_HOME": kivy_home.name,
        "KIVY_NO_ARGS": "1",
        "KIVY_LOG_MODE": "MIXED",
        "KIVY_NO_CONSOLELOG": "1",
        "KIVY_USE_DEFAULTCONFIG": "1",
        "KIVY_NO_FILELOG": "1",
        "SDL_VIDEODRIVER": "x11",
    }
    saved = {key: os.environ.get(key) for key in env}
    try:
        os.environ.update(env)
        yield env
    finally:
        stop_process(process)
        kivy_home.cleanup()
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def write_kiosk_toml(
    path: Path,
    url: str,
    token: str,
    *,
    reader_filter: str = "",
    idle_timeout: float = 30.0,
    removal_linger: float = 4.0,
    width: int = SCREEN_SIZE[0],
    height: int = SCREEN_SIZE[1],
) -> Path:
    """A kiosk.toml with station defaults for the service intervals (probe 15 s, heartbeat 60 s)."""
    reader = f'[reader]\nname_filter = "{reader_filter}"\nprofiles = ["iso7816"]\n' if reader_filter else ""
    path.write_text(
        f'[service]\nurl = "{url}"\ntoken = "{token}"\n'
        f"[screen]\nidle_timeout_seconds = {idle_timeout}\nremoval_linger_seconds = {removal_linger}\n"
        f"width = {width}\nheight = {height}\ndiagonal_inches = {DIAGONAL_INCHES}\n{reader}",
        encoding="utf-8",
    )
    return path


def child_app_args(app: str, config: Path) -> list[str]:
    """bench.kiosk_child's arguments for ``app``: the kiosk reads ``config``; the empty window
    is given the same size directly (loading the kiosk's config is part of the kiosk's cost)."""
    if app == "kiosk":
        return ["--app", "kiosk", "--config", str(config)]
    return ["--app", app, "--size", f"{SCREEN_SIZE[0]}x{SCREEN_SIZE[1]}", "--diagonal", str(DIAGONAL_INCHES)]


def cpu_seconds(pid: int | str = "self") -> float:
    """utime + stime of a process (all its threads), from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def memory_mib(pid: int | str = "self") -> tuple[float, float]:
    """(RSS, PSS) in MiB from /proc/<pid>/smaps_rollup."""
    values = {}
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
        parts = line.split()
        if len(parts) >= 2 and parts[0] in ("Rss:", "Pss:"):
            values[parts[0]] = int(parts[1]) / 1024
    return values["Rss:"], values["Pss:"]


def load_average() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f} {five:.2f} {fifteen:.2f} on {os.cpu_count()} cores"
