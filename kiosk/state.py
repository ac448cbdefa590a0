"""What the kiosk's screens show: the session's one immutable state and its enums.

Kept apart from :mod:`kiosk.session` (which changes the state on card, network and touch
events) so that the screens can draw the attract screen before the session, its API client
and its worker pool are imported and built (bench.kiosk_cold_start).
"""
from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from kiosk.balance import Balance, Movement


class Screen(enum.Enum):
    ATTRACT = "attract"
    READING = "reading"
    BALANCE = "balance"
    PROBLEM = "problem"
    KEYPAD = "keypad"
    ACTIVATION_HELP = "activation_help"
    LOST_CARD = "lost_card"
    REGISTRATION_HELP = "registration_help"
    ACTIVATE_HERE = "activate_here"


class Problem(enum.Enum):
    """Why a look-up gave no balance; each has its own message and next step on screen."""

    UNKNOWN_CARD = "unknown_card"
    """A valid number the service has no record of: a blank card from the till (cards come
    into being with their first sale, registration or replacement). A chip UID no card is
    linked to is ``UNSUPPORTED_CARD``: it may be any contactless card."""
    INVALID_NUMBER = "invalid_number"
    SERVICE_UNAVAILABLE = "service_unavailable"
    RATE_LIMITED = "rate_limited"
    KIOSK_NOT_AUTHORIZED = "kiosk_not_authorized"
    READ_FAILED = "read_failed"
    UNSUPPORTED_CARD = "unsupported_card"


class ReaderHealth(enum.Enum):
    READY = "ready"
    NO_READER = "no_reader"
    SERVICE_DOWN = "service_down"


class KeypadError(enum.Enum):
    """Why a typed number is not looked up (no request is made)."""

    INCOMPLETE = "incomplete"
    CHECK_DIGIT = "check_digit"


class ActivationField(enum.Enum):
    """The two fields of "Activate here": the holder's name (letters), the birth date (digits)."""

    NAME = "name"
    BIRTH_DATE = "birth_date"


class ActivationNotice(enum.Enum):
    """Why "Activate here" did not activate (yet): a form mistake found on the kiosk, or the
    service's answer."""

    NAME_MISSING = "name_missing"
    NAME_NEEDS_SURNAME = "name_needs_surname"
    BIRTH_DATE_INCOMPLETE = "birth_date_incomplete"
    BIRTH_DATE_INVALID = "birth_date_invalid"
    WRONG_NAME = "wrong_name"
    WRONG_BIRTH_DATE = "wrong_birth_date"
    WRONG_NAME_AND_BIRTH_DATE = "wrong_name_and_birth_date"
    TOO_MANY_ATTEMPTS = "too_many_attempts"
    NOT_REGISTERED = "not_registered"
    NOT_POSSIBLE = "not_possible"  # the card was replaced or blocked meanwhile
    UNAVAILABLE = "unavailable"


@dataclass(frozen=True)
class ActivationForm:
    """What the driver typed on "Activate here". It lives only in the state of that screen:
    any other screen, and the driver leaving, drops it."""

    name: str = ""
    birth_digits: str = ""
    focus: ActivationField = ActivationField.NAME
    busy: bool = False
    notice: ActivationNotice | None = None


class AttendantCall(enum.Enum):
    NOT_CALLED = "not_called"
    CALLING = "calling"
    CALLED = "called"
    FAILED = "failed"


@dataclass(frozen=True)
class KioskState:
    """Everything a screen needs. A card number or UID is kept only masked (``masked_number``:
    the UID's masked form while it is looked up, then the number's), inside ``balance`` (for
    the SMS help's last 10 digits), and while the driver types it (``typed_digits``). The
    holder's name and birth date typed to activate the card are in ``activation``, only while
    "Activate here" is on screen."""

    screen: Screen = Screen.ATTRACT
    language: str = "tr"
    masked_number: str = ""
    balance: Balance | None = None
    problem: Problem | None = None
    reader: ReaderHealth = ReaderHealth.READY
    service_reachable: bool = True
    typed_digits: str = ""
    keypad_error: KeypadError | None = None
    attendant_call: AttendantCall = AttendantCall.NOT_CALLED
    high_contrast: bool = False
    speaking: bool = False
    """The balance on screen is being read aloud (kiosk.speech)."""
    movements: tuple[Movement, ...] | None = None
    """The shown card's recent earnings and spendings, newest first; None until they arrive."""
    movements_unavailable: bool = False
    """The service could not tell them (the balance is shown all the same)."""
    activation: ActivationForm | None = None
