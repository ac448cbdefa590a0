"""ISO 7816-4 profile: SELECT the loyalty application by AID, then read the number file.

The number file is an EF addressed by its short file identifier (SFI), read with READ BINARY
or READ RECORD; the number is stored as ASCII digits or packed BCD. ``61xx`` and ``6Cxx``
are followed by :class:`~hardware.apdu.CardChannel`.
"""
from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from hardware.apdu import MAX_SHORT_LE, CardChannel, CardConnection, CommandApdu, StatusWordError
from hardware.card_number import CardNumber
from hardware.profiles import ProfileMismatch
from hardware.profiles.encoding import NumberEncoding

OPET_AID = bytes.fromhex("F04F5045544B415254")  # F0 + "OPETKART"
NUMBER_FILE_SFI = 1

# Answers to SELECT meaning "no such application here" rather than "this card is broken".
_NOT_THIS_CARD = {0x6A82, 0x6A81, 0x6A86, 0x6B00, 0x6D00, 0x6E00}


class FileAccess(str, Enum):
    """How the number file is read."""

    BINARY = "binary"
    RECORD = "record"


def select_by_aid(aid: bytes) -> CommandApdu:
    """SELECT by DF name, first occurrence, FCI wanted."""
    return CommandApdu(0x00, 0xA4, 0x04, 0x00, aid, le=MAX_SHORT_LE, name="SELECT")


def read_binary_sfi(sfi: int, offset: int = 0) -> CommandApdu:
    """READ BINARY of the EF with short identifier ``sfi`` (P1 bit 8 set), as much as there is."""
    return CommandApdu(0x00, 0xB0, 0x80 | sfi, offset, le=MAX_SHORT_LE, name="READ BINARY")


def read_record_sfi(sfi: int, record: int) -> CommandApdu:
    """READ RECORD ``record`` of the EF with short identifier ``sfi``."""
    return CommandApdu(0x00, 0xB2, record, (sfi << 3) | 0x04, le=MAX_SHORT_LE, name="READ RECORD")


@dataclass(frozen=True)
class Iso7816Profile:
    """Reads the number from an ISO 7816-4 application (the Opet Kart application by default)."""

    aid: bytes = OPET_AID
    sfi: int = NUMBER_FILE_SFI
    access: FileAccess = FileAccess.BINARY
    record: int = 1
    encoding: NumberEncoding = NumberEncoding.ASCII
    name: str = "iso7816"

    def read(self, connection: CardConnection) -> CardNumber:
        channel = CardChannel(connection)
        selected = channel.exchange(select_by_aid(self.aid))
        if selected.sw in _NOT_THIS_CARD:
            raise ProfileMismatch(f"no application {self.aid.hex().upper()} ({selected.sw:04X})")
        if selected.sw != 0x9000:
            raise StatusWordError("SELECT", selected.sw)
        if self.access is FileAccess.BINARY:
            command = read_binary_sfi(self.sfi)
        else:
            command = read_record_sfi(self.sfi, self.record)
        return self.encoding.read_number(channel.call(command))
