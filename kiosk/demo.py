"""Demo taps: a card tapped on the kiosk without any hardware.

With pcscd and vsmartcard's virtual reader present, a demo tap goes through the real PC/SC
stack: the card emulator connects to vpcd, pcscd sees a card, the card watcher reads it.
Without them, :class:`DemoReader` stands in for the whole reader and says so in its name.
"""
from __future__ import annotations

import threading
import time

from hardware.card_number import CardNumber
from hardware.emulator import IsoLoyaltyCard, VirtualCard
from hardware.watcher import CardListener, CardRead

DEMO_READER_NAME = "Demo reader (no PC/SC)"


class EmulatedTap:
    """Taps through pcscd: the emulated card is held on the virtual reader for a while."""

    def __init__(self, port: int, hold_seconds: float = 2.5) -> None:
        self._port = port
        self._hold = hold_seconds

    def tap(self, number: CardNumber) -> None:
        threading.Thread(target=self._hold_card, args=(number,), name="demo-tap", daemon=True).start()

    def _hold_card(self, number: CardNumber) -> None:
        with VirtualCard(IsoLoyaltyCard(number), port=self._port):
            time.sleep(self._hold)


class DemoReader:
    """A named stand-in for a reader when PC/SC is not available: events go straight to
    the listener, as the watcher would send them."""

    def __init__(self, listener: CardListener, hold_seconds: float = 2.5) -> None:
        self._listener = listener
        self._hold = hold_seconds

    def tap(self, number: CardNumber) -> None:
        self._listener.card_presented(DEMO_READER_NAME)
        self._listener.card_read(CardRead(DEMO_READER_NAME, number, "demo", b"", 0.0))
        timer = threading.Timer(self._hold, self._listener.card_removed, args=(DEMO_READER_NAME,))
        timer.daemon = True
        timer.start()
