"""Attendant mode: sign in, replace a lost card, register a new one — the state behind its screens.

Like :class:`kiosk.session.KioskSession`, every method runs on the UI thread, requests run in
the background pool, and each change is one immutable :class:`DeskState` handed to listeners.
While the desk is open, card events come here instead of to the driver's session (the runtime
diverts them), so a tapped card becomes the new card of a replacement or the card to register.

Secrets stay out of the state: the PIN is kept only until it is sent (the state has its
length), the session token only inside :class:`kiosk.attendant_client.SignedIn`, a tapped
card's number only privately, until the request that needs it (the state has its last four),
and so is the birth date the attendant typed off the holder's ID once its step is left.
"""
from __future__ import annotations

import datetime as dt
import enum
import logging
import uuid
from dataclasses import dataclass, field, fields, replace
from typing import Callable

from hardware.card_number import CardNumber
from hardware.card_uid import CardUid
from kiosk.attendant_client import (
    AttendantClient,
    HolderCard,
    HolderDetails,
    RegistrationDone,
    ReplacementDone,
    SignedIn,
)
from kiosk.holder_form import PIN_MIN_LENGTH, FormError, FormField, accepts, birth_date, normalized_name, phone
from kiosk.keypad import check_typed_number
from kiosk.published import Published
from kiosk.scheduling import BackgroundWork, Countdown, Outcome, Scheduler
from kiosk.state import KeypadError
from kiosk.transport import FailureKind, RequestFailed

log = logging.getLogger(__name__)


class DeskStep(enum.Enum):
    CLOSED = "closed"
    SIGN_IN = "sign_in"
    MENU = "menu"
    FIND_BY_NUMBER = "find_by_number"
    FIND_BY_IDENTITY = "find_by_identity"
    CHOOSE_CARD = "choose_card"
    CONFIRM_IDENTITY = "confirm_identity"
    TAP_NEW_CARD = "tap_new_card"
    CONFIRM_MOVE = "confirm_move"
    MOVE_DONE = "move_done"
    MOVE_UNCERTAIN = "move_uncertain"
    MOVE_REFUSED = "move_refused"
    TAP_CARD_TO_REGISTER = "tap_card_to_register"
    REGISTRATION_FORM = "registration_form"
    REGISTERED = "registered"


class DeskNotice(enum.Enum):
    """What only the desk itself finds to tell the attendant."""

    NO_MATCH = "no_match"  # a search by the holder's details found no card
    NO_NUMBER_ON_CARD = "no_number_on_card"  # a card read only by its UID: its number must be typed
    CARD_UNREADABLE = "card_unreadable"


Notice = FailureKind | FormError | KeypadError | DeskNotice
"""A message for the attendant on the current step: why something did not happen. A request's
failure, a form field's or a typed number's error, each as its own type says it."""

_FIELDS_OF_STEP = {
    DeskStep.SIGN_IN: (FormField.ATTENDANT_CODE, FormField.PIN),
    DeskStep.FIND_BY_NUMBER: (FormField.CARD_NUMBER,),
    DeskStep.FIND_BY_IDENTITY: (FormField.FULL_NAME, FormField.BIRTH_DATE, FormField.PHONE),
    DeskStep.CONFIRM_IDENTITY: (FormField.BIRTH_DATE,),
    DeskStep.TAP_NEW_CARD: (FormField.CARD_NUMBER,),
    DeskStep.TAP_CARD_TO_REGISTER: (FormField.CARD_NUMBER,),
    DeskStep.REGISTRATION_FORM: (FormField.FULL_NAME, FormField.BIRTH_DATE, FormField.PHONE),
}
_BACK = {
    DeskStep.FIND_BY_NUMBER: DeskStep.MENU,
    DeskStep.FIND_BY_IDENTITY: DeskStep.MENU,
    DeskStep.CHOOSE_CARD: DeskStep.FIND_BY_IDENTITY,
    DeskStep.CONFIRM_IDENTITY: DeskStep.MENU,
    DeskStep.TAP_NEW_CARD: DeskStep.CONFIRM_IDENTITY,
    DeskStep.CONFIRM_MOVE: DeskStep.TAP_NEW_CARD,
    DeskStep.MOVE_DONE: DeskStep.MENU,
    DeskStep.MOVE_UNCERTAIN: DeskStep.MENU,
    DeskStep.MOVE_REFUSED: DeskStep.MENU,
    DeskStep.TAP_CARD_TO_REGISTER: DeskStep.MENU,
    DeskStep.REGISTRATION_FORM: DeskStep.TAP_CARD_TO_REGISTER,
    DeskStep.REGISTERED: DeskStep.MENU,
}
_TAP_STEPS = (DeskStep.TAP_NEW_CARD, DeskStep.TAP_CARD_TO_REGISTER)
_READER_STEPS = (DeskStep.FIND_BY_NUMBER, *_TAP_STEPS)
"""Steps that take a card from the reader (or its number typed, when it cannot be read)."""
_CASE_STARTS = (DeskStep.SIGN_IN, DeskStep.MENU)

_OF_STEP = {"lasts": "step"}  # what was typed and told on this step: a new step starts without it
_OF_CASE = {"lasts": "case"}  # the cards of this replacement or registration: kept until the menu


@dataclass(frozen=True)
class DeskState:
    """What attendant mode shows. ``typed`` holds each field of the step as typed, except the
    PIN, which is only its length (``pin_length``). A step change (:meth:`at`) keeps what it
    does not change: the attendant, and the cards of the case in hand until the menu."""

    step: DeskStep = DeskStep.CLOSED
    attendant_name: str = ""
    busy: bool = field(default=False, metadata=_OF_STEP)
    typed: dict[FormField, str] = field(default_factory=dict, metadata=_OF_STEP)
    pin_length: int = field(default=0, metadata=_OF_STEP)
    focus: FormField | None = field(default=None, metadata=_OF_STEP)
    consent: bool = field(default=False, metadata=_OF_STEP)
    notice: Notice | None = field(default=None, metadata=_OF_STEP)
    attempts_left: int | None = field(default=None, metadata=_OF_STEP)
    retry_after_seconds: int | None = field(default=None, metadata=_OF_STEP)
    cards: tuple[HolderCard, ...] = field(default=(), metadata=_OF_CASE)
    chosen: HolderCard | None = field(default=None, metadata=_OF_CASE)
    new_card_last4: str = field(default="", metadata=_OF_CASE)
    moved: ReplacementDone | None = field(default=None, metadata=_OF_CASE)
    registered: RegistrationDone | None = field(default=None, metadata=_OF_CASE)
    registered_name: str = field(default="", metadata=_OF_CASE)

    @property
    def active(self) -> bool:
        return self.step is not DeskStep.CLOSED

    def text(self, form_field: FormField) -> str:
        return self.typed.get(form_field, "")

    def at(self, step: DeskStep, **changes: object) -> DeskState:
        """This state moved to ``step``, then ``changes``: the step's own fields start empty with
        the focus on its first field; the sign-in and the menu also forget the case."""
        lasting = ("step", "case") if step in _CASE_STARTS else ("step",)
        fresh = DeskState()
        of_step = _FIELDS_OF_STEP.get(step, ())
        reset = {each.name: getattr(fresh, each.name) for each in fields(self) if each.metadata.get("lasts") in lasting}
        return replace(self, step=step, **{**reset, "focus": of_step[0] if of_step else None, **changes})


@dataclass(frozen=True)
class DeskSettings:
    idle_timeout_seconds: float = 90.0
    require_luhn: bool = True


class AttendantDesk(Published[DeskState]):
    """Turns the attendant's touches, the reader's cards and the service's answers into :class:`DeskState`."""

    def __init__(
        self,
        client: AttendantClient,
        background: BackgroundWork,
        scheduler: Scheduler,
        settings: DeskSettings = DeskSettings(),
        on_active_changed: Callable[[bool], None] | None = None,
    ) -> None:
        super().__init__(DeskState())
        self._client = client
        self._background = background
        self._settings = settings
        self._on_active_changed = on_active_changed
        self._signed_in: SignedIn | None = None
        self._pin = ""
        self._new_card: CardNumber | None = None
        self._id_birth_date: dt.date | None = None  # typed off the holder's ID, sent with the replacement
        self._old_number_typed: str | None = None  # the old card's number (typed or tapped), to tell it from the new one
        self._pending_change: tuple[object, str] | None = None  # (what is being sent, its Idempotency-Key)
        self._generation = 0
        self._idle_timer = Countdown(scheduler, self._idle)

    @property
    def signed_in_code(self) -> str | None:
        """The code of the attendant signed in now (the service checked the PIN), else None."""
        return self._signed_in.code if self._signed_in is not None else None

    # --- opening and closing ---------------------------------------------------------
    def open(self) -> None:
        """The hidden gesture: ask for the attendant's code and PIN."""
        if self._state.active:
            return
        self._reset(DeskStep.SIGN_IN)
        if self._on_active_changed is not None:
            self._on_active_changed(True)

    def close(self) -> None:
        """Sign out (in the background) and give the kiosk back to drivers."""
        if not self._state.active:
            return
        signed_in, self._signed_in = self._signed_in, None
        if signed_in is not None:
            log.info("attendant %s signed out", signed_in.code)
            client = self._client
            self._background.submit(lambda: client.sign_out(signed_in), _log_sign_out)
        self._generation += 1
        self._pin = ""
        self._new_card = None
        self._id_birth_date = None
        self._pending_change = None
        self._idle_timer.cancel()
        self._publish(DeskState())
        if self._on_active_changed is not None:
            self._on_active_changed(False)

    def activity(self) -> None:
        """A touch: the attendant is still there."""
        if self._state.active:
            self._idle_timer.arm(self._settings.idle_timeout_seconds)

    # --- typing ----------------------------------------------------------------------
    def focus(self, form_field: FormField) -> None:
        if form_field in _FIELDS_OF_STEP.get(self._state.step, ()):
            self._update(focus=form_field)

    def type_key(self, key: str) -> None:
        """A key of the on-screen keyboard (a letter, a digit, a space) into the focused field."""
        focused = self._state.focus
        if focused is None or self._state.busy:
            return
        current = self._pin if focused is FormField.PIN else self._state.text(focused)
        typed = accepts(focused, current, key)
        if typed is not None:
            self._set_field(focused, typed)

    def erase(self) -> None:
        focused = self._state.focus
        if focused is None or self._state.busy:
            return
        current = self._pin if focused is FormField.PIN else self._state.text(focused)
        self._set_field(focused, current[:-1])

    def set_consent(self, consent: bool) -> None:
        if self._state.step is DeskStep.REGISTRATION_FORM:
            self._update(consent=consent)

    # --- signing in --------------------------------------------------------------------
    def sign_in(self) -> None:
        code = self._state.text(FormField.ATTENDANT_CODE)
        if not code:
            self._update(notice=FormError.CODE_MISSING, focus=FormField.ATTENDANT_CODE)
            return
        if len(self._pin) < PIN_MIN_LENGTH:
            self._update(notice=FormError.PIN_TOO_SHORT, focus=FormField.PIN)
            return
        pin, self._pin = self._pin, ""
        self._update(pin_length=0, busy=True, notice=None)
        client = self._client
        self._run(lambda: client.sign_in(code, pin), self._signed_in_now)

    def _signed_in_now(self, outcome: Outcome[SignedIn]) -> None:
        if outcome.value is not None:
            self._signed_in = outcome.value
            log.info("attendant %s signed in", outcome.value.code)
            self._reset(DeskStep.MENU, attendant_name=outcome.value.name)
            return
        failure = _as_failure(outcome.error)
        self._update(
            busy=False,
            notice=failure.kind,
            attempts_left=failure.attempts_left,
            retry_after_seconds=failure.retry_after_seconds,
            focus=FormField.PIN,
        )

    def sign_out(self) -> None:
        self.close()

    # --- replacement -----------------------------------------------------------------
    def start_replacement(self) -> None:
        self._go(DeskStep.FIND_BY_NUMBER)

    def find_by_identity_instead(self) -> None:
        self._go(DeskStep.FIND_BY_IDENTITY)

    def find(self) -> None:
        """Look the old card up by the number typed, or by the holder's name, birth date and phone."""
        session = self._signed_in
        if session is None or self._state.busy:
            return
        client = self._client
        if self._state.step is DeskStep.FIND_BY_NUMBER:
            checked = check_typed_number(self._state.text(FormField.CARD_NUMBER), self._settings.require_luhn)
            if isinstance(checked, KeypadError):
                self._update(notice=checked)
                return
            self._find_number(session, checked)
        elif self._state.step is DeskStep.FIND_BY_IDENTITY:
            identity = self._identity(phone_required=False)
            if isinstance(identity, FormError):
                self._update(notice=identity)
                return
            name, born, mobile = identity
            self._old_number_typed = None
            self._update(busy=True, notice=None)
            self._run(lambda: client.find_by_identity(session, name, born, mobile), self._found)

    def _find_number(self, session: SignedIn, number: CardNumber) -> None:
        """Look the old card up by its number, typed or read from the card."""
        self._old_number_typed = number.digits
        self._update(busy=True, notice=None)
        client = self._client
        self._run(lambda: [client.find_by_number(session, number)], self._found)

    def _found(self, outcome: Outcome[list[HolderCard]]) -> None:
        if outcome.error is not None:
            self._failed(outcome.error)
            return
        cards = tuple(outcome.value or ())
        if not cards:
            self._update(busy=False, notice=DeskNotice.NO_MATCH)
        elif len(cards) == 1:
            self._go(DeskStep.CONFIRM_IDENTITY, chosen=cards[0], cards=cards)
        else:
            self._go(DeskStep.CHOOSE_CARD, cards=cards)

    def choose(self, index: int) -> None:
        if self._state.step is DeskStep.CHOOSE_CARD and 0 <= index < len(self._state.cards):
            self._go(DeskStep.CONFIRM_IDENTITY, chosen=self._state.cards[index])

    def identity_confirmed(self) -> None:
        """The attendant compared the holder's ID document with the masked details on screen and
        typed the birth date written on the ID (the service checks it with the replacement)."""
        chosen = self._state.chosen
        if self._state.step is not DeskStep.CONFIRM_IDENTITY or chosen is None:
            return
        if chosen.why_not_replaceable is not None:
            self._update(notice=chosen.why_not_replaceable)
            return
        born = birth_date(self._state.text(FormField.BIRTH_DATE))
        if isinstance(born, FormError):
            self._update(notice=born, focus=FormField.BIRTH_DATE)
            return
        self._id_birth_date = born
        self._go(DeskStep.TAP_NEW_CARD)

    def confirm_move(self) -> None:
        """Send the replacement; a lost answer is retried with the same Idempotency-Key."""
        if self._state.step not in (DeskStep.CONFIRM_MOVE, DeskStep.MOVE_UNCERTAIN) or self._state.busy:
            return
        session, chosen, new_card, born = self._signed_in, self._state.chosen, self._new_card, self._id_birth_date
        if session is None or chosen is None or new_card is None or born is None:
            return
        key = self._key_for(("replacement", chosen.card_ref, new_card.digits, born))
        client = self._client
        self._update(busy=True, notice=None)
        log.info("replacement of card %s by card %s sent", chosen.number_last4, new_card.last4)
        self._run(lambda: client.replace(session, chosen.card_ref, new_card, born, key), self._moved)

    def _moved(self, outcome: Outcome[ReplacementDone]) -> None:
        if outcome.value is not None:
            done = outcome.value
            log.info("replacement %s done (replayed: %s)", done.confirmation_code, done.replayed)
            self._pending_change = None
            self._new_card = None
            self._go(DeskStep.MOVE_DONE, moved=done, new_card_last4=done.new_last4)
            return
        failure = _as_failure(outcome.error)
        if failure.kind is FailureKind.UNAVAILABLE:
            log.warning("replacement answer lost: %s", failure.detail)
            self._go(DeskStep.MOVE_UNCERTAIN, notice=failure.kind)
        elif failure.kind is FailureKind.SESSION_ENDED:
            self._session_ended()
        elif failure.kind is FailureKind.WRONG_BIRTH_DATE:  # check the ID again and retype it
            self._pending_change = None
            self._new_card = self._id_birth_date = None
            self._go(DeskStep.CONFIRM_IDENTITY, notice=failure.kind)
        else:
            self._pending_change = None
            self._go(DeskStep.MOVE_REFUSED, notice=failure.kind)

    # --- registration ----------------------------------------------------------------
    def start_registration(self) -> None:
        self._go(DeskStep.TAP_CARD_TO_REGISTER)

    def submit_registration(self) -> None:
        session, card = self._signed_in, self._new_card
        if self._state.step is not DeskStep.REGISTRATION_FORM or self._state.busy or session is None or card is None:
            return
        identity = self._identity()
        if isinstance(identity, FormError):
            self._update(notice=identity)
            return
        name, born, mobile = identity
        assert mobile is not None  # required on the form
        details = HolderDetails(name, born, mobile, self._state.consent)
        key = self._key_for(("registration", card.digits, details))
        client = self._client
        self._update(busy=True, notice=None)
        self._run(lambda: client.register(session, card, details, key), lambda outcome: self._registered(outcome, name))

    def _registered(self, outcome: Outcome[RegistrationDone], name: str) -> None:
        if outcome.value is not None:
            self._pending_change = None
            self._new_card = None
            self._go(DeskStep.REGISTERED, registered=outcome.value, registered_name=name)
            return
        self._failed(outcome.error)

    # --- card events (diverted here while the desk is open) ---------------------------
    def card_presented(self) -> None:
        self.activity()

    def card_read(self, card: CardNumber | CardUid) -> None:
        """A tapped card: the old card to find, the new card of a replacement, or the card to register."""
        self.activity()
        if self._state.step not in _READER_STEPS or self._state.busy:
            return
        if isinstance(card, CardUid):
            self._update(notice=DeskNotice.NO_NUMBER_ON_CARD, focus=FormField.CARD_NUMBER)
            return
        if self._state.step is DeskStep.FIND_BY_NUMBER:
            if self._signed_in is not None:
                self._find_number(self._signed_in, card)
            return
        self._take_card(card)

    def card_unreadable(self) -> None:
        """A card the reader could not read (a damaged old card, say): its number is typed instead."""
        if self._state.step in _READER_STEPS:
            self._update(notice=DeskNotice.CARD_UNREADABLE, focus=FormField.CARD_NUMBER)

    def use_typed_card(self) -> None:
        """The number printed on the card, typed (a card the reader cannot read)."""
        if self._state.step not in _TAP_STEPS:
            return
        checked = check_typed_number(self._state.text(FormField.CARD_NUMBER), self._settings.require_luhn)
        if isinstance(checked, KeypadError):
            self._update(notice=checked)
        else:
            self._take_card(checked)

    def _take_card(self, card: CardNumber) -> None:
        chosen = self._state.chosen
        if self._state.step is DeskStep.TAP_NEW_CARD:
            if chosen is not None and chosen.number_last4 == card.last4 and self._is_old_card(card):
                self._update(notice=FailureKind.SAME_CARD)
                return
            self._new_card = card
            self._go(DeskStep.CONFIRM_MOVE, new_card_last4=card.last4)
        else:
            self._new_card = card
            self._go(DeskStep.REGISTRATION_FORM, new_card_last4=card.last4)

    def _is_old_card(self, card: CardNumber) -> bool:
        return self._old_number_typed == card.digits

    # --- navigation --------------------------------------------------------------------
    def back(self) -> None:
        """One step back; a new card tapped or typed is forgotten."""
        step = self._state.step
        if self._state.busy or step not in _BACK:
            return
        target = _BACK[step]
        if target is DeskStep.CONFIRM_IDENTITY:
            self._id_birth_date = None
        self._new_card = None
        self._go(target, new_card_last4="")

    # --- internals ---------------------------------------------------------------------
    def _identity(self, phone_required: bool = True) -> tuple[str, dt.date, str | None] | FormError:
        """Name, birth date and phone as typed; a search may leave the phone empty (None)."""
        name = normalized_name(self._state.text(FormField.FULL_NAME))
        if isinstance(name, FormError):
            return name
        born = birth_date(self._state.text(FormField.BIRTH_DATE))
        if isinstance(born, FormError):
            return born
        typed_phone = self._state.text(FormField.PHONE)
        if not typed_phone and not phone_required:
            return name, born, None
        mobile = phone(typed_phone)
        if isinstance(mobile, FormError):
            return mobile
        return name, born, mobile

    def _key_for(self, change: object) -> str:
        """The same change keeps its Idempotency-Key across retries; a different one gets a new key."""
        if self._pending_change is None or self._pending_change[0] != change:
            self._pending_change = (change, uuid.uuid4().hex)
        return self._pending_change[1]

    def _failed(self, error: BaseException | None) -> None:
        failure = _as_failure(error)
        if failure.kind is FailureKind.SESSION_ENDED:
            self._session_ended()
        else:
            self._update(busy=False, notice=failure.kind)

    def _session_ended(self) -> None:
        """The service ended the session (idle there, or signed out elsewhere): sign in again."""
        self._signed_in = None
        self._reset(DeskStep.SIGN_IN, notice=FailureKind.SESSION_ENDED)

    def _set_field(self, form_field: FormField, text: str) -> None:
        if form_field is FormField.PIN:
            self._pin = text
            self._update(pin_length=len(text), notice=None)
        else:
            self._update(typed={**self._state.typed, form_field: text}, notice=None)

    def _go(self, step: DeskStep, **changes: object) -> None:
        """A new step (:meth:`DeskState.at`)."""
        self._idle_timer.arm(self._settings.idle_timeout_seconds)
        self._publish(self._state.at(step, **changes))

    def _reset(self, step: DeskStep, **changes: object) -> None:
        self._pin = ""
        self._new_card = None
        self._id_birth_date = None
        self._pending_change = None
        self._go(step, **changes)

    def _run(self, work: Callable[[], object], on_done: Callable[[Outcome], None]) -> None:
        generation = self._generation

        def finished(outcome: Outcome) -> None:
            if generation == self._generation and self._state.active:
                on_done(outcome)

        self._background.submit(work, finished)

    def _idle(self) -> None:
        if self._state.busy:  # never drop a change on its way: wait for its answer
            self._idle_timer.arm(self._settings.idle_timeout_seconds)
        else:
            log.info("attendant mode closed after %.0f s idle", self._settings.idle_timeout_seconds)
            self.close()


def _as_failure(error: BaseException | None) -> RequestFailed:
    if isinstance(error, RequestFailed):
        return error
    log.error("attendant request crashed: %r", type(error).__name__)
    return RequestFailed(FailureKind.UNAVAILABLE, "crashed")


def _log_sign_out(outcome: Outcome[None]) -> None:
    if outcome.error is not None:
        log.warning("sign-out not confirmed by the service: %s", type(outcome.error).__name__)
