"""The kiosk session: what the screen shows, and every event that changes it.

All methods run on the UI thread (the card watcher and the network reach it through a
dispatcher). The state is one immutable :class:`KioskState`; listeners get each new state.
A look-up that comes back after a newer tap, a removal or a timeout is dropped, and when the
driver leaves (idle timeout, card taken away) everything returns to the defaults, language
included, so nothing of the previous driver is ever shown to the next one.
"""
from __future__ import annotations

import datetime as dt
import logging
import time
from dataclasses import dataclass, replace
from typing import Callable, Protocol

from hardware.card_number import CardNumber
from hardware.card_uid import CardUid
from kiosk.balance import Balance, CardStatus, Entry, Movement
from kiosk.holder_form import FormError, FormField, accepts, birth_date, normalized_name
from kiosk.keypad import Throttle, check_typed_number
from kiosk.published import Published
from kiosk.scheduling import BackgroundWork, Countdown, Outcome, Scheduler
from kiosk.state import (
    ActivationField,
    ActivationForm,
    ActivationNotice,
    AttendantCall,
    KeypadError,
    KioskState,
    Problem,
    ReaderHealth,
    Screen,
)
from kiosk.transport import FailureKind, RequestFailed
from opetcard.numbers import CARD_DIGITS

log = logging.getLogger(__name__)

LANGUAGES = ("tr", "en")

_CARD_SCREENS = (Screen.READING, Screen.BALANCE, Screen.PROBLEM)
_BALANCE_SUBPAGES = (Screen.ACTIVATION_HELP, Screen.REGISTRATION_HELP, Screen.ACTIVATE_HERE)
"""Opened from a balance, and "Back" returns to it."""

_NOTICE_FOR_FORM_ERROR = {
    FormError.NAME_MISSING: ActivationNotice.NAME_MISSING,
    FormError.NAME_NEEDS_SURNAME: ActivationNotice.NAME_NEEDS_SURNAME,
    FormError.BIRTH_DATE_INCOMPLETE: ActivationNotice.BIRTH_DATE_INCOMPLETE,
    FormError.BIRTH_DATE_INVALID: ActivationNotice.BIRTH_DATE_INVALID,
}
_NOTICE_FOR_ACTIVATION_FAILURE = {  # any other failure: the service could not be asked
    FailureKind.WRONG_NAME: ActivationNotice.WRONG_NAME,
    FailureKind.WRONG_BIRTH_DATE: ActivationNotice.WRONG_BIRTH_DATE,
    FailureKind.WRONG_NAME_AND_BIRTH_DATE: ActivationNotice.WRONG_NAME_AND_BIRTH_DATE,
    FailureKind.RATE_LIMITED: ActivationNotice.TOO_MANY_ATTEMPTS,
    FailureKind.NOT_REGISTERED: ActivationNotice.NOT_REGISTERED,
    FailureKind.ALREADY_REPLACED: ActivationNotice.NOT_POSSIBLE,
    FailureKind.CARD_BLOCKED: ActivationNotice.NOT_POSSIBLE,
    FailureKind.UNKNOWN_CARD: ActivationNotice.NOT_POSSIBLE,
}
_FORM_FIELD = {ActivationField.NAME: FormField.FULL_NAME, ActivationField.BIRTH_DATE: FormField.BIRTH_DATE}

_PROBLEM_FOR_FAILURE = {  # any other failure of a look-up: the balance is not available
    FailureKind.UNKNOWN_CARD: Problem.UNKNOWN_CARD,
    FailureKind.INVALID_NUMBER: Problem.INVALID_NUMBER,
    FailureKind.RATE_LIMITED: Problem.RATE_LIMITED,
    FailureKind.UNAUTHORIZED: Problem.KIOSK_NOT_AUTHORIZED,
}


@dataclass(frozen=True)
class SessionSettings:
    idle_timeout_seconds: float = 30.0
    removal_linger_seconds: float = 30.0
    """How long a card's screen stays after a tapped card left the reader without a touch: the
    time the longest balance screen takes to read aloud at a calm pace (bench.balance_reading_time,
    docs/PERFORMANCE.md); never longer than the idle timeout."""
    default_language: str = "tr"
    high_contrast: bool = False
    reading_timeout_seconds: float = 60.0
    """Longest wait on the reading screen: look-ups are bounded well below this (timeout x
    tries), so it only guards against an answer that never comes."""
    require_luhn: bool = True
    typed_lookups_per_minute: int = 6


Lookup = Callable[[CardNumber | CardUid, Entry], Balance]
"""The balance of a card by its number, or by its contactless UID (tapped only)."""
MovementsLookup = Callable[[CardNumber | CardUid, Entry], tuple[Movement, ...]]
"""A card's recent earnings and spendings, asked for once its balance is on screen."""
AttendantCaller = Callable[[str], None]
"""Asks for an attendant at this kiosk; the argument says why (``"lost_card"``...)."""
Activator = Callable[[CardNumber, str, dt.date], Balance]
"""The service's online activation of a card with the holder's name and birth date; its
answer is the card's balance, now active (or :class:`RequestFailed`)."""


class ReadAloud(Protocol):
    """Reads a text aloud without blocking (kiosk.speech.Speaker)."""

    def say(self, text: str, language: str, finished: Callable[[], None]) -> bool: ...

    def stop(self) -> None: ...


class DivertedCards(Protocol):
    """Who takes tapped cards while the driver's screens are set aside (attendant mode)."""

    def card_presented(self) -> None: ...

    def card_read(self, card: CardNumber | CardUid) -> None: ...

    def card_unreadable(self) -> None: ...


class KioskSession(Published[KioskState]):
    """Turns card, network, touch and timer events into :class:`KioskState` changes."""

    def __init__(
        self,
        lookup: Lookup,
        background: BackgroundWork,
        scheduler: Scheduler,
        settings: SessionSettings = SessionSettings(),
        call_attendant: AttendantCaller | None = None,
        clock: Callable[[], float] = time.monotonic,
        speaker: ReadAloud | None = None,
        movements: MovementsLookup | None = None,
        activate: Activator | None = None,
    ) -> None:
        self._lookup = lookup
        self._speaker = speaker
        self._movements = movements
        self._activate = activate
        self._background = background
        self._settings = settings
        self._call_attendant = call_attendant
        self._typed_throttle = Throttle(settings.typed_lookups_per_minute, 60.0, clock)
        super().__init__(self._defaults())
        self._generation = 0
        self._shown_entry: Entry | None = None
        self._card_on_reader = False
        self._leave_timer = Countdown(scheduler, self._driver_left)  # idle timeout, linger, reading timeout
        self._diverted: DivertedCards | None = None

    def divert_cards(self, target: DivertedCards | None) -> None:
        """Tapped cards go to ``target`` until it is None again (attendant mode); the driver's
        screens go back to attract, forgetting the last card."""
        self._diverted = target
        self.go_home()

    # --- card events -------------------------------------------------------------
    def card_presented(self) -> None:
        """A card is on the reader and being read: immediate feedback; whatever was on
        screen (another card, the keypad, a help page) is replaced."""
        if self._diverted is not None:
            self._diverted.card_presented()
            return
        self._generation += 1
        self._shown_entry = Entry.TAPPED
        self._card_on_reader = True
        self._show(Screen.READING)

    def show_card(self, card: CardNumber | CardUid, entry: Entry) -> None:
        """Look up ``card``, a number (tapped or typed) or a tapped card's UID, and show its
        balance when it arrives."""
        if self._diverted is not None and entry is Entry.TAPPED:
            self._diverted.card_read(card)
            return
        self._generation += 1
        generation = self._generation
        self._shown_entry = entry
        self._show(Screen.READING, masked_number=card.masked)
        log.info("look-up started for card %s (%s)", card, entry.value)
        self._background.submit(
            lambda: self._lookup(card, entry),
            lambda outcome: self._lookup_finished(generation, outcome, card, entry),
        )

    def card_removed(self) -> None:
        """A tapped card left the reader: its balance (or what went wrong) stays for the time it
        takes to read it, so that a quick contactless tap still shows it; "OK" or a touch
        decides sooner or later. A page opened by a touch stays until the idle timeout."""
        self._card_on_reader = False
        if self._diverted is not None or self._state.speaking:  # the linger starts when the reading ends
            return
        if self._shown_entry is Entry.TAPPED and self._state.screen in _CARD_SCREENS:
            self._leave_timer.arm(min(self._settings.removal_linger_seconds, self._settings.idle_timeout_seconds))

    def card_unreadable(self, problem: Problem) -> None:
        """The reader saw a card but could not read its number."""
        if self._diverted is not None:
            self._diverted.card_unreadable()
            return
        self._generation += 1
        self._show(Screen.PROBLEM, problem=problem)

    def reader_health_changed(self, health: ReaderHealth) -> None:
        if health is not self._state.reader:
            self._update(reader=health)

    def service_reachability_changed(self, reachable: bool) -> None:
        """The central service stopped or started answering (help screens work either way)."""
        if reachable is not self._state.service_reachable:
            self._update(service_reachable=reachable)

    # --- touch -------------------------------------------------------------------
    def user_activity(self) -> None:
        """Any touch: the driver is still there, so the idle timeout starts again."""
        self._rearm_for_screen(touched=True)

    def set_language(self, language: str) -> None:
        if language not in LANGUAGES:
            raise ValueError(f"unsupported language {language!r}")
        self._stop_speaking()
        self._update(language=language, speaking=False)
        self._rearm_for_screen(touched=True)

    def toggle_high_contrast(self) -> None:
        self._update(high_contrast=not self._state.high_contrast)
        self._rearm_for_screen(touched=True)

    def open_keypad(self) -> None:
        self._generation += 1
        self._shown_entry = None
        self._show(Screen.KEYPAD)

    def keypad_press(self, digit: str) -> None:
        if digit.isascii() and digit.isdigit() and len(digit) == 1:
            if len(self._state.typed_digits) < CARD_DIGITS:
                self._update(typed_digits=self._state.typed_digits + digit, keypad_error=None)

    def keypad_delete(self) -> None:
        self._update(typed_digits=self._state.typed_digits[:-1], keypad_error=None)

    def keypad_submit(self) -> None:
        """Check the typed number on the kiosk first; only a plausible one is looked up."""
        checked = check_typed_number(self._state.typed_digits, self._settings.require_luhn)
        if isinstance(checked, KeypadError):
            self._update(keypad_error=checked)
        elif not self._typed_throttle.allow():
            self._show(Screen.PROBLEM, problem=Problem.RATE_LIMITED)
        else:
            self.show_card(checked, Entry.TYPED)

    def open_activation_help(self) -> None:
        """SMS and online activation; for the card on screen when there is one."""
        self._show(Screen.ACTIVATION_HELP, keep_card=True)

    def open_lost_card(self) -> None:
        self._generation += 1
        self._shown_entry = None
        self._show(Screen.LOST_CARD)

    def call_attendant(self) -> None:
        """Ask for an attendant to come to this kiosk, saying why (what this screen is about),
        from every screen where the driver is stuck without one."""
        if self._call_attendant is None or self._state.attendant_call in (AttendantCall.CALLING, AttendantCall.CALLED):
            return
        reason = assistance_reason(self._state)
        self._update(attendant_call=AttendantCall.CALLING)
        caller, generation = self._call_attendant, self._generation
        self._background.submit(lambda: caller(reason), lambda outcome: self._attendant_call_finished(generation, outcome))

    def open_registration_help(self) -> None:
        """How to register the card on screen: the form first, activation after."""
        self._show(Screen.REGISTRATION_HELP, keep_card=True)

    # --- activate here -------------------------------------------------------------
    def open_activate_here(self) -> None:
        """The holder's name and birth date, typed here, activate the card on screen online.
        Only for a registered, not activated card read or typed by its number."""
        balance = self._state.balance
        if self._activate is None or balance is None or not can_activate_here(balance):
            return
        self._show(Screen.ACTIVATE_HERE, keep_card=True, activation=ActivationForm())

    def activation_focus(self, field: ActivationField) -> None:
        form = self._state.activation
        if form is not None and not form.busy:
            self._update(activation=replace(form, focus=field))

    def activation_key(self, key: str) -> None:
        """A key of the on-screen keyboard (a letter, a space) or keypad (a digit)."""
        form = self._state.activation
        if form is None or form.busy:
            return
        if form.focus is ActivationField.NAME:
            typed = accepts(FormField.FULL_NAME, form.name, key)
            if typed is not None:
                self._update(activation=replace(form, name=typed, notice=None))
        else:
            typed = accepts(FormField.BIRTH_DATE, form.birth_digits, key)
            if typed is not None:
                self._update(activation=replace(form, birth_digits=typed, notice=None))

    def activation_erase(self) -> None:
        form = self._state.activation
        if form is None or form.busy:
            return
        if form.focus is ActivationField.NAME:
            self._update(activation=replace(form, name=form.name[:-1], notice=None))
        else:
            self._update(activation=replace(form, birth_digits=form.birth_digits[:-1], notice=None))

    def activation_submit(self) -> None:
        """Check the form on the kiosk, then ask the service (each attempt counts toward the
        card's failure limit there, shared with SMS activation)."""
        form, balance, activate = self._state.activation, self._state.balance, self._activate
        if form is None or form.busy or balance is None or balance.number is None or activate is None:
            return
        name = normalized_name(form.name)
        born = birth_date(form.birth_digits)
        for field, checked in ((ActivationField.NAME, name), (ActivationField.BIRTH_DATE, born)):
            if isinstance(checked, FormError):
                self._update(activation=replace(form, notice=_NOTICE_FOR_FORM_ERROR[checked], focus=field))
                return
        assert isinstance(name, str) and isinstance(born, dt.date)
        number, generation = balance.number, self._generation
        self._update(activation=replace(form, busy=True, notice=None))
        log.info("activation of card %s sent", number)
        self._background.submit(
            lambda: activate(number, name, born), lambda outcome: self._activation_finished(generation, outcome)
        )

    def read_aloud(self, text: str) -> None:
        """Read ``text`` (the balance on screen, in the screen's language) aloud; pressed again
        while it is read, stop. Leaving the screen, or the driver leaving, stops it too."""
        if self._speaker is None or self._state.screen is not Screen.BALANCE:
            return
        if self._state.speaking:
            self._stop_speaking()
            self._update(speaking=False)
        else:
            generation = self._generation
            started = self._speaker.say(text, self._state.language, lambda: self._reading_finished(generation))
            self._update(speaking=started)
        self._rearm_for_screen(touched=True)

    def back(self) -> None:
        """From a help page or "Activate here" back to the balance it was opened from; otherwise home."""
        if self._state.screen in _BALANCE_SUBPAGES and self._state.balance is not None:
            self._show(Screen.BALANCE, keep_card=True)
        else:
            self.go_home()

    def go_home(self) -> None:
        """Back to the attract screen, forgetting everything about the last card."""
        self._generation += 1
        self._shown_entry = None
        self._show(Screen.ATTRACT)

    # --- internals ---------------------------------------------------------------
    def _driver_left(self) -> None:
        """Idle timeout or the card's linger ran out: defaults again, language included."""
        self._stop_speaking()
        self._generation += 1
        self._shown_entry = None
        self._leave_timer.cancel()
        self._publish(replace(self._defaults(), reader=self._state.reader, service_reachable=self._state.service_reachable))

    def _defaults(self) -> KioskState:
        return KioskState(language=self._settings.default_language, high_contrast=self._settings.high_contrast)

    def _lookup_finished(
        self, generation: int, outcome: Outcome[Balance], card: CardNumber | CardUid, entry: Entry
    ) -> None:
        if generation != self._generation:
            return
        if outcome.value is not None:
            balance = outcome.value
            self._show(Screen.BALANCE, keep_card=True, balance=balance, masked_number=balance.masked)
            if self._movements is not None:  # the balance first; its movements follow when they come
                movements = self._movements
                self._background.submit(lambda: movements(card, entry),
                                        lambda outcome: self._movements_finished(generation, outcome))
            return
        error = outcome.error
        if isinstance(error, RequestFailed):
            log.warning("look-up failed for card %s: %s", self._state.masked_number, error)
            problem = _PROBLEM_FOR_FAILURE.get(error.kind, Problem.SERVICE_UNAVAILABLE)
            if problem is Problem.UNKNOWN_CARD and isinstance(card, CardUid):
                # A chip no card is linked to: any contactless card (a Parolu bank card, say),
                # not necessarily a blank OPET Kart. Only a valid number is a blank card.
                problem = Problem.UNSUPPORTED_CARD
        else:
            log.error("look-up crashed: %r", type(error).__name__)
            problem = Problem.SERVICE_UNAVAILABLE
        self._show(Screen.PROBLEM, keep_card=True, problem=problem)

    def _movements_finished(self, generation: int, outcome: Outcome[tuple[Movement, ...]]) -> None:
        if generation != self._generation or self._state.balance is None:
            return  # another card, or the driver left
        if outcome.value is not None:
            self._update(movements=outcome.value, movements_unavailable=False)
        else:
            log.warning("recent movements not available for card %s: %s", self._state.masked_number,
                        type(outcome.error).__name__)
            self._update(movements=None, movements_unavailable=True)

    def _activation_finished(self, generation: int, outcome: Outcome[Balance]) -> None:
        form = self._state.activation
        if generation != self._generation or form is None or self._state.screen is not Screen.ACTIVATE_HERE:
            return
        if outcome.value is not None:
            log.info("card %s activated here", outcome.value.masked)
            self._show(Screen.BALANCE, keep_card=True, balance=outcome.value, masked_number=outcome.value.masked)
            return
        error = outcome.error
        kind = error.kind if isinstance(error, RequestFailed) else FailureKind.UNAVAILABLE
        notice = _NOTICE_FOR_ACTIVATION_FAILURE.get(kind, ActivationNotice.UNAVAILABLE)
        log.warning("activation of card %s refused or failed: %s", self._state.masked_number, kind.value)
        # The birth date is typed again; the name stays for its spelling to be checked.
        self._update(activation=replace(form, busy=False, notice=notice, birth_digits="", focus=ActivationField.BIRTH_DATE
                                        if notice is ActivationNotice.WRONG_BIRTH_DATE else form.focus))

    def _attendant_call_finished(self, generation: int, outcome: Outcome[None]) -> None:
        if generation == self._generation and self._state.attendant_call is AttendantCall.CALLING:
            failed = outcome.error is not None
            if failed:
                log.warning("attendant call failed: %s", type(outcome.error).__name__)
            self._update(attendant_call=AttendantCall.FAILED if failed else AttendantCall.CALLED)

    def _reading_finished(self, generation: int) -> None:
        """The text was read to its end: the screen's timers run again from now."""
        if generation == self._generation and self._state.speaking:
            self._update(speaking=False)
            self._rearm_for_screen()

    def _stop_speaking(self) -> None:
        if self._speaker is not None and self._state.speaking:
            self._speaker.stop()

    def _show(self, screen: Screen, keep_card: bool = False, **changes: object) -> None:
        """Switch screen; whatever belonged to the previous screen is dropped (a reading aloud too)."""
        self._stop_speaking()
        base = {
            "speaking": False,
            "masked_number": self._state.masked_number if keep_card else "",
            "balance": self._state.balance if keep_card else None,
            "movements": self._state.movements if keep_card else None,
            "movements_unavailable": self._state.movements_unavailable if keep_card else False,
            "problem": None,
            "typed_digits": "",
            "keypad_error": None,
            "attendant_call": AttendantCall.NOT_CALLED,
            "activation": None,
        }
        self._publish(replace(self._state, screen=screen, **{**base, **changes}))
        self._rearm_for_screen()

    def _rearm_for_screen(self, touched: bool = False) -> None:
        screen = self._state.screen
        at_defaults = (self._state.language, self._state.high_contrast) == (
            self._settings.default_language,
            self._settings.high_contrast,
        )
        tapped_card_gone = self._shown_entry is Entry.TAPPED and not self._card_on_reader
        if screen is Screen.ATTRACT and at_defaults:
            self._leave_timer.cancel()
        elif self._state.speaking:
            # Not cut off mid-sentence: the idle timeout and the linger start again when the
            # reading ends; this only bounds a speech engine that never does.
            self._leave_timer.arm(self._settings.reading_timeout_seconds)
        elif screen is Screen.READING:
            # A slow service must end in its answer or its error, not in a silent timeout.
            self._leave_timer.arm(self._settings.reading_timeout_seconds)
        elif screen in _CARD_SCREENS and tapped_card_gone and not touched:
            self._leave_timer.arm(min(self._settings.removal_linger_seconds, self._settings.idle_timeout_seconds))
        else:
            self._leave_timer.arm(self._settings.idle_timeout_seconds)


def can_activate_here(balance: Balance) -> bool:
    """A registered card waiting for activation, whose number the kiosk knows (a card read only
    by its chip UID cannot be named to the service's activation)."""
    return balance.needs_activation and balance.holder_registered and balance.number is not None


def assistance_reason(state: KioskState) -> str:
    """What the attendant called to this kiosk is told to expect (``POST /v1/assistance``)."""
    balance = state.balance
    if state.screen is Screen.LOST_CARD:
        return "lost_card"
    if state.screen is Screen.REGISTRATION_HELP or (balance is not None and not balance.holder_registered):
        return "registration"
    if balance is not None and balance.status is CardStatus.BLOCKED:
        return "blocked_card"
    return {
        Problem.UNKNOWN_CARD: "new_card",
        Problem.SERVICE_UNAVAILABLE: "service_down",
        Problem.KIOSK_NOT_AUTHORIZED: "service_down",
        Problem.UNSUPPORTED_CARD: "unreadable_card",
        Problem.READ_FAILED: "unreadable_card",
    }.get(state.problem, "other") if state.problem is not None else "other"
