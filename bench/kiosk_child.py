"""The kiosk (or an empty Kivy window of the same size) run by Kivy's own main loop, reporting
its first frame: a child process for bench.kiosk_cold_start and bench.kiosk_idle_cpu.

    .venv/bin/python -m bench.kiosk_child --app kiosk --config kiosk.toml [--screen balance]
    .venv/bin/python -m bench.kiosk_child --app empty --size 1280x800 --diagonal 15.6

It does what ``opet-kiosk --windowed --keypad-only`` does (load the config, configure_kivy,
log redaction, import the app, ``run()``), with the window at 0,0, and prints on stdout:

    FIRST_FRAME <time.monotonic()> <process CPU s>   after the swap of the first frame after on_start
    PHASES config=<ms> window=<ms> imports=<ms> kv=<ms> build=<ms> draw=<ms> swap=<ms>
    BALANCE_DRAWN <time.monotonic()> <process CPU s>  (--screen balance) after the balance screen's swap

``time.monotonic()`` is CLOCK_MONOTONIC, the same clock in every process, so the parent can
subtract its own launch time. PHASES is the main thread's CPU time (``time.thread_time()``) in
each step up to that first frame: Python start to the config loaded and Kivy configured,
creating the window (SDL, the GL context), importing and constructing the app, loading its kv
rules, building the root widget, the first frame's layout and drawing, and its buffer swap.
``--screen balance`` looks up the demo card 7000070012806566 (a real HTTP look-up, as a typed
number) once the attract screen is up. The empty app uses the same configure_kivy settings
(size, DPI, maxfps 30) and nothing else: its size comes from --size and --diagonal, not from
the kiosk's config, whose loading (TOML, the card profiles it checks) is part of the kiosk's
own start-up cost.
"""
from __future__ import annotations

import argparse
import sys
import time

PHASES = ("config", "window", "imports", "kv", "build", "draw", "swap")


class PhaseClock:
    """The main thread's CPU time spent in each start-up phase, in milliseconds."""

    def __init__(self) -> None:
        self._last = time.thread_time()
        self.spent: dict[str, float] = {}

    def mark(self, phase: str) -> None:
        """``phase`` ended now."""
        now = time.thread_time()
        self.spent[phase] = (now - self._last) * 1000
        self._last = now

    def line(self) -> str:
        return "PHASES " + " ".join(f"{phase}={self.spent[phase]:.2f}" for phase in PHASES)


def main() -> int:
    phases = PhaseClock()
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--app", choices=("kiosk", "empty"), default="kiosk")
    parser.add_argument("--config", help="kiosk.toml (the kiosk)")
    parser.add_argument("--size", help="WxH pixels (the empty app)")
    parser.add_argument("--diagonal", type=float, help="inches (the empty app)")
    parser.add_argument("--screen", choices=("attract", "balance"), default="attract")
    parser.add_argument("--card-input", choices=("keypad-only", "reader"), default="keypad-only")
    args = parser.parse_args()
    if args.app == "kiosk" and args.config is None:
        parser.error("the kiosk needs --config")
    if args.app == "empty" and (args.size is None or args.diagonal is None):
        parser.error("the empty app needs --size and --diagonal")

    from screens.kivy_setup import configure_kivy

    if args.app == "kiosk":
        from kiosk import log_privacy
        from kiosk.config import load_config

        config = load_config(args.config)
        configure_kivy(config.screen.width, config.screen.height, config.screen.diagonal_inches, fullscreen=False)
        log_privacy.install()
    else:
        width, height = (int(part) for part in args.size.split("x"))
        configure_kivy(width, height, args.diagonal, fullscreen=False)
    from kivy.config import Config

    Config.set("graphics", "position", "custom")
    Config.set("graphics", "left", "0")
    Config.set("graphics", "top", "0")
    phases.mark("config")
    from kivy.core.window import Window  # created here, as screens.app's own import would

    phases.mark("window")

    if args.app == "kiosk":
        from screens.app import CardInput, KioskApp

        app = KioskApp(config, card_input=CardInput(args.card_input))
    else:
        from kivy.app import App
        from kivy.uix.widget import Widget

        class EmptyApp(App):
            title = "Empty"

            def build(self) -> Widget:
                return Widget()

        app = EmptyApp()

    from kivy.clock import Clock

    pending: list[str] = []
    # Handlers return None: a true return value would stop the dispatch before the app's own on_start.
    def on_start(*_args: object) -> None:
        pending.append("FIRST_FRAME")

    app.bind(on_start=on_start)

    if args.app == "kiosk" and args.screen == "balance":
        from hardware.card_number import CardNumber
        from kiosk.balance import Entry
        from kiosk.state import Screen

        def look_up(_dt: float) -> None:
            def on_state(state) -> None:
                if state.screen is Screen.BALANCE and state.balance is not None and "BALANCE_DRAWN" not in reported:
                    pending.append("BALANCE_DRAWN")

            app.session.subscribe(on_state)
            app.session.show_card(CardNumber.parse("7000070012806566"), Entry.TYPED)

        def look_up_when_running(_dt: float) -> None:
            # The kiosk builds its runtime (and session) after its first frame.
            if app.session is None:
                Clock.schedule_once(look_up_when_running, 0.1)
            else:
                Clock.schedule_once(look_up, 0.5)

        app.bind(on_start=lambda *_args: look_up_when_running(0))

    phases.mark("imports")
    original_build = app.build

    def build() -> object:  # App.run loads the kv file, then calls build()
        phases.mark("kv")
        root = original_build()
        phases.mark("build")
        return root

    app.build = build
    reported: set[str] = set()
    original_flip = Window.flip

    def flip() -> None:
        first_frame = "FIRST_FRAME" in pending and "FIRST_FRAME" not in reported
        if first_frame:
            phases.mark("draw")
        original_flip()
        if first_frame:
            phases.mark("swap")
        while pending:
            what = pending.pop(0)
            if what not in reported:
                reported.add(what)
                # The process's CPU seconds too (every thread, llvmpipe's included): on a
                # loaded machine they vary far less than the wall-clock time.
                print(f"{what} {time.monotonic():.6f} {time.process_time():.6f}", flush=True)
                if what == "FIRST_FRAME":
                    print(phases.line(), flush=True)

    Window.flip = flip
    app.run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
