"""The card watcher: one thread that waits on PC/SC for readers and cards and reads each tap.

The thread blocks in ``SCardGetStatusChange`` on every wanted reader plus the
``\\\\?PnP?\\Notification`` pseudo reader (reader arrival), so an idle watcher costs nothing;
:meth:`CardWatcher.stop` wakes it with ``SCardCancel``. When pcscd goes away
(``SCARD_E_NO_SERVICE``) it reports ``SERVICE_DOWN`` and re-establishes its context with a
growing back-off. Every ``card_presented`` is followed by exactly one ``card_removed``.

First tap wins: while a card is on one reader, a card arriving on another is ignored until it
is taken away and tapped again. The listener is called on the watcher thread.
"""
from __future__ import annotations

import logging
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum
from typing import Protocol

from hardware.apdu import ApduError, MalformedResponse
from hardware.card_number import CardNumber
from hardware.card_uid import CardUid
from hardware.pcsc import (
    INFINITE,
    PNP_NOTIFICATION,
    STATE_PRESENT,
    STATE_UNAWARE,
    UNKNOWN_READER,
    CardRemovedError,
    Context,
    PcscCardConnection,
    PcscError,
    ReaderState,
    ServiceUnavailable,
)
from hardware.profiles import CardProfile
from hardware.reading import DEFAULT_PROFILES, Identified, UnsupportedCard, read_identity

log = logging.getLogger(__name__)

FIRST_BACKOFF_S = 0.2


class ProblemKind(str, Enum):
    """What went wrong, in the terms the kiosk shows."""

    NO_READER = "no_reader"
    SERVICE_DOWN = "service_down"
    READ_FAILED = "read_failed"
    CARD_REMOVED = "card_removed"
    UNSUPPORTED_CARD = "unsupported_card"


@dataclass(frozen=True, slots=True)
class ReaderProblem:
    """A problem report; ``message`` is for logs and diagnostics and never holds a number."""

    kind: ProblemKind
    message: str
    reader: str | None = None


@dataclass(frozen=True, slots=True)
class CardRead:
    """A card read: its ``number``, or for the ``uid`` profile its ``uid`` (number then None).

    ``read_seconds`` runs from the moment PC/SC reported the card to the number being known.
    """

    reader: str
    number: CardNumber | None
    profile: str
    atr: bytes
    read_seconds: float
    uid: CardUid | None = None
    addressing: str = ""  # where the profile found it: "sfi", "current", "sector 1 block 0"...

    def __post_init__(self) -> None:
        if (self.number is None) == (self.uid is None):
            raise ValueError("a card read carries a number or a UID")

    @property
    def identity(self) -> CardNumber | CardUid:
        """The number, or the UID to resolve through the central service."""
        return self.number if self.number is not None else self.uid  # type: ignore[return-value]


class CardListener(Protocol):
    """Receives the watcher's events, on the watcher thread."""

    def card_presented(self, reader: str) -> None: ...

    def card_read(self, read: CardRead) -> None: ...

    def card_removed(self, reader: str) -> None: ...

    def reader_problem(self, problem: ReaderProblem) -> None: ...

    def readers_changed(self, readers: list[str]) -> None: ...


class CardWatcher:
    """Watches PC/SC readers (those whose name contains ``reader_filter``, case-insensitive)
    and reads each tapped card with ``profiles`` tried in order. ``tap_feedback`` is a command
    sent to the reader after each successful read (:mod:`hardware.tap_feedback`); a reader
    that refuses it keeps reading."""

    def __init__(
        self,
        listener: CardListener,
        profiles: Sequence[CardProfile] | None = None,
        reader_filter: str | None = None,
        *,
        removal_grace_seconds: float = 1.0,
        max_backoff_seconds: float = 5.0,
        tap_feedback: bytes | None = None,
    ) -> None:
        self._listener = listener
        self._profiles = tuple(profiles) if profiles else DEFAULT_PROFILES
        self._filter = reader_filter.casefold() if reader_filter else None
        self._removal_grace_ms = int(removal_grace_seconds * 1000)
        self._max_backoff = max_backoff_seconds
        self._tap_feedback = tap_feedback
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self._context: Context | None = None
        self._context_lock = threading.Lock()
        self._active: str | None = None  # reader of the card presented and not yet removed
        self._readers: list[str] = []

    @property
    def readers(self) -> list[str]:
        """The wanted readers last seen."""
        return list(self._readers)

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> None:
        """Starts the watcher thread; its first event is ``readers_changed`` or a problem."""
        if self.running:
            raise RuntimeError("the watcher is already running")
        self._stopping.clear()
        self._thread = threading.Thread(target=self._run, name="card-watcher", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        """Wakes the thread with ``SCardCancel`` and waits for it (a read in progress ends first)."""
        thread = self._thread
        if thread is None:
            return
        self._stopping.set()
        deadline = time.monotonic() + timeout
        while thread.is_alive() and time.monotonic() < deadline:
            with self._context_lock:
                if self._context is not None:
                    self._context.cancel()
            thread.join(0.1)
        if thread.is_alive():
            log.warning("card watcher did not stop within %.1f s", timeout)
        else:
            self._thread = None

    # --- the watcher thread ---------------------------------------------------------------

    def _run(self) -> None:
        backoff = FIRST_BACKOFF_S
        service_down = False
        while not self._stopping.is_set():
            try:
                context = Context()
            except PcscError as exc:
                if not service_down:
                    self._problem(ProblemKind.SERVICE_DOWN, f"PC/SC service unavailable: {exc}")
                    service_down = True
                self._stopping.wait(backoff)
                backoff = min(backoff * 2, self._max_backoff)
                continue
            service_down = False
            with self._context_lock:
                self._context = context
            try:
                self._watch(context)
                backoff = FIRST_BACKOFF_S
            except PcscError as exc:
                self._end_active_card()
                self._problem(ProblemKind.SERVICE_DOWN, f"lost the PC/SC service: {exc}")
                service_down = True
                backoff = FIRST_BACKOFF_S
                self._stopping.wait(backoff)
            except Exception:  # a bug must not end card reading on an unattended kiosk
                log.exception("card watcher failed; starting over")
                self._end_active_card()
                self._stopping.wait(self._max_backoff)
            finally:
                with self._context_lock:
                    self._context = None
                context.release()
        self._end_active_card()

    def _watch(self, context: Context) -> None:
        """Follows readers and cards on one context until stopped; raises when pcscd goes."""
        readers: list[str] | None = None
        states: dict[str, int] = {}
        pnp_state = STATE_UNAWARE
        while not self._stopping.is_set():
            listed = [name for name in context.list_readers() if self._wanted(name)]
            if listed != readers:
                self._readers_now(listed)
                readers = listed
                states = {name: states.get(name, STATE_UNAWARE) for name in readers}
            try:
                changes = context.get_status_change(INFINITE, [*states.items(), (PNP_NOTIFICATION, pnp_state)])
            except PcscError as exc:
                if exc.code == UNKNOWN_READER and not isinstance(exc, ServiceUnavailable):
                    continue  # a reader left between listing and waiting: list again
                raise
            woke = time.perf_counter()
            for change in changes or ():
                if change.reader == PNP_NOTIFICATION:
                    pnp_state = change.current
                elif change.reader in states and not change.gone:
                    previous, states[change.reader] = states[change.reader], change.current
                    self._reader_changed(context, change, previous, woke)

    def _wanted(self, reader: str) -> bool:
        return self._filter is None or self._filter in reader.casefold()

    def _readers_now(self, readers: list[str]) -> None:
        if self._active is not None and self._active not in readers:
            self._end_active_card()
        self._readers = readers
        log.info("readers: %s", ", ".join(readers) or "none")
        self._emit("readers_changed", list(readers))
        if not readers:
            self._problem(ProblemKind.NO_READER, "no card reader connected")

    def _reader_changed(self, context: Context, change: ReaderState, previous: int, woke: float) -> None:
        was_present = bool(previous & STATE_PRESENT)
        # Same presence but another insertion count: the card was swapped between two polls.
        swapped = was_present and change.present and (previous >> 16) != change.event_count
        if was_present and (swapped or not change.present):
            self._card_left(change.reader)
        if change.present and (swapped or not was_present):
            self._card_arrived(context, change.reader, woke)

    def _card_arrived(self, context: Context, reader: str, woke: float) -> None:
        if self._active is not None:
            log.info("card on %s ignored: the card on %s came first", reader, self._active)
            return
        self._active = reader
        self._emit("card_presented", reader)
        self._read(context, reader, woke)

    def _card_left(self, reader: str) -> None:
        if reader == self._active:
            self._end_active_card()

    def _end_active_card(self) -> None:
        reader, self._active = self._active, None
        if reader is not None:
            self._emit("card_removed", reader)

    def _read(self, context: Context, reader: str, woke: float) -> None:
        try:
            with PcscCardConnection(context, reader) as connection:
                identified = read_identity(connection, self._profiles)
                seconds = time.perf_counter() - woke
                self._read_done(reader, identified, connection.atr, seconds)
                self._give_feedback(connection)
        except ServiceUnavailable:
            raise
        except CardRemovedError:
            self._problem(ProblemKind.CARD_REMOVED, "card taken away during the read", reader)
        except UnsupportedCard as exc:
            self._problem(ProblemKind.UNSUPPORTED_CARD, str(exc), reader)
        except (PcscError, ApduError) as exc:
            # A transport failure or an empty answer may be the card leaving mid-read.
            transport = isinstance(exc, PcscError) or (isinstance(exc, MalformedResponse) and exc.empty)
            if transport and self._left_soon(context, reader):
                self._problem(ProblemKind.CARD_REMOVED, "card taken away during the read", reader)
            else:
                self._problem(ProblemKind.READ_FAILED, str(exc), reader)

    def _read_done(self, reader: str, identified: Identified, atr: bytes, seconds: float) -> None:
        identity, profile, addressing = identified
        if isinstance(identity, CardNumber):
            read = CardRead(reader, identity, profile, atr, seconds, addressing=addressing)
        else:
            read = CardRead(reader, None, profile, atr, seconds, uid=identity, addressing=addressing)
        log.info("read %s on %s by %s (%s) in %.1f ms", identity, reader, profile, addressing, seconds * 1000)
        self._emit("card_read", read)

    def _give_feedback(self, connection: PcscCardConnection) -> None:
        """Beeps/blinks after the read was reported; a refusal or a card already gone is logged
        and forgotten (pcscd going away still ends the watch)."""
        if self._tap_feedback is None:
            return
        try:
            answer = connection.transmit(self._tap_feedback)
        except ServiceUnavailable:
            raise
        except PcscError as exc:
            log.info("tap feedback not given: %s", exc)
            return
        if answer[-2:-1] != b"\x90":  # ACS readers answer 90 xx, xx the LED state
            log.info("tap feedback refused by the reader (%s)", answer[-2:].hex().upper() or "no answer")

    def _left_soon(self, context: Context, reader: str) -> bool:
        """After a failed transmit: does the reader report the card gone within the grace time?"""
        deadline = time.monotonic() + self._removal_grace_ms / 1000
        state = STATE_UNAWARE
        while (remaining := deadline - time.monotonic()) > 0:
            changes = context.get_status_change(max(1, int(remaining * 1000)), [(reader, state)])
            if not changes:
                return False
            if not changes[0].present:
                return True
            state = changes[0].current
        return False

    def _problem(self, kind: ProblemKind, message: str, reader: str | None = None) -> None:
        log.warning("%s%s: %s", kind.value, f" on {reader}" if reader else "", message)
        self._emit("reader_problem", ReaderProblem(kind, message, reader))

    def _emit(self, event: str, *args: object) -> None:
        try:
            getattr(self._listener, event)(*args)
        except Exception:
            log.exception("card listener failed in %s", event)
