"""Card applications the emulator plays: each answers raw command APDUs like a real card.

A card app has an ``atr``, ``transmit(command) -> response`` and ``reset()``; that is also
the :class:`~hardware.apdu.CardConnection` protocol, so profiles can be tested against a card
app directly, without PC/SC. Contactless cards answer the reader's PC/SC pseudo-APDUs (class
``FF``) themselves here, since vpcd passes every command through to the card.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from hardware.apdu import MAX_SHORT_LE, CommandApdu
from hardware.atr import storage_card_atr, with_tck
from hardware.card_number import CardNumber
from hardware.card_uid import CardUid
from hardware.profiles.encoding import NumberEncoding
from hardware.profiles.iso7816 import NUMBER_FILE_SFI, OPET_AID
from hardware.profiles.mifare import MIFARE_DEFAULT_KEY, KeyType
from hardware.profiles.mifare_layout import BLOCK_BYTES, absolute_block, sector_of

# A T=1 contact card (TD1 = 0x81 names T=1), historical bytes "OPETKART".
ISO_CARD_ATR = with_tck(bytes.fromhex("3B8880") + b"\x01" + b"OPETKART")
# PC/SC part 3: an ISO 14443-4 card with no historical bytes, and a MIFARE Classic 1K.
CONTACTLESS_ATR = with_tck(bytes.fromhex("3B808001"))
MIFARE_CLASSIC_1K_ATR = storage_card_atr(0x03, 0x0001)

OK = b"\x90\x00"


def status(sw: int) -> bytes:
    """A response of only a status word."""
    return sw.to_bytes(2, "big")


class CardApp(Protocol):
    """A card as the emulator sees it."""

    @property
    def atr(self) -> bytes: ...

    def transmit(self, command: bytes) -> bytes: ...

    def reset(self) -> None: ...


@dataclass
class CardBehind:
    """``card`` seen through something between it and the reader (a fault, a counter, the
    reader's own commands): its ATR and resets are the card's, and so are its answers unless a
    subclass's :meth:`transmit` says otherwise."""

    card: CardApp

    @property
    def atr(self) -> bytes:
        return self.card.atr

    def reset(self) -> None:
        self.card.reset()

    def transmit(self, command: bytes) -> bytes:
        return self.card.transmit(command)


@dataclass
class IsoLoyaltyCard:
    """The Opet Kart ISO 7816-4 application with the number file (SFI 1, also record 1).

    ``chained`` answers like a T=0 card: ``61xx`` first, data by GET RESPONSE.
    ``exact_le`` answers ``6Cxx`` to any Le other than the exact data length.
    """

    number: CardNumber
    encoding: NumberEncoding = NumberEncoding.ASCII
    aid: bytes = OPET_AID
    chained: bool = False
    exact_le: bool = False
    atr: bytes = ISO_CARD_ATR
    _selected: bool = field(default=False, init=False)
    _pending: bytes = field(default=b"", init=False)

    def __post_init__(self) -> None:
        if isinstance(self.number, str):
            self.number = CardNumber.parse(self.number)

    def reset(self) -> None:
        self._selected = False
        self._pending = b""

    def transmit(self, command: bytes) -> bytes:
        try:
            apdu = CommandApdu.parse(command)
        except ValueError:
            return status(0x6700)
        if apdu.cla != 0x00:
            return status(0x6E00)
        if apdu.ins == 0xC0:
            return self._get_response(apdu)
        self._pending = b""
        if apdu.ins == 0xA4:
            return self._select(apdu)
        if apdu.ins == 0xB0:
            return self._read_binary(apdu)
        if apdu.ins == 0xB2:
            return self._read_record(apdu)
        return status(0x6D00)

    def _select(self, apdu: CommandApdu) -> bytes:
        if apdu.p1 != 0x04 or apdu.data != self.aid:
            self._selected = False
            return status(0x6A82)
        self._selected = True
        fci = bytes((0x6F, len(self.aid) + 2, 0x84, len(self.aid))) + self.aid
        return self._answer(fci, apdu.le)

    def _read_binary(self, apdu: CommandApdu) -> bytes:
        if not self._selected or apdu.p1 != 0x80 | NUMBER_FILE_SFI:
            return status(0x6A82)
        content = self.encoding.store_number(self.number)
        if apdu.p2 >= len(content):
            return status(0x6B00)
        return self._answer(content[apdu.p2 :], apdu.le)

    def _read_record(self, apdu: CommandApdu) -> bytes:
        if not self._selected or apdu.p2 != (NUMBER_FILE_SFI << 3) | 0x04:
            return status(0x6A82)
        if apdu.p1 != 1:
            return status(0x6A83)
        return self._answer(self.encoding.store_number(self.number), apdu.le)

    def _answer(self, data: bytes, le: int | None) -> bytes:
        if le is None:
            return OK
        if self.exact_le and le != len(data):
            return status(0x6C00 | len(data))
        if self.chained:
            self._pending = data
            return status(0x6100 | len(data))
        return data[:le] + OK

    def _get_response(self, apdu: CommandApdu) -> bytes:
        if not self._pending:
            return status(0x6985)
        wanted = apdu.le or MAX_SHORT_LE
        chunk, self._pending = self._pending[:wanted], self._pending[wanted:]
        if self._pending:
            return chunk + status(0x6100 | min(len(self._pending), 0xFF))
        return chunk + OK


@dataclass
class ContactlessUidCard:
    """A contactless card whose number is not readable: only its UID (``FF CA 00 00 00``)."""

    uid: CardUid
    atr: bytes = CONTACTLESS_ATR

    def reset(self) -> None:
        """Nothing to forget."""

    def transmit(self, command: bytes) -> bytes:
        return _get_uid(command, self.uid) or status(0x6D00)


def _get_uid(command: bytes, uid: CardUid) -> bytes | None:
    """The reader's GET DATA answer, or None when ``command`` is not a GET DATA."""
    if command[:2] != b"\xff\xca":
        return None
    if command[2:4] != b"\x00\x00":
        return status(0x6A81)
    return uid.value + OK


@dataclass
class MifareClassicCard:
    """A MIFARE Classic 1K behind a PC/SC reader: LOAD KEY, GENERAL AUTHENTICATE, READ BINARY.

    ``keys`` maps a sector to its (key A, key B); sectors not listed use the transport key.
    ``keys_by_type`` plays a reader that numbers keys as Identiv's uTrust readers document:
    LOAD KEY with P2 ``60``/``61`` (any other slot: ``6986``), AUTHENTICATE with key number 1.
    """

    blocks: dict[int, bytes]
    uid: CardUid = field(default_factory=lambda: CardUid(bytes.fromhex("A1B2C3D4")))
    keys: dict[int, tuple[bytes, bytes]] = field(default_factory=dict)
    atr: bytes = MIFARE_CLASSIC_1K_ATR
    keys_by_type: bool = False
    _key_slots: dict[int, bytes] = field(default_factory=dict, init=False)
    _authenticated_sector: int | None = field(default=None, init=False)

    @classmethod
    def with_number(
        cls,
        number: CardNumber,
        sector: int = 1,
        block: int = 0,
        key: bytes = MIFARE_DEFAULT_KEY,
        key_type: KeyType = KeyType.A,
        encoding: NumberEncoding = NumberEncoding.BCD,
    ) -> MifareClassicCard:
        """A card holding ``number`` in ``sector``/``block``, that sector locked with ``key``."""
        stored = encoding.store_number(number).ljust(BLOCK_BYTES, b"\xff" if encoding is NumberEncoding.BCD else b"\x00")
        other = bytes(6) if key != bytes(6) else MIFARE_DEFAULT_KEY
        pair = (key, other) if key_type is KeyType.A else (other, key)
        return cls({absolute_block(sector, block): stored}, keys={sector: pair})

    def reset(self) -> None:
        self._key_slots.clear()
        self._authenticated_sector = None

    def transmit(self, command: bytes) -> bytes:
        uid_answer = _get_uid(command, self.uid)
        if uid_answer is not None:
            return uid_answer
        if command[:1] != b"\xff" or len(command) < 5:
            return status(0x6D00)
        ins = command[1]
        if ins == 0x82:
            return self._load_key(command)
        if ins == 0x86:
            return self._authenticate(command)
        if ins == 0xB0:
            return self._read(command)
        return status(0x6A81)

    def _load_key(self, command: bytes) -> bytes:
        if command[4] != 6 or len(command) != 11:
            return status(0x6700)
        if self.keys_by_type and command[3] not in (KeyType.A.code, KeyType.B.code):
            return status(0x6986)
        self._key_slots[command[3]] = command[5:11]
        return OK

    def _authenticate(self, command: bytes) -> bytes:
        # FF 86 00 00 05 | 01 00 block key-type key-slot
        if len(command) != 10 or command[4] != 5 or command[5] != 0x01:
            return status(0x6700)
        block, key_code, slot = command[7], command[8], command[9]
        sector = sector_of(block)
        key_a, key_b = self.keys.get(sector, (MIFARE_DEFAULT_KEY, MIFARE_DEFAULT_KEY))
        wanted = {KeyType.A.code: key_a, KeyType.B.code: key_b}.get(key_code)
        if self.keys_by_type:
            slot = key_code if slot == 0x01 else -1
        if wanted is None or self._key_slots.get(slot) != wanted:
            self._authenticated_sector = None
            return status(0x6300)
        self._authenticated_sector = sector
        return OK

    def _read(self, command: bytes) -> bytes:
        block = command[3]
        sector = sector_of(block)
        if self._authenticated_sector != sector:
            return status(0x6982)
        return self.blocks.get(block, bytes(BLOCK_BYTES))[: command[4] or BLOCK_BYTES] + OK
