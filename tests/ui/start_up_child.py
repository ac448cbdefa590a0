"""Child process of test_start_up: starts the kiosk (keypad only) and prints, as JSON, which
modules were loaded when its first frame was swapped and once its runtime was running.

    python -m tests.ui.start_up_child KIOSK_TOML

It is a process of its own because the test process has imported everything already.
"""
from __future__ import annotations

import json
import sys
from typing import Any

TIMEOUT_SECONDS = 30.0


def loaded_modules() -> list[str]:
    return sorted(sys.modules)


def main(config_path: str) -> int:
    from kiosk.config import load_config
    from screens.kivy_setup import configure_kivy

    config = load_config(config_path)
    configure_kivy(config.screen.width, config.screen.height, config.screen.diagonal_inches, fullscreen=False)
    from kivy.clock import Clock
    from kivy.core.window import Window

    from screens.app import CardInput, KioskApp

    app = KioskApp(config, card_input=CardInput.KEYPAD_ONLY)
    report: dict[str, Any] = {}

    def on_flip(*_args: object) -> None:
        if "first_frame" not in report:
            report["first_frame"] = {
                "modules": loaded_modules(),
                "screen": app.root.ids.manager.current,
                "runtime_built": app.runtime is not None,
            }
        elif app.runtime is not None and app.runtime.heartbeat is not None and "running" not in report:
            report["running"] = {"modules": loaded_modules(), "screen": app.root.ids.manager.current}
            app.stop()

    Window.bind(on_flip=on_flip)
    Clock.schedule_once(lambda _dt: app.stop(), TIMEOUT_SECONDS)
    app.run()
    print(json.dumps(report))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
