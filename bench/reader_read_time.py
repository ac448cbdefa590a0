"""Read time per card profile through pcscd + vpcd: from PC/SC reporting the card to the
number known (``CardRead.read_seconds``), p50/p95.

    .venv/bin/python -m bench.reader_read_time [--taps 30] [--no-quickack]

The watcher tries iso7816, mifare_classic, uid in that order (so a MIFARE read includes the
failed ISO SELECT, and a UID read both failed profiles), as a station configured for every
card kind would.
"""
from __future__ import annotations

import argparse

from bench.reader_rig import pcsc_rig, summary_ms
from hardware.card_number import CardNumber
from hardware.card_uid import CardUid
from hardware.emulator import ContactlessUidCard, IsoLoyaltyCard, MifareClassicCard, VirtualCard
from hardware.emulator.cards import CardApp
from hardware.profiles.config import build_profiles
from hardware.profiles.encoding import NumberEncoding
from hardware.profiles.iso7816 import FileAccess
from hardware.watcher import CardWatcher
from tests.hardware.recording import RecordingListener

NUMBER = CardNumber.parse("7000070012806566")


def cards() -> dict[str, tuple[CardApp, dict]]:
    """Card kind -> (card app, profile options for it)."""
    return {
        "iso7816 ascii binary": (IsoLoyaltyCard(NUMBER), {}),
        "iso7816 61xx chained": (IsoLoyaltyCard(NUMBER, chained=True), {}),
        "iso7816 bcd record 6Cxx": (
            IsoLoyaltyCard(NUMBER, encoding=NumberEncoding.BCD, exact_le=True),
            {"iso7816": {"encoding": "bcd", "file_access": FileAccess.RECORD.value}},
        ),
        "mifare_classic": (MifareClassicCard.with_number(NUMBER), {}),
        "uid": (ContactlessUidCard(CardUid(bytes.fromhex("04A1B2C3D4E5F6"))), {}),
    }


def measure(card: CardApp, options: dict, taps: int, quickack: bool) -> tuple[str, list[float]]:
    listener = RecordingListener()
    watcher = CardWatcher(listener, build_profiles(["iso7816", "mifare_classic", "uid"], options), "Virtual PCD 00 00")
    watcher.start()
    listener.wait_for("readers_changed")
    seconds, profile = [], ""
    try:
        for _ in range(taps):
            with VirtualCard(card, quickack=quickack):
                read = listener.wait_for("card_read")
            listener.wait_for("card_removed")
            seconds.append(read.read_seconds)
            profile = read.profile
    finally:
        watcher.stop()
    return profile, seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--taps", type=int, default=30, help="taps per card kind (default 30)")
    parser.add_argument("--no-quickack", action="store_true", help="emulator without TCP_QUICKACK (shows vpcd's stall)")
    args = parser.parse_args()
    with pcsc_rig() as rig:
        print(f"pcscd {'started by the bench' if rig.owned else 'reused'}; TCP_QUICKACK {'off' if args.no_quickack else 'on'}")
        for kind, (card, options) in cards().items():
            profile, seconds = measure(card, options, args.taps, not args.no_quickack)
            print(f"{kind:26s} -> {profile:15s} {summary_ms(seconds)}", flush=True)


if __name__ == "__main__":
    main()
