"""Command and response APDUs (ISO 7816-4, short length fields) and named status-word errors.

A :class:`CardConnection` is anything with an ATR that sends one command APDU to a card and
returns the raw response; profiles are written against it so they run the same through PC/SC
or straight against an emulated card app. :class:`CardChannel` adds the ISO dialogue rules on top:
``61xx`` (fetch the rest with GET RESPONSE) and ``6Cxx`` (re-issue with the right Le).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

SW_OK = 0x9000
MAX_SHORT_LE = 256
_MAX_GET_RESPONSES = 16

# Status words with a fixed meaning (ISO 7816-4 and PC/SC part 3 for the FF pseudo-APDUs).
STATUS_NAMES: dict[int, str] = {
    0x9000: "OK",
    0x6281: "DATA_MAY_BE_CORRUPTED",
    0x6282: "END_OF_FILE",
    0x6283: "FILE_DEACTIVATED",
    0x6300: "AUTHENTICATION_FAILED",
    0x6400: "EXECUTION_ERROR",
    0x6581: "MEMORY_FAILURE",
    0x6700: "WRONG_LENGTH",
    0x6881: "LOGICAL_CHANNEL_NOT_SUPPORTED",
    0x6882: "SECURE_MESSAGING_NOT_SUPPORTED",
    0x6981: "COMMAND_INCOMPATIBLE_WITH_FILE",
    0x6982: "SECURITY_STATUS_NOT_SATISFIED",
    0x6983: "AUTHENTICATION_METHOD_BLOCKED",
    0x6984: "REFERENCE_DATA_NOT_USABLE",
    0x6985: "CONDITIONS_NOT_SATISFIED",
    0x6986: "COMMAND_NOT_ALLOWED",
    0x6A80: "WRONG_DATA",
    0x6A81: "FUNCTION_NOT_SUPPORTED",
    0x6A82: "FILE_NOT_FOUND",
    0x6A83: "RECORD_NOT_FOUND",
    0x6A84: "NOT_ENOUGH_MEMORY",
    0x6A86: "INCORRECT_P1_P2",
    0x6A88: "REFERENCED_DATA_NOT_FOUND",
    0x6B00: "WRONG_P1_P2",
    0x6D00: "INS_NOT_SUPPORTED",
    0x6E00: "CLA_NOT_SUPPORTED",
    0x6F00: "NO_PRECISE_DIAGNOSIS",
}


def status_name(sw: int) -> str:
    """A readable name for a status word, ranges included (``61xx``, ``6Cxx``, ``63Cx``)."""
    if sw in STATUS_NAMES:
        return STATUS_NAMES[sw]
    sw1, sw2 = sw >> 8, sw & 0xFF
    if sw1 == 0x61:
        return "BYTES_REMAINING"
    if sw1 == 0x6C:
        return "WRONG_LE"
    if sw1 == 0x63 and sw2 & 0xF0 == 0xC0:
        return "VERIFY_FAILED_RETRIES_LEFT"
    if sw1 in (0x62, 0x63):
        return "WARNING"
    return "UNKNOWN_STATUS"


class ApduError(Exception):
    """The card's answer cannot be used. Messages never carry response data."""


class MalformedResponse(ApduError):
    """The answer is not a response APDU at all (e.g. shorter than its two status bytes).

    An empty answer is also what vpcd gives when the card leaves in the middle of a command.
    """

    def __init__(self, message: str, empty: bool = False) -> None:
        self.empty = empty
        super().__init__(message)


class StatusWordError(ApduError):
    """The card answered a command with a status word other than ``9000``."""

    def __init__(self, command: str, sw: int) -> None:
        self.command = command
        self.sw = sw
        self.name = status_name(sw)
        super().__init__(f"{command}: {sw:04X} {self.name}")


class InvalidCardData(ApduError):
    """The card answered ``9000`` but the data is not a card number in the expected form."""


@dataclass(frozen=True, slots=True)
class CommandApdu:
    """A short command APDU; ``le=None`` sends no Le, ``le=256`` is encoded as ``00``."""

    cla: int
    ins: int
    p1: int
    p2: int
    data: bytes = b""
    le: int | None = None
    name: str = "COMMAND"

    def __post_init__(self) -> None:
        for label in ("cla", "ins", "p1", "p2"):
            if not 0 <= getattr(self, label) <= 0xFF:
                raise ValueError(f"{label} is one byte")
        if len(self.data) > 255:
            raise ValueError("short APDUs carry at most 255 data bytes")
        if self.le is not None and not 1 <= self.le <= MAX_SHORT_LE:
            raise ValueError("Le is 1..256")

    def to_bytes(self) -> bytes:
        """The encoded command: header, then Lc+data when there is data, then Le when set."""
        encoded = bytes((self.cla, self.ins, self.p1, self.p2))
        if self.data:
            encoded += bytes((len(self.data),)) + self.data
        if self.le is not None:
            encoded += bytes((self.le % MAX_SHORT_LE,))
        return encoded

    def with_le(self, le: int) -> CommandApdu:
        """The same command asking for ``le`` bytes (the ``6Cxx`` re-issue)."""
        return CommandApdu(self.cla, self.ins, self.p1, self.p2, self.data, le, self.name)

    @classmethod
    def parse(cls, raw: bytes) -> CommandApdu:
        """Decodes a short command APDU (cases 1-4); raises ``ValueError`` on a bad encoding."""
        if len(raw) < 4:
            raise ValueError("a command APDU has a 4-byte header")
        header, body = raw[:4], raw[4:]
        data, le = b"", None
        if len(body) == 1:
            le = body[0] or MAX_SHORT_LE
        elif len(body) > 1:
            lc = body[0]
            if lc == 0 or len(body) not in (1 + lc, 2 + lc):
                raise ValueError("Lc does not match the command length")
            data = body[1 : 1 + lc]
            if len(body) == 2 + lc:
                le = body[-1] or MAX_SHORT_LE
        return cls(header[0], header[1], header[2], header[3], data, le)


@dataclass(frozen=True, slots=True)
class ResponseApdu:
    """A response APDU: data and the status word."""

    data: bytes
    sw: int

    @classmethod
    def parse(cls, raw: bytes) -> ResponseApdu:
        if len(raw) < 2:
            raise MalformedResponse(f"answer of {len(raw)} byte(s) has no status word", empty=not raw)
        return cls(bytes(raw[:-2]), (raw[-2] << 8) | raw[-1])

    @property
    def sw1(self) -> int:
        return self.sw >> 8

    @property
    def sw2(self) -> int:
        return self.sw & 0xFF


class CardConnection(Protocol):
    """What a profile reads a card through: its ATR and a raw transmit."""

    @property
    def atr(self) -> bytes: ...

    def transmit(self, command: bytes) -> bytes: ...


class CardChannel:
    """Sends commands and applies the ISO 7816-4 transport rules to the answers."""

    def __init__(self, connection: CardConnection) -> None:
        self.connection = connection

    def exchange(self, command: CommandApdu) -> ResponseApdu:
        """One command; follows ``6Cxx`` once and ``61xx`` chains. Returns any status word."""
        response = ResponseApdu.parse(self.connection.transmit(command.to_bytes()))
        if response.sw1 == 0x6C:
            response = ResponseApdu.parse(self.connection.transmit(command.with_le(response.sw2 or 256).to_bytes()))
        data = response.data
        for _ in range(_MAX_GET_RESPONSES):
            if response.sw1 != 0x61:
                return ResponseApdu(data, response.sw)
            get_response = CommandApdu(command.cla & 0x03, 0xC0, 0, 0, le=response.sw2 or 256, name="GET RESPONSE")
            response = ResponseApdu.parse(self.connection.transmit(get_response.to_bytes()))
            data += response.data
        raise MalformedResponse(f"{command.name}: more than {_MAX_GET_RESPONSES} GET RESPONSE rounds")

    def call(self, command: CommandApdu) -> bytes:
        """One command that must end in ``9000``; returns its data or raises :class:`StatusWordError`."""
        response = self.exchange(command)
        if response.sw != SW_OK:
            raise StatusWordError(command.name, response.sw)
        return response.data
