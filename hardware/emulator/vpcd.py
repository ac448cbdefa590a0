"""The vpcd side of a virtual card: a TCP client of vsmartcard's vpcd reader driver.

Each message is a 2-byte big-endian length then the payload. A 1-byte payload is a control
(0 power off, 1 power on, 2 reset, 4 send the ATR); anything else is a command APDU to answer.
Connecting is inserting the card, closing is taking it away.

vpcd writes length and payload separately without TCP_NODELAY, so with delayed ACKs every
APDU would stall ~40 ms; re-arming TCP_QUICKACK before each receive avoids that.
"""
from __future__ import annotations

import contextlib
import logging
import socket
import threading
from types import TracebackType

from hardware.emulator.cards import CardApp
from hardware.emulator.faults import CardPulled

log = logging.getLogger(__name__)

VPCD_HOST = "127.0.0.1"
VPCD_PORT = 35963  # "Virtual PCD 00 00"; slot n listens on VPCD_PORT + n
CONTROL_POWER_OFF, CONTROL_POWER_ON, CONTROL_RESET, CONTROL_ATR = 0, 1, 2, 4


class EmulatorError(Exception):
    """The virtual card cannot reach the vpcd reader."""


class VirtualCard:
    """Holds ``card_app`` on a vpcd reader slot between :meth:`insert` and :meth:`remove`."""

    def __init__(
        self,
        card_app: CardApp,
        host: str = VPCD_HOST,
        port: int = VPCD_PORT,
        connect_timeout: float = 2.0,
        quickack: bool = True,
    ) -> None:
        self.card_app = card_app
        self.quickack = quickack  # False only to measure vpcd's delayed-ACK stall
        self.host = host
        self.port = port
        self._connect_timeout = connect_timeout
        self._sock: socket.socket | None = None
        self._thread: threading.Thread | None = None
        self.left = threading.Event()  # set once vpcd has let the card go (removed or pulled)
        self._leaving = threading.Event()

    @property
    def inserted(self) -> bool:
        return self._thread is not None and not self.left.is_set()

    def insert(self) -> None:
        """Connects to vpcd: the reader sees the card at its next presence poll."""
        if self._thread is not None:
            raise EmulatorError("card is already inserted")
        try:
            sock = socket.create_connection((self.host, self.port), timeout=self._connect_timeout)
        except OSError as exc:
            raise EmulatorError(f"no vpcd reader on {self.host}:{self.port} ({exc.strerror or exc})") from None
        sock.settimeout(None)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self._sock = sock
        self.left.clear()
        self._leaving.clear()
        self._thread = threading.Thread(target=self._serve, args=(sock,), name=f"vpcd-card-{self.port}", daemon=True)
        self._thread.start()

    def remove(self, timeout: float = 2.0) -> None:
        """Takes the card away and returns once vpcd has let it go (at its next presence poll).

        The card side half-closes the connection and answers nothing more; vpcd then fails its
        next exchange and drops the card, so its slot is truly empty when this returns and a card
        inserted next is seen as a new card. (Closing outright lets vpcd accept the next card
        in the same poll that would have noticed the removal: pcscd then sees neither.)
        """
        sock, thread = self._sock, self._thread
        if sock is None or thread is None:
            return
        self._leaving.set()
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_WR)
        thread.join(timeout)
        if thread.is_alive():
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            thread.join()
        sock.close()
        self._sock = self._thread = None

    def __enter__(self) -> VirtualCard:
        self.insert()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.remove()

    def _serve(self, sock: socket.socket) -> None:
        try:
            while (message := _receive(sock, self.quickack)) is not None:
                if self._leaving.is_set():
                    continue  # leaving: vpcd gets no answer and drops the card
                try:
                    answer = self._answer(message)
                except CardPulled:
                    log.debug("card pulled from port %d mid-dialogue", self.port)
                    self._leaving.set()
                    sock.shutdown(socket.SHUT_WR)
                    continue
                if answer is not None:
                    sock.sendall(len(answer).to_bytes(2, "big") + answer)
        except OSError as exc:
            log.debug("vpcd connection on port %d ended: %s", self.port, exc)
        finally:
            self.left.set()

    def _answer(self, message: bytes) -> bytes | None:
        if len(message) == 1:
            control = message[0]
            if control == CONTROL_ATR:
                return self.card_app.atr
            if control in (CONTROL_POWER_ON, CONTROL_POWER_OFF, CONTROL_RESET):
                self.card_app.reset()
            return None
        return self.card_app.transmit(message)


def _receive(sock: socket.socket, quickack: bool) -> bytes | None:
    """One vpcd message, or None when vpcd closed the connection."""
    header = _receive_exactly(sock, 2, quickack)
    if header is None:
        return None
    return _receive_exactly(sock, int.from_bytes(header, "big"), quickack)


def _receive_exactly(sock: socket.socket, size: int, quickack: bool) -> bytes | None:
    chunks = bytearray()
    while len(chunks) < size:
        if quickack:  # the kernel clears it after each ACK: re-arm before every receive
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_QUICKACK, 1)
        chunk = sock.recv(size - len(chunks))
        if not chunk:
            return None
        chunks += chunk
    return bytes(chunks)
