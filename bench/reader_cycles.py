"""Threads and file descriptors after many insert/remove cycles (a leak shows as growth).

    .venv/bin/python -m bench.reader_cycles [--cycles 1000]

Each cycle inserts an emulated card, waits for the watcher's read, removes it and waits for
the removal. Counts are taken after the first cycle and after the last, for this process
(watcher + emulator) and for pcscd.
"""
from __future__ import annotations

import argparse
import os
import threading
import time

from bench.reader_rig import pcsc_rig, summary_ms
from hardware.card_number import CardNumber
from hardware.emulator import IsoLoyaltyCard, VirtualCard
from hardware.watcher import CardWatcher
from tests.hardware.recording import RecordingListener


def counts(pid: int | None) -> str:
    ours = f"threads {threading.active_count():3d}  fds {len(os.listdir('/proc/self/fd')):3d}"
    if pid is None:
        return ours
    theirs = f"threads {len(os.listdir(f'/proc/{pid}/task')):3d}  fds {len(os.listdir(f'/proc/{pid}/fd')):3d}"
    return f"this process: {ours} | pcscd: {theirs}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cycles", type=int, default=1000)
    args = parser.parse_args()
    card = IsoLoyaltyCard(CardNumber.parse("7000070012806566"))
    with pcsc_rig() as rig:
        listener = RecordingListener()
        watcher = CardWatcher(listener, reader_filter="Virtual PCD 00 00")
        watcher.start()
        listener.wait_for("readers_changed")
        daemon = rig.process.pid if rig.process else None
        reads: list[float] = []
        started = time.monotonic()
        for cycle in range(1, args.cycles + 1):
            with VirtualCard(card, port=rig.ports[0]):
                reads.append(listener.wait_for("card_read", timeout=5).read_seconds)
            listener.wait_for("card_removed", timeout=5)
            if cycle == 1:
                print(f"after cycle 1:    {counts(daemon)}", flush=True)
            elif cycle % 100 == 0:
                print(f"  {cycle} cycles, {time.monotonic() - started:.0f} s", flush=True)
        print(f"after cycle {args.cycles}: {counts(daemon)}")
        watcher.stop()
        problems = [p for kind, p in listener.events if kind == "reader_problem"]
        print(f"reads: {summary_ms(reads)}; problems: {len(problems)}")
        print(f"after stop:       {counts(daemon)}")


if __name__ == "__main__":
    main()
