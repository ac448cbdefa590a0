"""Misbehaving cards: a wrapper that spoils one answer of a good card app.

``FaultyCard(card, fault, at_command=n)`` answers like ``card`` except for its ``n``-th
command APDU (0-based, control messages not counted), where ``fault`` decides the answer.
"""
from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

from hardware.emulator.cards import CardBehind


class CardPulled(Exception):
    """Raised by a card app to be taken off the reader without answering."""


class Fault(Protocol):
    """Makes the answer to one command, given the good card's way of answering it."""

    def answer(self, command: bytes, good: Callable[[bytes], bytes]) -> bytes: ...


@dataclass(frozen=True)
class WrongStatus:
    """Answers only the status word ``sw``."""

    sw: int

    def answer(self, command: bytes, good: Callable[[bytes], bytes]) -> bytes:
        return self.sw.to_bytes(2, "big")


@dataclass(frozen=True)
class RawAnswer:
    """Answers exactly ``raw``: a short answer (``b"\\x90"``) or garbage.

    Through vpcd, ``b""`` is not "no answer": vpcd then waits for more bytes until the card
    leaves, and reports the empty answer only then.
    """

    raw: bytes

    def answer(self, command: bytes, good: Callable[[bytes], bytes]) -> bytes:
        return self.raw


@dataclass(frozen=True)
class SlowAnswer:
    """Answers correctly after ``seconds``."""

    seconds: float

    def answer(self, command: bytes, good: Callable[[bytes], bytes]) -> bytes:
        time.sleep(self.seconds)
        return good(command)


@dataclass(frozen=True)
class PullCard:
    """Leaves the reader instead of answering (after ``seconds``)."""

    seconds: float = 0.0

    def answer(self, command: bytes, good: Callable[[bytes], bytes]) -> bytes:
        time.sleep(self.seconds)
        raise CardPulled


@dataclass
class FaultyCard(CardBehind):
    """``card`` with ``fault`` applied to its ``at_command``-th command APDU."""

    fault: Fault
    at_command: int = 0
    _seen: int = field(default=0, init=False)

    def transmit(self, command: bytes) -> bytes:
        index, self._seen = self._seen, self._seen + 1
        if index == self.at_command:
            return self.fault.answer(command, self.card.transmit)
        return self.card.transmit(command)
