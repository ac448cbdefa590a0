"""``python -m hardware.emulator tap --number N [--port P] [--hold SECONDS] [--kind K] [--acs-feedback]``."""
from __future__ import annotations

import argparse
import sys
import time

from hardware.card_number import CardNumber
from hardware.card_uid import CardUid
from hardware.emulator.cards import CardApp, ContactlessUidCard, IsoLoyaltyCard, MifareClassicCard
from hardware.emulator.file_card import number_applet
from hardware.emulator.reader_feedback import AcsFeedbackReader
from hardware.emulator.faults import Fault, FaultyCard, PullCard, RawAnswer, SlowAnswer, WrongStatus
from hardware.emulator.vpcd import VPCD_PORT, EmulatorError, VirtualCard
from hardware.profiles.encoding import NumberEncoding

KINDS = ("iso", "iso-bcd", "applet", "uid", "mifare")
FAULTS = "wrong-status[:SW] | short | garbage | slow[:SECONDS] | pull"


def parse_fault(text: str) -> Fault:
    """A fault from its command-line form, e.g. ``wrong-status:6A82`` or ``slow:0.5``."""
    name, _, argument = text.partition(":")
    try:
        if name == "wrong-status":
            return WrongStatus(int(argument or "6F00", 16))
        if name == "slow":
            return SlowAnswer(float(argument or "1"))
    except ValueError:
        raise ValueError(f"bad argument for fault {name}") from None
    fixed: dict[str, Fault] = {
        "short": RawAnswer(b"\x90"),
        "garbage": RawAnswer(b"\xde\xad\xbe\xef\x90\x00"),
        "pull": PullCard(),
    }
    if name not in fixed:
        raise ValueError(f"unknown fault {name!r}; faults: {FAULTS}")
    return fixed[name]


def build_card(kind: str, number: str | None, uid: str | None) -> CardApp:
    """The card app for ``kind``; raises ``ValueError`` (without the number) on bad input."""
    if kind == "uid":
        if uid is None:
            raise ValueError("--uid HEX is needed for a uid card")
        return ContactlessUidCard(CardUid(bytes.fromhex(uid)))
    if number is None:
        raise ValueError("--number is needed")
    card_number = CardNumber.parse(number)
    if kind == "mifare":
        return MifareClassicCard.with_number(card_number)
    if kind == "applet":
        return number_applet(card_number.digits)
    encoding = NumberEncoding.BCD if kind == "iso-bcd" else NumberEncoding.ASCII
    return IsoLoyaltyCard(card_number, encoding=encoding)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m hardware.emulator", description="Tap a virtual card on a vpcd reader.")
    commands = parser.add_subparsers(dest="command", required=True)
    tap = commands.add_parser("tap", help="hold a card on the reader for a while")
    tap.add_argument("--number", help="16-digit card number")
    tap.add_argument("--uid", help="UID in hex, for --kind uid")
    tap.add_argument("--kind", choices=KINDS, default="iso", help="card profile played (default iso)")
    tap.add_argument("--port", type=int, default=VPCD_PORT, help=f"vpcd port (default {VPCD_PORT}, reader 00 00)")
    tap.add_argument("--host", default="127.0.0.1")
    tap.add_argument("--hold", type=float, default=2.0, help="seconds on the reader (default 2)")
    tap.add_argument("--acs-feedback", action="store_true", help="the reader answers ACS's beep/LED command FF 00 40")
    tap.add_argument("--fault", help=f"misbehave once: {FAULTS}")
    tap.add_argument("--fault-at", type=int, default=0, help="which command APDU (0-based) gets the fault")
    args = parser.parse_args(argv)
    try:
        card = build_card(args.kind, args.number, args.uid)
        if args.fault:
            card = FaultyCard(card, parse_fault(args.fault), args.fault_at)
        if args.acs_feedback:
            card = AcsFeedbackReader(card)
    except ValueError as exc:  # messages name the problem, never the number
        parser.error(str(exc))
    identity = CardUid(bytes.fromhex(args.uid)) if args.kind == "uid" else CardNumber.parse(args.number)
    shown = f"{args.kind} card {identity}" + (f" with fault {args.fault}" if args.fault else "")
    try:
        with VirtualCard(card, host=args.host, port=args.port):
            print(f"{shown} on {args.host}:{args.port} for {args.hold:g} s", flush=True)
            time.sleep(args.hold)
    except EmulatorError as exc:
        print(f"emulator: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
