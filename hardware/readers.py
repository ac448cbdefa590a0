"""A snapshot of the PC/SC readers and their state, for diagnostics and start-up checks."""
from __future__ import annotations

from dataclasses import dataclass

from hardware.pcsc import (
    STATE_EXCLUSIVE,
    STATE_INUSE,
    STATE_MUTE,
    STATE_PRESENT,
    STATE_UNAVAILABLE,
    STATE_UNAWARE,
    Context,
    PcscError,
)

VIRTUAL_READER_PREFIX = "Virtual PCD"  # vsmartcard's vpcd readers


@dataclass(frozen=True, slots=True)
class ReaderStatus:
    """One reader: ``state`` is empty, card, card in use, mute card or unavailable."""

    name: str
    state: str
    atr: bytes


def _state_name(flags: int) -> str:
    if flags & STATE_UNAVAILABLE:
        return "unavailable"
    if not flags & STATE_PRESENT:
        return "empty"
    if flags & STATE_MUTE:
        return "mute card"
    if flags & (STATE_INUSE | STATE_EXCLUSIVE):
        return "card in use"
    return "card"


def reader_statuses() -> list[ReaderStatus]:
    """Every reader with its state; raises :class:`~hardware.pcsc.ServiceUnavailable` without pcscd."""
    with Context() as context:
        readers = context.list_readers()
        if not readers:
            return []
        states = context.get_status_change(0, [(name, STATE_UNAWARE) for name in readers]) or []
    return [ReaderStatus(s.reader, _state_name(s.flags), s.atr if s.present else b"") for s in states]


def virtual_reader_present() -> bool:
    """True when pcscd runs and offers a vsmartcard virtual reader (demo taps can go through it)."""
    try:
        with Context() as context:
            return any(name.startswith(VIRTUAL_READER_PREFIX) for name in context.list_readers())
    except PcscError:
        return False
