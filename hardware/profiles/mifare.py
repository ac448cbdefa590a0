"""MIFARE Classic profile through the PC/SC storage-card pseudo-APDUs.

LOAD KEY (``FF 82``) puts a key in the reader, GENERAL AUTHENTICATE (``FF 86``) opens the
sector, READ BINARY (``FF B0``) reads the 16-byte block holding the number. Sector, block and
keys come from the deployment's configuration; keys are tried in order until one opens the
sector.
"""
from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from hardware.apdu import CardChannel, CardConnection, CommandApdu, InvalidCardData, StatusWordError
from hardware.atr import MIFARE_CLASSIC_NAMES, storage_card_name
from hardware.card_number import CardNumber
from hardware.profiles import Located, ProfileMismatch
from hardware.profiles.encoding import NumberEncoding
from hardware.profiles.mifare_layout import BLOCK_BYTES, DEFAULT_BLOCK, DEFAULT_SECTOR, absolute_block

MIFARE_DEFAULT_KEY = bytes.fromhex("FFFFFFFFFFFF")
_AUTH_FAILED = {0x6300, 0x6982, 0x6983}


class KeyType(str, Enum):
    """Which of a sector's two keys; the value is the authentication code sent to the reader."""

    A = "A"
    B = "B"

    @property
    def code(self) -> int:
        return 0x60 if self is KeyType.A else 0x61


@dataclass(frozen=True)
class MifareKey:
    """A 6-byte sector key and whether it is key A or key B. ``repr`` hides the key."""

    key: bytes
    key_type: KeyType = KeyType.A

    def __post_init__(self) -> None:
        if len(self.key) != 6:
            raise ValueError("a MIFARE Classic key has 6 bytes")

    def __repr__(self) -> str:
        return f"MifareKey(key type {self.key_type.value})"


def load_key(key: bytes, slot: int) -> CommandApdu:
    return CommandApdu(0xFF, 0x82, 0x00, slot, key, name="LOAD KEY")


def authenticate(block: int, key_type: KeyType, slot: int) -> CommandApdu:
    return CommandApdu(0xFF, 0x86, 0x00, 0x00, bytes((0x01, 0x00, block, key_type.code, slot)), name="AUTHENTICATE")


def read_block(block: int) -> CommandApdu:
    return CommandApdu(0xFF, 0xB0, 0x00, block, le=BLOCK_BYTES, name="READ BINARY")


@dataclass(frozen=True)
class MifareClassicProfile:
    """Reads the number from ``sector``/``block`` of a MIFARE Classic card."""

    sector: int = DEFAULT_SECTOR
    block: int = DEFAULT_BLOCK
    keys: tuple[MifareKey, ...] = (MifareKey(MIFARE_DEFAULT_KEY),)
    encoding: NumberEncoding = NumberEncoding.BCD
    key_slot: int = 0
    key_slot_by_type: bool = False
    auth_key_number: int | None = None  # None: the slot the key was loaded into
    name: str = "mifare_classic"

    def __post_init__(self) -> None:
        absolute_block(self.sector, self.block)
        if not self.keys:
            raise ValueError("at least one key is needed")

    def read(self, connection: CardConnection) -> CardNumber:
        return self.read_located(connection).identity  # type: ignore[return-value]

    def read_located(self, connection: CardConnection) -> Located:
        if storage_card_name(connection.atr) not in MIFARE_CLASSIC_NAMES:
            raise ProfileMismatch("ATR is not a MIFARE Classic card's")
        channel = CardChannel(connection)
        block = absolute_block(self.sector, self.block)
        self._open_sector(channel, block)
        data = channel.call(read_block(block))
        if len(data) != BLOCK_BYTES:
            raise InvalidCardData(f"READ BINARY gave {len(data)} bytes, not a {BLOCK_BYTES}-byte block")
        number = self.encoding.read_number(data[: self.encoding.stored_length])
        return Located(number, f"sector {self.sector} block {self.block}")

    def _open_sector(self, channel: CardChannel, block: int) -> None:
        for index, key in enumerate(self.keys):
            slot = key.key_type.code if self.key_slot_by_type else self.key_slot
            channel.call(load_key(key.key, slot))
            number = slot if self.auth_key_number is None else self.auth_key_number
            response = channel.exchange(authenticate(block, key.key_type, number))
            if response.sw == 0x9000:
                return
            if response.sw not in _AUTH_FAILED or index == len(self.keys) - 1:
                raise StatusWordError("AUTHENTICATE", response.sw)
