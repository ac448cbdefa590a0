"""Soak: thousands of taps through the running kiosk app, with resident memory, threads and
file descriptors at start and end, and tracemalloc's largest growth.

    .venv/bin/python -m bench.kiosk_soak [--taps 10000] [--no-tracemalloc]

The real kiosk app (``screens.app.KioskApp``) on a private Xvfb (1280x800), driven frame by
frame in this process (``tests.ui.kivy_driver.KivyDriver``), every frame drawn; the real
central service on a temporary SQLite database, every look-up a real HTTP request. Card events
enter at the watcher's listener, as ``kiosk.demo.DemoReader`` sends them (the code above the
card watcher is the same as with pcscd; pcscd's 400 ms presence poll would make 10,000 taps
take hours: bench.kiosk_tap_to_balance and bench.reader_cycles cover that path).

Each tap presents one of the demo cards (active, not activated, not registered, replaced) or,
every 7th tap, an unknown card (its problem screen), waits until the answer is drawn, takes
the card away and waits for the attract screen (removal linger 0.05 s). Every 10th tap the
language is switched first; every 25th the card stays on the reader until the idle timeout
(0.3 s) sends the kiosk home. Any other outcome, a tap not answered within 10 s, or a log
record at ERROR counts as an error.

Start figures are taken after --warmup taps (caches, pools and textures filled), end figures
after the last tap; tracemalloc traces from the start point to the end (Python allocations
only: growth there that is absent from RSS is the allocator's, RSS growth without it is
native: textures, GL, C libraries).
"""
from __future__ import annotations

import argparse
import gc
import logging
import os
import tempfile
import threading
import time
import tracemalloc
from pathlib import Path

from bench.kiosk_rig import load_average, memory_mib, write_kiosk_toml, xvfb
from hardware.card_number import CardNumber
from hardware.watcher import CardRead
from tests.rigs.central import running_central

READER = "Soak reader"
DEMO_CARDS = ("7000070012806566", "7000071234567895", "7000079876543215", "7000075555000014")
UNKNOWN_CARD = "7000070000000000"


class ErrorCounter(logging.Handler):
    """Counts log records at ERROR and above (the kiosk logs crashes and failures there)."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.count = 0
        self.first: str | None = None

    def emit(self, record: logging.LogRecord) -> None:
        self.count += 1
        if self.first is None:
            self.first = f"{record.name}: {record.getMessage()}"


def process_figures() -> dict[str, float]:
    """RSS/PSS (MiB), OS threads and open file descriptors of this process."""
    rss, pss = memory_mib()
    return {
        "rss": rss,
        "pss": pss,
        "threads": len(os.listdir("/proc/self/task")),
        "fds": len(os.listdir("/proc/self/fd")),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--taps", type=int, default=10_000)
    parser.add_argument("--warmup", type=int, default=200, help="taps before the start figures (default 200)")
    parser.add_argument("--no-tracemalloc", action="store_true", help="skip tracemalloc (faster)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="bench-soak-") as tmp, xvfb():
        workdir = Path(tmp)
        with running_central(f"sqlite:///{workdir / 'central.db'}", workdir) as central:
            config_file = write_kiosk_toml(
                workdir / "kiosk.toml", central.base_url, central.token, idle_timeout=0.3, removal_linger=0.05
            )
            from kiosk.config import load_config
            from screens.kivy_setup import configure_kivy

            config = load_config(config_file, environ={})
            configure_kivy(config.screen.width, config.screen.height, config.screen.diagonal_inches, fullscreen=False)
            from kivy.config import Config

            Config.set("graphics", "position", "custom")
            Config.set("graphics", "left", "0")
            Config.set("graphics", "top", "0")

            from kiosk.card_events import CardEventBridge
            from kiosk.state import Screen
            from screens.app import CardInput, KioskApp, run_on_ui_thread
            from tests.ui.kivy_driver import KivyDriver

            errors = ErrorCounter()
            logging.getLogger().addHandler(errors)
            driver = KivyDriver(KioskApp(config, card_input=CardInput.KEYPAD_ONLY))
            driver.start()
            app, session = driver.app, driver.app.session
            bridge = CardEventBridge(session, run_on_ui_thread, app.runtime.health, app.runtime.early_lookup)
            cards = [CardNumber.parse(digits) for digits in DEMO_CARDS]
            unknown = CardNumber.parse(UNKNOWN_CARD)
            failures: list[str] = []
            outcomes = {"balance": 0, "problem": 0, "timeout": 0}

            def at_home() -> bool:
                return session.state.screen is Screen.ATTRACT and app.root.ids.manager.current == "attract"

            def tap(number: int) -> None:
                card = unknown if number % 7 == 0 else cards[number % len(cards)]
                if number % 10 == 0:
                    session.set_language("en" if session.state.language == "tr" else "tr")
                    driver.pump(0.02)
                # The watcher's thread, as DemoReader: presented, read (number known).
                bridge.card_presented(READER)
                bridge.card_read(CardRead(READER, card, "soak", b"", 0.0))
                expected = Screen.PROBLEM if card is unknown else Screen.BALANCE
                try:
                    # The frame that took the answer also drew it (EventLoop.idle: clock, then draw).
                    driver.pump_until(lambda: session.state.screen is expected, 10.0, f"tap {number}: {expected.value}")
                    if number % 25 == 0:
                        driver.pump_until(at_home, 5.0, f"tap {number}: idle timeout")
                        outcomes["timeout"] += 1
                    else:
                        outcomes["balance" if expected is Screen.BALANCE else "problem"] += 1
                    bridge.card_removed(READER)
                    driver.pump_until(at_home, 5.0, f"tap {number}: attract after removal")
                except AssertionError as exc:
                    failures.append(str(exc))
                    bridge.card_removed(READER)
                    session.go_home()
                    driver.pump(0.2)

            try:
                print(f"{load_average()} at start; Xvfb {os.environ['DISPLAY']} 1280x800; "
                      f"{args.warmup} warm-up taps, then {args.taps}", flush=True)
                for number in range(1, args.warmup + 1):
                    tap(number)
                outcomes.update(dict.fromkeys(outcomes, 0))
                failures.clear()
                gc.collect()
                start = process_figures()
                threads_start = sorted(thread.name for thread in threading.enumerate())
                if not args.no_tracemalloc:
                    tracemalloc.start(1)  # one frame: enough for by-line totals, and far cheaper
                    snapshot_start = tracemalloc.take_snapshot()
                began = time.monotonic()
                for number in range(1, args.taps + 1):
                    tap(number)
                    if number % 1000 == 0:
                        now = process_figures()
                        print(f"  {number} taps, {time.monotonic() - began:.0f} s, RSS {now['rss']:.1f} MiB, "
                              f"{now['threads']} threads, {now['fds']} fds", flush=True)
                elapsed = time.monotonic() - began
                gc.collect()
                end = process_figures()
                threads_end = sorted(thread.name for thread in threading.enumerate())
                snapshot_end = tracemalloc.take_snapshot() if not args.no_tracemalloc else None
            finally:
                driver.stop()
                logging.getLogger().removeHandler(errors)

    print(f"{args.taps} taps in {elapsed:.0f} s ({1000 * elapsed / args.taps:.1f} ms a tap): "
          f"{outcomes['balance']} balances, {outcomes['problem']} unknown-card screens, "
          f"{outcomes['timeout']} idle timeouts; {len(failures)} taps failed, {errors.count} log records at ERROR")
    for failure in failures[:5]:
        print(f"  failed: {failure}")
    if errors.first:
        print(f"  first error: {errors.first}")
    print(f"{'':10s} {'start':>9s} {'end':>9s} {'growth':>9s}  target")
    for key, label, unit in (("rss", "RSS", "MiB"), ("pss", "PSS", "MiB"), ("threads", "threads", ""), ("fds", "fds", "")):
        growth = end[key] - start[key]
        target = {"rss": "< 5 MiB", "threads": "unchanged", "fds": "unchanged"}.get(key, "")
        met = "" if not target else ("met" if (growth < 5 if key == "rss" else growth == 0) else "MISSED")
        print(f"{label:10s} {start[key]:9.1f} {end[key]:9.1f} {growth:+9.1f}  {target} {met} {unit}")
    if threads_start != threads_end:
        print(f"  threads at start: {threads_start}\n  threads at end:   {threads_end}")
    if snapshot_end is not None:
        stats = snapshot_end.compare_to(snapshot_start, "lineno")
        total = sum(stat.size_diff for stat in stats)
        print(f"tracemalloc: Python allocations {total / 1024:+.1f} KiB between start and end; largest growth:")
        for stat in stats[:10]:
            frame = stat.traceback[0]
            print(f"  {stat.size_diff / 1024:+8.1f} KiB {stat.count_diff:+6d} blocks  {frame.filename}:{frame.lineno}")
    print(f"{load_average()} at end")


if __name__ == "__main__":
    main()
