"""Fixtures for the reader tests: a card watcher on the rig's virtual readers."""
from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import pytest

from hardware.profiles import CardProfile
from hardware.watcher import CardWatcher
from tests.hardware.recording import RecordingListener
from tests.rigs.pcsc import PcscRig

NUMBER = "7000070012806566"
OTHER_NUMBER = "7000071234567895"


@dataclass
class Watching:
    """A started watcher and the listener recording its events."""

    watcher: CardWatcher
    listener: RecordingListener


def card_threads() -> list[str]:
    """Names of live threads the reader layer starts (watcher and emulated cards)."""
    return sorted(t.name for t in threading.enumerate() if t.name.startswith(("card-watcher", "vpcd-card")))


@pytest.fixture
def watch(pcscd: PcscRig) -> Iterator[Callable[..., Watching]]:
    """``watch(profiles=None, reader_filter="Virtual PCD", **options)`` starts a watcher (options:
    the watcher's keyword arguments, e.g. ``tap_feedback``); every watcher is stopped after the
    test, leaving no thread behind."""
    started: list[CardWatcher] = []

    def start(profiles: Sequence[CardProfile] | None = None, reader_filter: str | None = "Virtual PCD", **options: Any) -> Watching:
        listener = RecordingListener()
        watcher = CardWatcher(listener, profiles, reader_filter, **options)
        watcher.start()
        started.append(watcher)
        return Watching(watcher, listener)

    yield start
    for watcher in started:
        watcher.stop()
        assert not watcher.running
    assert card_threads() == []


@pytest.fixture
def restartable_pcscd(pcscd: PcscRig) -> Iterator[PcscRig]:
    """The rig's pcscd for tests that stop or reconfigure it; afterwards it runs again with both readers."""
    yield pcscd
    if not pcscd.has_readers():
        pcscd.restart(with_readers=True)
