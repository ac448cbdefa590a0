"""Tap feedback: the command that makes a reader beep and blink after a successful read.

One entry per reader model, named as ``[reader] tap_feedback`` names it (``"none"``, the
default, sends nothing). Plain bytes, no APDU layer imported: the kiosk checks the name before
its first frame. Sources of each command are in docs/READERS.md; a reader that refuses the
command (any status word, or a transport error) only loses the beep, never the read.
"""
from __future__ import annotations

# ACS "Bi-color LED and Buzzer Control" pseudo-APDU FF 00 40 P2 04 T1 T2 repeats buzzer:
# P2 0xA0 = green blinking mask (bit 7) with its initial blinking state on (bit 5), no state
# mask (the LEDs end as they were); T1 = 1 and T2 = 1 (100 ms each), 1 repetition, buzzer
# during T1: one 100 ms beep with one green blink.
_ACS_BEEP_BLINK = bytes.fromhex("FF0040A00401010101")

TAP_FEEDBACK: dict[str, bytes] = {
    "acr122u": _ACS_BEEP_BLINK,   # ACR122U API, "Bi-Color LED and Buzzer Control"
    "acr1252u": _ACS_BEEP_BLINK,  # ACR1252U family, "ACR122U Compatible Commands"
}
NO_FEEDBACK = "none"
FEEDBACK_NAMES = (NO_FEEDBACK, *TAP_FEEDBACK)


class FeedbackConfigError(ValueError):
    """``tap_feedback`` names no known reader model."""


def feedback_command(model: str) -> bytes | None:
    """The command for ``model`` (None for ``"none"``); :class:`FeedbackConfigError` otherwise."""
    if model == NO_FEEDBACK:
        return None
    if model not in TAP_FEEDBACK:
        raise FeedbackConfigError(f"tap_feedback must be one of {', '.join(FEEDBACK_NAMES)}")
    return TAP_FEEDBACK[model]
