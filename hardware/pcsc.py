"""A thin, typed layer over pyscard's low-level ``smartcard.scard`` API (PC/SC as pcsc-lite has it).

Return codes become exceptions: :class:`ServiceUnavailable` when pcscd is gone,
:class:`CardRemovedError` when the card left, :class:`PcscError` for the rest.
"""
from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass
from types import TracebackType

from smartcard import scard

PNP_NOTIFICATION = "\\\\?PnP?\\Notification"
INFINITE = scard.INFINITE

STATE_UNAWARE = scard.SCARD_STATE_UNAWARE
STATE_CHANGED = scard.SCARD_STATE_CHANGED
STATE_UNKNOWN = scard.SCARD_STATE_UNKNOWN
STATE_IGNORE = scard.SCARD_STATE_IGNORE
STATE_UNAVAILABLE = scard.SCARD_STATE_UNAVAILABLE
STATE_PRESENT = scard.SCARD_STATE_PRESENT
STATE_EXCLUSIVE = scard.SCARD_STATE_EXCLUSIVE
STATE_INUSE = scard.SCARD_STATE_INUSE
STATE_MUTE = scard.SCARD_STATE_MUTE

_U32 = 0xFFFFFFFF
SUCCESS = scard.SCARD_S_SUCCESS
CANCELLED = scard.SCARD_E_CANCELLED & _U32
TIMEOUT = scard.SCARD_E_TIMEOUT & _U32
NO_READERS = scard.SCARD_E_NO_READERS_AVAILABLE & _U32
UNKNOWN_READER = scard.SCARD_E_UNKNOWN_READER & _U32
_SERVICE_GONE = {scard.SCARD_E_NO_SERVICE & _U32, scard.SCARD_E_SERVICE_STOPPED & _U32}
_CARD_GONE = {scard.SCARD_W_REMOVED_CARD & _U32, scard.SCARD_E_NO_SMARTCARD & _U32}


class PcscError(Exception):
    """A PC/SC call failed; ``code`` is the unsigned return code."""

    def __init__(self, call: str, code: int) -> None:
        self.call = call
        self.code = code & _U32
        super().__init__(f"{call}: {scard.SCardGetErrorMessage(code).rstrip('.')} (0x{self.code:08X})")


class ServiceUnavailable(PcscError):
    """pcscd is not running (``SCARD_E_NO_SERVICE``) or stopped under us."""


class CardRemovedError(PcscError):
    """The card left the reader."""


def check(call: str, code: int) -> None:
    """Raises the exception matching a PC/SC return code, if it is not a success."""
    code &= _U32
    if code == SUCCESS:
        return
    if code in _SERVICE_GONE:
        raise ServiceUnavailable(call, code)
    if code in _CARD_GONE:
        raise CardRemovedError(call, code)
    raise PcscError(call, code)


@dataclass(frozen=True, slots=True)
class ReaderState:
    """One reader's state as ``SCardGetStatusChange`` reports it."""

    reader: str
    flags: int
    atr: bytes

    @property
    def present(self) -> bool:
        return bool(self.flags & STATE_PRESENT)

    @property
    def gone(self) -> bool:
        """The reader no longer exists (unplugged)."""
        return bool(self.flags & (STATE_UNKNOWN | STATE_IGNORE))

    @property
    def event_count(self) -> int:
        """pcsc-lite counts card insertions and removals in the high 16 bits."""
        return (self.flags >> 16) & 0xFFFF

    @property
    def current(self) -> int:
        """The value to pass back as ``dwCurrentState`` to wait for the next change."""
        return self.flags & ~STATE_CHANGED


class Context:
    """An established PC/SC context. :meth:`cancel` may be called from any thread."""

    def __init__(self) -> None:
        code, self._handle = scard.SCardEstablishContext(scard.SCARD_SCOPE_USER)
        check("SCardEstablishContext", code)
        self._lock = threading.Lock()
        self._released = False

    def list_readers(self) -> list[str]:
        """Reader names; an empty list when there are none."""
        code, readers = scard.SCardListReaders(self._handle, [])
        if code & _U32 == NO_READERS:
            return []
        check("SCardListReaders", code)
        return list(readers)

    def get_status_change(self, timeout_ms: int, states: Sequence[tuple[str, int]]) -> list[ReaderState] | None:
        """Blocks until a state differs from the one given; None on timeout or cancel."""
        code, changed = scard.SCardGetStatusChange(self._handle, timeout_ms, list(states))
        if code & _U32 in (TIMEOUT, CANCELLED):
            return None
        check("SCardGetStatusChange", code)
        return [ReaderState(reader, flags, bytes(atr)) for reader, flags, atr in changed]

    def cancel(self) -> None:
        """Wakes a blocked :meth:`get_status_change` of this context."""
        with self._lock:
            if not self._released:
                scard.SCardCancel(self._handle)

    def release(self) -> None:
        with self._lock:
            if not self._released:
                self._released = True
                scard.SCardReleaseContext(self._handle)

    def __enter__(self) -> Context:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.release()

    @property
    def handle(self) -> int:
        return self._handle


class PcscCardConnection:
    """A shared connection to the card in ``reader``, inside a PC/SC transaction so that no
    other application's commands (a second kiosk process, the diagnostic) interleave with the
    read: the :class:`~hardware.apdu.CardConnection` that profiles read through."""

    def __init__(self, context: Context, reader: str) -> None:
        code, self._card, self._protocol = scard.SCardConnect(
            context.handle, reader, scard.SCARD_SHARE_SHARED, scard.SCARD_PROTOCOL_T0 | scard.SCARD_PROTOCOL_T1
        )
        check("SCardConnect", code)
        self.reader = reader
        self._in_transaction = False
        try:
            check("SCardBeginTransaction", scard.SCardBeginTransaction(self._card))
            self._in_transaction = True
            code, _name, _state, _protocol, atr = scard.SCardStatus(self._card)
            check("SCardStatus", code)
        except PcscError:
            self.close()
            raise
        self._atr = bytes(atr)

    @property
    def atr(self) -> bytes:
        return self._atr

    def transmit(self, command: bytes) -> bytes:
        code, response = scard.SCardTransmit(self._card, self._protocol, list(command))
        check("SCardTransmit", code)
        return bytes(response)

    def close(self) -> None:
        if self._in_transaction:
            scard.SCardEndTransaction(self._card, scard.SCARD_LEAVE_CARD)
        scard.SCardDisconnect(self._card, scard.SCARD_LEAVE_CARD)

    def __enter__(self) -> PcscCardConnection:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.close()
