"""Tap to balance on screen through the whole real stack, p50/p95/max over --taps taps.

    .venv/bin/python -m bench.kiosk_tap_to_balance [--taps 200] [--linger 0.05] [--seed 8]

The real kiosk app (``screens.app.KioskApp``, ``CardInput.READER``) on a private Xvfb
(1280x800), driven frame by frame in this process as the UI tests do
(``tests.ui.kivy_driver.KivyDriver``); the real central service on a temporary SQLite
database (``tests.rigs.central.running_central``); the real pcscd with vpcd's virtual readers
(``bench.reader_rig.pcsc_rig``: a pcscd of the bench's own). The kiosk
watches "Virtual PCD 00 01" only; each tap inserts the demo card 7000070012806566
(``IsoLoyaltyCard`` through ``VirtualCard``, TCP_QUICKACK on), waits for the balance screen to
be drawn, removes the card and waits for the attract screen (removal linger --linger s). A
random 0.1-0.5 s pause on the attract screen before each insert spreads the inserts over
pcscd's 400 ms presence poll.

Instants (all ``time.monotonic()``):
  insert    just before ``VirtualCard.insert()`` (the emulator connects to vpcd)
  seen      the watcher thread calls the listener's ``card_presented`` (wrapped)
  read      the watcher thread calls ``card_read`` (number known)
  state     the session's state becomes READING / BALANCE with a balance (subscribed)
  drawn     Window.flip() returns for the first frame after that state (buffer swapped)

Kivy's frame cap (maxfps 30, set by screens.kivy_setup) is part of the figure, as on a kiosk.
"""
from __future__ import annotations

import argparse
import os
import random
import tempfile
import time
from pathlib import Path

from bench.kiosk_rig import load_average, write_kiosk_toml, xvfb
from bench.reader_rig import pcsc_rig, percentile
from hardware.card_number import CardNumber
from hardware.emulator import IsoLoyaltyCard, VirtualCard
from tests.rigs.central import running_central

NUMBER = CardNumber.parse("7000070012806566")
KIOSK_READER = 1  # as the UI tests: the hardware tests' cards on reader 0 never reach it


def row(label: str, seconds: list[float], target: str = "", limit: float | None = None, at: float = 0.95) -> str:
    ms = [s * 1000 for s in seconds]
    p50, p95, worst = percentile(ms, 0.5), percentile(ms, 0.95), max(ms)
    verdict = ""
    if limit is not None:
        value = p95 if at == 0.95 else worst
        verdict = f"{target} -> {'met' if value < limit * 1000 else 'MISSED'}"
    return f"{label:40s} {p50:8.1f} {p95:8.1f} {worst:8.1f}  {verdict}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--taps", type=int, default=200)
    parser.add_argument("--linger", type=float, default=0.05, help="removal_linger_seconds of the kiosk (default 0.05)")
    parser.add_argument("--seed", type=int, default=8, help="seed of the pauses between taps")
    args = parser.parse_args()
    jitter = random.Random(args.seed)

    print("waiting for the virtual readers' lock (another test session may hold it)...", flush=True)
    with pcsc_rig() as rig, tempfile.TemporaryDirectory(prefix="bench-tap-") as tmp, xvfb():
        workdir = Path(tmp)
        reader, port = rig.readers[KIOSK_READER], rig.ports[KIOSK_READER]
        with running_central(f"sqlite:///{workdir / 'central.db'}", workdir) as central:
            config_file = write_kiosk_toml(
                workdir / "kiosk.toml", central.base_url, central.token, reader_filter=reader, removal_linger=args.linger
            )
            from kiosk.config import load_config
            from screens.kivy_setup import configure_kivy

            config = load_config(config_file, environ={})
            configure_kivy(config.screen.width, config.screen.height, config.screen.diagonal_inches, fullscreen=False)
            from kivy.config import Config

            Config.set("graphics", "position", "custom")
            Config.set("graphics", "left", "0")
            Config.set("graphics", "top", "0")
            from kivy.core.window import Window

            from kiosk.state import Screen
            from screens.app import CardInput, KioskApp
            from tests.ui.kivy_driver import KivyDriver

            driver = KivyDriver(KioskApp(config, card_input=CardInput.READER))
            driver.start()
            try:
                app, session = driver.app, driver.app.session
                driver.pump_until(
                    lambda: app.runtime.watcher is not None and bool(app.runtime.watcher.readers), 10.0, "the watcher's readers"
                )
                marks: dict[str, float] = {}
                pending: list[str] = []

                # The watcher calls getattr(listener, event)(...): wrap the bridge's two methods.
                bridge = app.runtime.watcher._listener
                presented, read = bridge.card_presented, bridge.card_read

                def card_presented(reader_name: str) -> None:
                    marks.setdefault("seen", time.monotonic())
                    presented(reader_name)

                def card_read(card_read_event) -> None:
                    marks.setdefault("read", time.monotonic())
                    read(card_read_event)

                bridge.card_presented, bridge.card_read = card_presented, card_read

                def on_state(state) -> None:
                    now = time.monotonic()
                    if state.screen is Screen.READING and "reading" not in marks:
                        marks["reading"] = now
                        pending.append("reading_drawn")
                    elif state.screen is Screen.BALANCE and state.balance is not None and "balance" not in marks:
                        marks["balance"] = now
                        pending.append("balance_drawn")
                    elif state.screen is Screen.PROBLEM:
                        marks.setdefault("problem", now)

                session.subscribe(on_state)
                original_flip = Window.flip

                def flip() -> None:
                    original_flip()
                    now = time.monotonic()
                    while pending:
                        marks.setdefault(pending.pop(0), now)

                Window.flip = flip

                print(f"{load_average()} at start; pcscd of its own on ports {rig.ports}; "
                      f"reader {reader!r}; Xvfb {os.environ['DISPLAY']} 1280x800; {args.taps} taps", flush=True)
                taps: list[dict[str, float]] = []
                failures = 0
                started = time.monotonic()
                for number in range(1, args.taps + 1):
                    driver.pump(0.1 + jitter.uniform(0.0, 0.4))
                    rig.wait_reader(reader, present=False)
                    marks.clear()
                    pending.clear()
                    card = VirtualCard(IsoLoyaltyCard(NUMBER), port=port)
                    marks["insert"] = time.monotonic()
                    card.insert()
                    try:
                        driver.pump_until(lambda: "balance_drawn" in marks or "problem" in marks, 10.0, "the balance screen")
                    finally:
                        card.remove()
                    if "problem" in marks:
                        failures += 1
                    else:
                        taps.append(dict(marks))
                    driver.pump_until(lambda: app.root.ids.manager.current == "attract" and session.state.screen is Screen.ATTRACT,
                                      10.0, "the attract screen")
                    if number % 50 == 0:
                        print(f"  {number} taps, {time.monotonic() - started:.0f} s", flush=True)
            finally:
                driver.stop()

    def span(start: str, end: str) -> list[float]:
        return [tap[end] - tap[start] for tap in taps]

    print(f"{len(taps)} taps with a balance, {failures} ended on a problem screen; {load_average()} at end")
    print(f"{'ms':40s} {'p50':>8s} {'p95':>8s} {'max':>8s}  target")
    print(row("insert -> watcher seen (pcscd poll)", span("insert", "seen")))
    print(row("seen -> reading state", span("seen", "reading")))
    print(row("seen -> reading screen drawn", span("seen", "reading_drawn"), "p95 < 100 ms", 0.100))
    print(row("seen -> number read (APDUs)", span("seen", "read")))
    print(row("read -> balance state (HTTP)", span("read", "balance")))
    print(row("balance state -> balance drawn", span("balance", "balance_drawn")))
    print(row("seen -> balance drawn", span("seen", "balance_drawn"), "p95 < 100 ms", 0.100))
    print(row("insert -> balance drawn", span("insert", "balance_drawn"), "p95 < 500 ms", 0.500))


if __name__ == "__main__":
    main()
