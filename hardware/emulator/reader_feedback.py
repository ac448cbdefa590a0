"""The reader's side of tap feedback: an ACS reader's LED and buzzer pseudo-APDU.

vpcd hands every command to the card, so the reader's own commands (class ``FF``) are
answered here. :class:`AcsFeedbackReader` wraps any card app and answers ACS's "Bi-color LED
and Buzzer Control" (``FF 00 40 P2 04 T1 T2 repeats buzzer``) with ``90`` and the LED state,
as the ACR122U API documents; everything else goes to the card. ``feedback`` records each
command received and ``given`` is set at the first, for tests to wait on.
"""
from __future__ import annotations

import threading
from dataclasses import dataclass, field

from hardware.emulator.cards import CardBehind

ACS_LED_BUZZER = b"\xff\x00\x40"


@dataclass
class AcsFeedbackReader(CardBehind):
    """``card`` on a reader that beeps and blinks on ``FF 00 40``."""

    feedback: list[bytes] = field(default_factory=list)
    given: threading.Event = field(default_factory=threading.Event)

    def transmit(self, command: bytes) -> bytes:
        if not command.startswith(ACS_LED_BUZZER):
            return self.card.transmit(command)
        if len(command) != 9 or command[4] != 0x04:
            return b"\x67\x00"
        self.feedback.append(command)
        self.given.set()
        final_led_state = command[3] & 0x03
        return bytes((0x90, final_led_state))
