"""Cold start of the kiosk beside an empty Kivy window of the same size: launch to the attract
screen drawn (wall-clock and the process's CPU seconds), and resident (RSS) and proportional
(PSS) memory, medians of --runs each, with the fastest run of each beside them.

    .venv/bin/python -m bench.kiosk_cold_start [--runs 3] [--settle 1.0]

Each run launches ``python -m bench.kiosk_child`` (what ``opet-kiosk --windowed --keypad-only``
does, plus a line printed after the swap of the first frame after on_start) on a private Xvfb
(1280x800), with the real central service on a temporary SQLite database; the kiosk and the
empty app alternate. Time = that frame's CLOCK_MONOTONIC stamp minus the launch; memory is
read from /proc/<pid>/smaps_rollup --settle seconds after the first frame, then the child is
stopped. Python's and Kivy's own start-up are in both figures, so they cancel in the
difference; the empty app does not load the kiosk's config (that is the kiosk's cost). The
kiosk's packages are byte-compiled first, as ``pip install`` does on a station kiosk: with
PYTHONDONTWRITEBYTECODE set and no __pycache__, a checkout compiles some 35 modules from
source at every launch (~50 ms by python -X importtime), which an installed kiosk never does.
On a loaded machine the wall-clock time swings by a second between runs; the CPU seconds to
the first frame (all threads) and the fastest run are the steadier comparison. Even on a quiet
machine one launch differs from the next by +-60 ms (most of it creating the window and its
GL context), so the median of the paired differences (each kiosk run minus the empty run
launched right after it) is printed beside the difference of the medians, with its quartiles,
and a bootstrap interval says how much the difference itself could move from one run of this
benchmark to the next (with 21 launches each, about +-25 ms; use more --runs to narrow it).
Last, the main thread's CPU time in each start-up phase (config, window, imports, kv, build,
first frame's drawing and swap): the window phase is where most of that launch-to-launch
variation is, and it is the same work in both apps, so the phases beside it show the kiosk's
own work without it.
"""
from __future__ import annotations

import argparse
import compileall
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.kiosk_rig import child_app_args, load_average, memory_mib, stop_process, write_kiosk_toml, xvfb
from tests.rigs.central import running_central

TARGET_MIB = 40.0
TARGET_SECONDS = 0.15
PACKAGES = ("kiosk", "screens", "hardware", "opetcard")  # what an installed kiosk has compiled


def one_start(app: str, config: Path, settle: float) -> tuple[tuple[float, float, float, float], dict[str, float]]:
    """(seconds to first frame, RSS MiB, PSS MiB, CPU seconds to first frame) of one launch, and
    the main thread's CPU milliseconds in each start-up phase (bench.kiosk_child's PHASES)."""
    launched = time.monotonic()
    child = subprocess.Popen(
        [sys.executable, "-m", "bench.kiosk_child", *child_app_args(app, config)],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        stdin=subprocess.DEVNULL,
        text=True,
        cwd=Path(__file__).resolve().parents[1],
    )
    try:
        line = child.stdout.readline()
        if not line.startswith("FIRST_FRAME"):
            raise RuntimeError(f"{app}: child exited with {child.wait(timeout=10)} before its first frame")
        _label, stamp, cpu = line.split()
        first_frame = float(stamp) - launched
        phases = {name: float(ms) for name, ms in (field.split("=") for field in child.stdout.readline().split()[1:])}
        time.sleep(settle)
        rss, pss = memory_mib(child.pid)
        return (first_frame, rss, pss, float(cpu)), phases
    finally:
        stop_process(child)
        child.stdout.close()


def bootstrap_interval(kiosk: list[float], empty: list[float], rounds: int = 4000) -> tuple[float, float]:
    """95 % interval of the difference of medians, both samples resampled with replacement:
    how far this run's figure could be from the next one's on the same machine."""
    draw = random.Random(8)  # a fixed seed: the same runs print the same interval
    differences = sorted(
        statistics.median(draw.choices(kiosk, k=len(kiosk))) - statistics.median(draw.choices(empty, k=len(empty)))
        for _ in range(rounds)
    )
    return differences[int(rounds * 0.025)], differences[int(rounds * 0.975) - 1]


def print_phases(phases: dict[str, list[dict[str, float]]]) -> None:
    """Medians of the main thread's CPU ms per start-up phase, kiosk and empty app: steadier
    than the wall-clock time, and they say where the kiosk's own cost is."""
    names = list(phases["kiosk"][0])
    medians = {app: {name: statistics.median(run[name] for run in runs) for name in names} for app, runs in phases.items()}
    print("main thread's CPU ms to the first frame, by phase (medians):")
    print(f"{'':22s} " + " ".join(f"{name:>8s}" for name in names) + f" {'total':>8s}")
    for app, label in (("kiosk", "opet-kiosk (attract)"), ("empty", "empty Kivy window")):
        row = medians[app]
        total = statistics.median(sum(run.values()) for run in phases[app])
        print(f"{label:22s} " + " ".join(f"{row[name]:8.1f}" for name in names) + f" {total:8.1f}")
    own = {name: medians["kiosk"][name] - medians["empty"][name] for name in names}
    print(f"{'kiosk - empty':22s} " + " ".join(f"{own[name]:8.1f}" for name in names) + f" {sum(own.values()):8.1f}")


def compile_bytecode() -> None:
    """The kiosk's packages byte-compiled into their __pycache__ (gitignored), as pip installs them."""
    root = Path(__file__).resolve().parents[1]
    for package in PACKAGES:
        if not compileall.compile_dir(root / package, quiet=1):
            raise RuntimeError(f"{package}: byte-compiling failed")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--settle", type=float, default=1.0, help="seconds after the first frame before reading memory")
    args = parser.parse_args()
    compile_bytecode()
    with tempfile.TemporaryDirectory(prefix="bench-cold-") as tmp, xvfb():
        workdir = Path(tmp)
        with running_central(f"sqlite:///{workdir / 'central.db'}", workdir) as central:
            config = write_kiosk_toml(workdir / "kiosk.toml", central.base_url, central.token)
            print(f"{load_average()} at start; Xvfb {os.environ['DISPLAY']} 1280x800; {args.runs} runs each")
            results: dict[str, list[tuple[float, float, float, float]]] = {"kiosk": [], "empty": []}
            phases: dict[str, list[dict[str, float]]] = {"kiosk": [], "empty": []}
            one_start("empty", config, 0.1)  # warm the page cache once, not counted
            for _ in range(args.runs):
                for app in ("kiosk", "empty"):
                    figures, spent = one_start(app, config, args.settle)
                    results[app].append(figures)
                    phases[app].append(spent)
    medians = {app: [statistics.median(column) for column in zip(*runs)] for app, runs in results.items()}
    fastest = {app: min(run[0] for run in runs) for app, runs in results.items()}
    print(f"{'':22s} {'first frame s':>13s} {'fastest s':>9s} {'CPU s':>7s} {'RSS MiB':>9s} {'PSS MiB':>9s}"
          "   (runs: first frame s)")
    for app, label in (("kiosk", "opet-kiosk (attract)"), ("empty", "empty Kivy window")):
        start, rss, pss, cpu = medians[app]
        runs = " ".join(f"{run[0]:.3f}" for run in results[app])
        print(f"{label:22s} {start:13.3f} {fastest[app]:9.3f} {cpu:7.3f} {rss:9.1f} {pss:9.1f}   ({runs})")
    start_diff = medians["kiosk"][0] - medians["empty"][0]
    fastest_diff = fastest["kiosk"] - fastest["empty"]
    rss_diff = medians["kiosk"][1] - medians["empty"][1]
    pss_diff = medians["kiosk"][2] - medians["empty"][2]
    cpu_diff = medians["kiosk"][3] - medians["empty"][3]
    print(f"{'kiosk - empty':22s} {start_diff:13.3f} {fastest_diff:9.3f} {cpu_diff:7.3f} {rss_diff:9.1f} {pss_diff:9.1f}")
    low, high = bootstrap_interval([run[0] for run in results["kiosk"]], [run[0] for run in results["empty"]])
    print(f"{'':22s} (first frame: 95 % bootstrap interval of the difference {low:.3f} to {high:.3f} s)")
    # The runs alternate, so each kiosk run has an empty run beside it on the same machine state.
    paired = sorted(kiosk[0] - empty[0] for kiosk, empty in zip(results["kiosk"], results["empty"]))
    paired_cpu = sorted(kiosk[3] - empty[3] for kiosk, empty in zip(results["kiosk"], results["empty"]))
    if len(paired) >= 2:
        low, _, high = statistics.quantiles(paired, n=4, method="inclusive")
        print(f"{'paired runs':22s} {statistics.median(paired):13.3f} {'':9s} {statistics.median(paired_cpu):7.3f}"
              f"   (kiosk run minus the empty run beside it: median, quartiles {low:.3f} to {high:.3f} s)")
    print_phases(phases)
    print(f"target: kiosk's own cost under {TARGET_SECONDS} s -> {'met' if start_diff < TARGET_SECONDS else 'MISSED'}; "
          f"under {TARGET_MIB:.0f} MiB (PSS) -> {'met' if pss_diff < TARGET_MIB else 'MISSED'}, "
          f"(RSS) -> {'met' if rss_diff < TARGET_MIB else 'MISSED'}")
    print(load_average() + " at end")


if __name__ == "__main__":
    main()
