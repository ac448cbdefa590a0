"""What an ATR says, for a technician: protocols, historical bytes, contact or contactless,
and the card family where the ATR is a known one.

Parsing is pyscard's (``smartcard.ATR``). Families come from Ludovic Rousseau's
``smartcard_list.txt`` as Debian's ``pcsc-tools`` installs it; without that file the family
is "unknown" and the answer says why.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from smartcard.ATR import ATR

from hardware.atr import MIFARE_CLASSIC_NAMES, storage_card_name

SMARTCARD_LIST = Path("/usr/share/pcsc/smartcard_list.txt")
# PC/SC part 3 names of a few other storage cards (the MIFARE Classic ones are in hardware.atr).
_STORAGE_NAMES = {**MIFARE_CLASSIC_NAMES, 0x0003: "MIFARE Ultralight", 0x003A: "MIFARE Ultralight C", 0x0036: "MIFARE Plus SL1 2K"}


@dataclass(frozen=True)
class AtrInfo:
    """An ATR decoded; ``families`` is empty when the list does not know it (``family_source``
    says which list was read, or that none was)."""

    atr: bytes
    protocols: tuple[str, ...]
    historical: bytes
    interface: str
    storage_card: str | None
    families: tuple[str, ...]
    family_source: str

    @property
    def historical_text(self) -> str:
        """The historical bytes as text when they are printable ASCII, else empty."""
        text = self.historical.decode("latin-1")
        return text if self.historical and text.isascii() and text.isprintable() else ""


def describe_atr(atr: bytes, smartcard_list: Path = SMARTCARD_LIST) -> AtrInfo:
    parsed = ATR(list(atr))
    offered = [f"T={td & 0x0F}" for td in parsed.TD if td is not None]
    protocols = tuple(dict.fromkeys(offered)) or ("T=0",)  # no TD1: T=0 only
    historical = bytes(parsed.getHistoricalBytes())
    name = storage_card_name(atr)
    storage = _STORAGE_NAMES.get(name, f"storage card {name:04X}") if name is not None else None
    families, source = known_families(atr, smartcard_list)
    return AtrInfo(atr, protocols, historical, _interface(atr), storage, families, source)


def _interface(atr: bytes) -> str:
    # PC/SC part 3 3.1.3.2.3: a contactless reader builds 3B 8n 80 01 <n historical bytes> TCK.
    if len(atr) >= 5 and atr[0] == 0x3B and atr[1] & 0xF0 == 0x80 and atr[2:4] == b"\x80\x01" and len(atr) == 5 + (atr[1] & 0x0F):
        return "contactless (ATR built by a PC/SC reader, part 3)"
    return "contact (or a contactless reader passing the card's own ATR)"


def known_families(atr: bytes, smartcard_list: Path = SMARTCARD_LIST) -> tuple[tuple[str, ...], str]:
    """Descriptions of every entry of ``smartcard_list`` whose ATR pattern matches ``atr``."""
    try:
        lines = smartcard_list.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return (), f"{smartcard_list} not found (install pcsc-tools)"
    wanted = " ".join(f"{byte:02X}" for byte in atr)
    families: list[str] = []
    matching = False
    for line in lines:
        if line.startswith("\t"):
            if matching and not line.strip().startswith("http"):
                families.append(line.strip())
        elif line and not line.startswith("#"):
            try:
                matching = re.fullmatch(line.strip(), wanted, re.IGNORECASE) is not None
            except re.error:
                matching = False
    return tuple(families), str(smartcard_list)
