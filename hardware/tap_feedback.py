"""Tap feedback: the command that makes a reader beep and blink after a successful read.

One entry per reader model, named as ``[reader] tap_feedback`` names it (``"none"``, the
default, sends nothing). Plain bytes, no APDU layer imported: the kiosk checks the name before
its first frame. Sources of each command are in docs/READERS.md; a reader that refuses the
command (any status word, or a transport error) only loses the beep, never the read.
"""
from __future__ import annotations

# ACS "Bi-color LED and Buzzer Control" pseudo-APDU FF 00 40 P2 04 T1 T2 repeats buzzer:
# P2 0x2E = green LED blinks (initial on), red/green state masks set, final green off;
# T1 = 1 (100 ms on), T2 = 0, 1 repetition, buzzer on during T1: one short beep and blink.
_ACS_BEEP_BLINK = bytes.fromhex("FF00402E0401000101")

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
