"""CPU used by an idle card watcher (readers present, no card) over a period, and pcscd's own.

    .venv/bin/python -m bench.reader_idle_cpu [--seconds 60]
"""
from __future__ import annotations

import argparse
import os
import time

from bench.reader_rig import pcsc_rig
from hardware.watcher import CardWatcher
from tests.hardware.recording import RecordingListener


def process_cpu_seconds(pid: int) -> float:
    """utime + stime of a process, from /proc."""
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=60.0)
    args = parser.parse_args()
    with pcsc_rig() as rig:
        listener = RecordingListener()
        watcher = CardWatcher(listener, reader_filter="Virtual PCD")
        watcher.start()
        listener.wait_for("readers_changed")
        daemon = rig.process.pid if rig.process else None
        time.sleep(0.5)  # let start-up settle before measuring
        ours0, theirs0, wall0 = time.process_time(), process_cpu_seconds(daemon) if daemon else 0.0, time.monotonic()
        time.sleep(args.seconds)
        ours, wall = time.process_time() - ours0, time.monotonic() - wall0
        theirs = (process_cpu_seconds(daemon) - theirs0) if daemon else float("nan")
        watcher.stop()
        events = listener.kinds()
    print(f"idle watcher over {wall:.1f} s, readers {rig.readers}, no card:")
    print(f"  this process (watcher thread, main asleep): {ours * 1000:.1f} ms CPU = {100 * ours / wall:.4f} % of a core")
    print(f"  pcscd (polls vpcd every 400 ms):            {theirs * 1000:.1f} ms CPU = {100 * theirs / wall:.4f} % of a core")
    print(f"  watcher events during the period: {events[1:] or 'none'}")


if __name__ == "__main__":
    main()
