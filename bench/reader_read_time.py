"""Read time per card profile through pcscd + vpcd: from PC/SC reporting the card to the
number known (``CardRead.read_seconds``), p50/p95.

    .venv/bin/python -m bench.reader_read_time [--taps 30] [--no-quickack]

The watcher tries iso7816, mifare_classic, uid in that order (so a MIFARE read includes the
failed ISO SELECT, and a UID read both failed profiles), as a station configured for every
card kind would. The card of issue 19 (its number is the current file after SELECT; READ
BINARY by SFI answers 6A81) is measured three ways: configured (addressing = ["current"]),
through the default fallback on the first tap of its card type (a new watcher for each tap,
so nothing is remembered) and on the taps after (the addressing remembered for its ATR).
APDUs a tap are counted at the card.
"""
from __future__ import annotations

import argparse
from dataclasses import dataclass

from bench.reader_rig import pcsc_rig, summary_ms
from hardware.card_number import CardNumber
from hardware.card_uid import CardUid
from hardware.emulator import ContactlessUidCard, IsoLoyaltyCard, MifareClassicCard, VirtualCard, number_applet
from hardware.emulator.cards import CardApp, CardBehind
from hardware.profiles.config import build_profiles
from hardware.profiles.encoding import NumberEncoding
from hardware.profiles.iso7816 import FileAccess
from hardware.watcher import CardWatcher
from tests.hardware.recording import RecordingListener

NUMBER = CardNumber.parse("7000070012806566")


@dataclass
class CountingCard(CardBehind):
    """A card app that counts the command APDUs it answers."""

    count: int = 0

    def transmit(self, command: bytes) -> bytes:
        self.count += 1
        return super().transmit(command)


def cards() -> dict[str, tuple[CardApp, dict]]:
    """Card kind -> (card app, profile options for it)."""
    return {
        "current file, configured": (number_applet(NUMBER.digits), {"iso7816": {"addressing": ["current"]}}),
        "current file, fallback, later taps": (number_applet(NUMBER.digits), {}),
        "iso7816 ascii binary": (IsoLoyaltyCard(NUMBER), {}),
        "iso7816 61xx chained": (IsoLoyaltyCard(NUMBER, chained=True), {}),
        "iso7816 bcd record 6Cxx": (
            IsoLoyaltyCard(NUMBER, encoding=NumberEncoding.BCD, exact_le=True),
            {"iso7816": {"encoding": "bcd", "file_access": FileAccess.RECORD.value}},
        ),
        "mifare_classic": (MifareClassicCard.with_number(NUMBER), {}),
        "uid": (ContactlessUidCard(CardUid(bytes.fromhex("04A1B2C3D4E5F6"))), {}),
    }


def measure(card: CardApp, options: dict, taps: int, quickack: bool, port: int, watchers: int = 1) -> tuple[str, list[float], list[int]]:
    """``taps`` taps on each of ``watchers`` new watchers (a new watcher remembers no
    addressing): the profile and addressing, read times and APDUs a tap."""
    seconds, apdus, profile = [], [], ""
    counting = CountingCard(card)
    for _ in range(watchers):
        listener = RecordingListener()
        watcher = CardWatcher(listener, build_profiles(["iso7816", "mifare_classic", "uid"], options), "Virtual PCD 00 00")
        watcher.start()
        listener.wait_for("readers_changed")
        try:
            for _ in range(taps):
                counting.count = 0
                with VirtualCard(counting, port=port, quickack=quickack):
                    read = listener.wait_for("card_read")
                listener.wait_for("card_removed")
                seconds.append(read.read_seconds)
                apdus.append(counting.count)
                profile = f"{read.profile} ({read.addressing})"
        finally:
            watcher.stop()
    return profile, seconds, apdus


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--taps", type=int, default=30, help="taps per card kind (default 30)")
    parser.add_argument("--no-quickack", action="store_true", help="emulator without TCP_QUICKACK (shows vpcd's stall)")
    args = parser.parse_args()
    with pcsc_rig() as rig:
        print(f"pcscd of the bench's own on ports {rig.ports}; TCP_QUICKACK {'off' if args.no_quickack else 'on'}")
        quickack = not args.no_quickack
        for kind, (card, options) in cards().items():
            profile, seconds, apdus = measure(card, options, args.taps, quickack, rig.ports[0])
            if kind.endswith("later taps"):  # the first tap of the watcher is the fallback's
                seconds, apdus = seconds[1:], apdus[1:]
            _print(kind, profile, seconds, apdus)
        profile, seconds, apdus = measure(number_applet(NUMBER.digits), {}, 1, quickack, rig.ports[0], watchers=args.taps)
        _print("current file, fallback, first tap", profile, seconds, apdus)


def _print(kind: str, profile: str, seconds: list[float], apdus: list[int]) -> None:
    counts = "/".join(str(count) for count in sorted(set(apdus)))
    print(f"{kind:36s} -> {profile:28s} {summary_ms(seconds)}  APDUs {counts}", flush=True)


if __name__ == "__main__":
    main()
