"""``opet-kiosk``: start the kiosk, fullscreen unless ``--windowed``."""
from __future__ import annotations

import argparse
import logging
import sys
from typing import TYPE_CHECKING

from kiosk import log_privacy
from kiosk.config import ConfigError, load_config
from screens.kivy_setup import configure_kivy

if TYPE_CHECKING:
    from screens.app import CardInput


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="opet-kiosk", description="OPET Kart balance kiosk")
    parser.add_argument("--config", help="TOML configuration file (see kiosk/config.py)")
    parser.add_argument("--windowed", action="store_true", help="a window instead of fullscreen")
    parser.add_argument("--size", help="screen size WxH in pixels (default: [screen] width/height)")
    parser.add_argument(
        "--demo-cards",
        choices=("auto", "pcsc", "demo-reader"),
        nargs="?",
        const="auto",
        help="show buttons that tap the demo cards of [demo] cards: through pcscd and the "
        "card emulator (pcsc), through a named stand-in reader (demo-reader), or pcsc when "
        "a virtual reader is present (auto, the default of a bare --demo-cards)",
    )
    parser.add_argument("--keypad-only", action="store_true", help="no card reader: typed numbers only")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        config = load_config(args.config)
        config.service.device_token()  # the token is read after the first frame: fail here, before a window
    except ConfigError as exc:
        print(f"opet-kiosk: {exc}", file=sys.stderr)
        return 2
    width, height = config.screen.width, config.screen.height
    if args.size:
        width, height = (int(part) for part in args.size.lower().split("x"))
    configure_kivy(width, height, config.screen.diagonal_inches, fullscreen=not args.windowed)
    log_privacy.install()

    from screens.app import CardInput, KioskApp

    KioskApp(config, card_input=_card_input(args, CardInput), config_path=args.config).run()
    return 0


def _card_input(args: argparse.Namespace, kinds: type[CardInput]) -> CardInput:
    if args.keypad_only:
        return kinds.KEYPAD_ONLY
    if args.demo_cards is None:
        return kinds.READER
    if args.demo_cards == "auto":
        from hardware.readers import virtual_reader_present

        through_pcsc = virtual_reader_present()
        logging.getLogger(__name__).info("demo taps go %s", "through pcscd" if through_pcsc else "to the demo reader")
        return kinds.DEMO_PCSC if through_pcsc else kinds.DEMO_READER
    return kinds.DEMO_PCSC if args.demo_cards == "pcsc" else kinds.DEMO_READER


if __name__ == "__main__":
    sys.exit(main())
