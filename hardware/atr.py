"""Small facts read from an ATR: the TCK check byte and PC/SC part 3 storage-card names."""
from __future__ import annotations

from functools import reduce

PCSC_RID = bytes.fromhex("A000000306")
# PC/SC part 3 supplemental document: card names of the MIFARE Classic family.
MIFARE_CLASSIC_NAMES = {0x0001: "MIFARE Classic 1K", 0x0002: "MIFARE Classic 4K", 0x0026: "MIFARE Mini"}


def with_tck(atr_without_tck: bytes) -> bytes:
    """Appends TCK, the XOR of every byte after TS (needed when a protocol other than T=0 is named)."""
    return atr_without_tck + bytes((reduce(lambda a, b: a ^ b, atr_without_tck[1:], 0),))


def storage_card_name(atr: bytes) -> int | None:
    """The PC/SC part 3 card name (e.g. ``0x0001``) of a contactless storage card, else None.

    Such an ATR reads ``3B 8F 80 01 80 4F 0C A0 00 00 03 06 SS C0 C1 00 00 00 00 TCK``.
    """
    if len(atr) != 20 or atr[:4] != b"\x3b\x8f\x80\x01" or atr[4:7] != b"\x80\x4f\x0c":
        return None
    if atr[7:12] != PCSC_RID:
        return None
    return int.from_bytes(atr[13:15], "big")


def storage_card_atr(standard: int, name: int) -> bytes:
    """The ATR a PC/SC reader builds for a storage card (used by the emulator)."""
    body = bytes.fromhex("3B8F8001804F0C") + PCSC_RID + bytes((standard,)) + name.to_bytes(2, "big") + bytes(4)
    return with_tck(body)
