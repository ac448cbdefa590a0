"""Idle CPU of the kiosk run by Kivy's own main loop: on the attract screen (tap animation
running) and on the balance screen (static), beside an empty Kivy window of the same size.

    .venv/bin/python -m bench.kiosk_idle_cpu [--seconds 60] [--settle 2]

Each case is a fresh ``python -m bench.kiosk_child`` (what ``opet-kiosk --windowed
--keypad-only`` does) on a private Xvfb (1280x800), talking to the real central service on a
temporary SQLite database with the station's default intervals (health probe every 15 s,
heartbeat every 60 s; both included in the figure). The balance screen is reached by a real
look-up of the demo card 7000070012806566 (idle timeout set to an hour so it stays). CPU =
utime + stime of the child (all threads) from /proc/<pid>/stat over --seconds, starting
--settle seconds after the screen was drawn; printed as % of one core. Cases run one after
another, never at the same time.
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.kiosk_rig import child_app_args, cpu_seconds, load_average, stop_process, write_kiosk_toml, xvfb
from tests.rigs.central import running_central

CASES = (
    ("kiosk attract (animated)", "kiosk", "attract", 1.0),
    ("kiosk balance (static)", "kiosk", "balance", 0.2),
    ("empty Kivy window", "empty", "attract", None),
)


def idle_cpu(app: str, screen: str, config: Path, seconds: float, settle: float) -> tuple[float, float]:
    """(CPU seconds, wall seconds) of one child over the measured period."""
    child = subprocess.Popen(
        [sys.executable, "-m", "bench.kiosk_child", *child_app_args(app, config), "--screen", screen],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        stdin=subprocess.DEVNULL,
        text=True,
        cwd=Path(__file__).resolve().parents[1],
    )
    try:
        wanted = "BALANCE_DRAWN" if screen == "balance" else "FIRST_FRAME"
        while not (line := child.stdout.readline()).startswith(wanted):
            if not line:
                raise RuntimeError(f"{app}/{screen}: child exited with {child.wait(timeout=10)} before {wanted}")
        time.sleep(settle)
        cpu0, wall0 = cpu_seconds(child.pid), time.monotonic()
        time.sleep(seconds)
        cpu1, wall1 = cpu_seconds(child.pid), time.monotonic()
        if child.poll() is not None:
            raise RuntimeError(f"{app}/{screen}: child exited with {child.returncode} during the measurement")
        return cpu1 - cpu0, wall1 - wall0
    finally:
        stop_process(child)
        child.stdout.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=60.0, help="measured period per case (default 60)")
    parser.add_argument("--settle", type=float, default=2.0, help="seconds after the screen is drawn before measuring")
    parser.add_argument("--case", action="append", choices=[case[1] + "-" + case[2] for case in CASES],
                        help="measure only this case (repeatable; default all)")
    args = parser.parse_args()
    cases = [case for case in CASES if args.case is None or f"{case[1]}-{case[2]}" in args.case]
    rows = []
    with tempfile.TemporaryDirectory(prefix="bench-idle-") as tmp, xvfb():
        workdir = Path(tmp)
        with running_central(f"sqlite:///{workdir / 'central.db'}", workdir) as central:
            config = write_kiosk_toml(workdir / "kiosk.toml", central.base_url, central.token, idle_timeout=3600)
            print(f"{load_average()} at start; Xvfb {os.environ['DISPLAY']} 1280x800; {args.seconds:g} s per case", flush=True)
            for label, app, screen, target in cases:
                cpu, wall = idle_cpu(app, screen, config, args.seconds, args.settle)
                rows.append((label, cpu, wall, target))
                print(f"  measured {label} ({load_average()})", flush=True)
    print(f"{'':26s} {'CPU s':>7s} {'wall s':>7s} {'% of a core':>12s}  target")
    for label, cpu, wall, target in rows:
        percent = 100 * cpu / wall
        verdict = "" if target is None else f"<= {target:g} % -> {'met' if percent <= target else 'MISSED'}"
        print(f"{label:26s} {cpu:7.2f} {wall:7.1f} {percent:12.2f}  {verdict}")
    print(f"(CPU from /proc/<pid>/stat in {1000 / os.sysconf('SC_CLK_TCK'):g} ms ticks) {load_average()} at end")


if __name__ == "__main__":
    main()
