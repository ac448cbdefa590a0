"""MIFARE Classic memory layout: sectors, their data blocks, and where the number is by default.

Pure arithmetic, no APDUs: the profile, the emulator's card and the configuration check
(:mod:`hardware.profiles.config`, run before the kiosk's first frame) share it.
"""
from __future__ import annotations

BLOCK_BYTES = 16
DEFAULT_SECTOR = 1
DEFAULT_BLOCK = 0


def absolute_block(sector: int, block: int) -> int:
    """The card-wide block number (sectors 0-31 have 4 blocks, 32-39 of a 4K have 16)."""
    if sector < 32:
        if not 0 <= block < 3:
            raise ValueError("data blocks of a small sector are 0-2")
        return sector * 4 + block
    if not 0 <= block < 15:
        raise ValueError("data blocks of a large sector are 0-14")
    return 128 + (sector - 32) * 16 + block


def sector_of(block: int) -> int:
    """The sector an absolute block number belongs to."""
    return block // 4 if block < 128 else 32 + (block - 128) // 16
