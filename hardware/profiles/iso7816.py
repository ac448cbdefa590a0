"""ISO 7816-4 profile: SELECT the loyalty application by AID, then read the number file.

The number file is found by one of three addressings, tried in the configured order:

- ``sfi``: READ BINARY / READ RECORD naming the EF by its short file identifier (P1 bit 8 set,
  or P2 = SFI << 3 | 4);
- ``fid``: SELECT the EF by its 2-byte file identifier, then READ BINARY / READ RECORD of
  the current file;
- ``current``: READ BINARY / READ RECORD of the file the application makes current when it
  is selected (many applets serve their data that way).

A card that does not know an addressing answers ``6A81``, ``6986``, ``6A82`` or ``6A86``; the
next addressing is then tried. The one that worked is remembered per ATR (a bounded
:class:`AddressingMemory`), so the next tap of a card of that type tries it first and costs no
extra round trip. The number is stored as ASCII digits or packed BCD. ``61xx`` and ``6Cxx`` are
followed by :class:`~hardware.apdu.CardChannel`.
"""
from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import Enum

from hardware.apdu import MAX_SHORT_LE, CardChannel, CardConnection, CommandApdu, StatusWordError
from hardware.card_number import CardNumber
from hardware.profiles import Located, ProfileMismatch
from hardware.profiles.encoding import NumberEncoding

OPET_AID = bytes.fromhex("F04F5045544B415254")  # F0 + "OPETKART"
NUMBER_FILE_SFI = 1

# Answers to SELECT meaning "no such application here" rather than "this card is broken".
_NOT_THIS_CARD = {0x6A82, 0x6A81, 0x6A86, 0x6B00, 0x6D00, 0x6E00}
# Answers to a read meaning "not addressed this way here": the next addressing is tried.
FALLBACK_STATUSES = frozenset({0x6A81, 0x6986, 0x6A82, 0x6A86})
MEMORY_SIZE = 64


class FileAccess(str, Enum):
    """How the number file is read."""

    BINARY = "binary"
    RECORD = "record"


class Addressing(str, Enum):
    """How the number file is named to the card."""

    SFI = "sfi"
    FID = "fid"
    CURRENT = "current"


DEFAULT_ADDRESSING = (Addressing.SFI, Addressing.CURRENT)


def select_by_aid(aid: bytes) -> CommandApdu:
    """SELECT by DF name, first occurrence, FCI wanted."""
    return CommandApdu(0x00, 0xA4, 0x04, 0x00, aid, le=MAX_SHORT_LE, name="SELECT")


def select_ef(fid: bytes) -> CommandApdu:
    """SELECT the EF ``fid`` under the current DF (P1 02), no answer data wanted (P2 0C)."""
    return CommandApdu(0x00, 0xA4, 0x02, 0x0C, fid, name="SELECT EF")


def read_binary_sfi(sfi: int, offset: int = 0) -> CommandApdu:
    """READ BINARY of the EF with short identifier ``sfi`` (P1 bit 8 set), as much as there is."""
    return CommandApdu(0x00, 0xB0, 0x80 | sfi, offset, le=MAX_SHORT_LE, name="READ BINARY")


def read_record_sfi(sfi: int, record: int) -> CommandApdu:
    """READ RECORD ``record`` of the EF with short identifier ``sfi``."""
    return CommandApdu(0x00, 0xB2, record, (sfi << 3) | 0x04, le=MAX_SHORT_LE, name="READ RECORD")


def read_binary_current(offset: int = 0) -> CommandApdu:
    """READ BINARY of the current EF from ``offset`` (P1 bit 8 clear)."""
    return CommandApdu(0x00, 0xB0, offset >> 8, offset & 0xFF, le=MAX_SHORT_LE, name="READ BINARY")


def read_record_current(record: int) -> CommandApdu:
    """READ RECORD ``record`` of the current EF (P2 04)."""
    return CommandApdu(0x00, 0xB2, record, 0x04, le=MAX_SHORT_LE, name="READ RECORD")


class AddressingMemory:
    """Which addressing last worked for a card type (its ATR); the oldest of ``size`` ATRs is
    forgotten first. Shared by the watcher's reads, so it is locked."""

    def __init__(self, size: int = MEMORY_SIZE) -> None:
        self._size = size
        self._ways: OrderedDict[bytes, Addressing] = OrderedDict()
        self._lock = threading.Lock()

    def order(self, atr: bytes, configured: Sequence[Addressing]) -> list[Addressing]:
        """``configured``, with the way remembered for ``atr`` (if any) moved first."""
        with self._lock:
            known = self._ways.get(atr)
        if known is None or known not in configured:
            return list(configured)
        return [known, *(way for way in configured if way is not known)]

    def remember(self, atr: bytes, way: Addressing) -> None:
        with self._lock:
            self._ways[atr] = way
            self._ways.move_to_end(atr)
            while len(self._ways) > self._size:
                self._ways.popitem(last=False)

    def __len__(self) -> int:
        return len(self._ways)


@dataclass(frozen=True)
class Iso7816Profile:
    """Reads the number from an ISO 7816-4 application (the Opet Kart application by default)."""

    aid: bytes = OPET_AID
    sfi: int = NUMBER_FILE_SFI
    access: FileAccess = FileAccess.BINARY
    record: int = 1
    encoding: NumberEncoding = NumberEncoding.ASCII
    addressing: tuple[Addressing, ...] = DEFAULT_ADDRESSING
    fid: bytes | None = None
    name: str = "iso7816"
    memory: AddressingMemory = field(default_factory=AddressingMemory, compare=False, repr=False)

    def __post_init__(self) -> None:
        if not self.addressing:
            raise ValueError("at least one addressing is needed")
        if Addressing.FID in self.addressing and (self.fid is None or len(self.fid) != 2):
            raise ValueError("addressing by fid needs a 2-byte fid")

    def read(self, connection: CardConnection) -> CardNumber:
        return self.read_located(connection).identity  # type: ignore[return-value]

    def read_located(self, connection: CardConnection) -> Located:
        channel = CardChannel(connection)
        selected = channel.exchange(select_by_aid(self.aid))
        if selected.sw in _NOT_THIS_CARD:
            raise ProfileMismatch(f"no application {self.aid.hex().upper()} ({selected.sw:04X})")
        if selected.sw != 0x9000:
            raise StatusWordError("SELECT", selected.sw)
        atr = connection.atr
        refused: StatusWordError | None = None
        for way in self.memory.order(atr, self.addressing):
            try:
                data = self._read_file(channel, way)
            except StatusWordError as exc:
                if exc.sw not in FALLBACK_STATUSES:
                    raise
                refused = exc
                continue
            number = self.encoding.read_number(data)
            self.memory.remember(atr, way)
            return Located(number, way.value)
        assert refused is not None  # the loop ran at least once
        raise refused

    def _read_file(self, channel: CardChannel, way: Addressing) -> bytes:
        """The number file's content, addressed ``way``; raises StatusWordError on a refusal."""
        if way is Addressing.SFI:
            if self.access is FileAccess.BINARY:
                return channel.call(read_binary_sfi(self.sfi))
            return channel.call(read_record_sfi(self.sfi, self.record))
        if way is Addressing.FID:
            assert self.fid is not None
            channel.call(select_ef(self.fid))
        if self.access is FileAccess.BINARY:
            return channel.call(read_binary_current())
        return channel.call(read_record_current(self.record))
