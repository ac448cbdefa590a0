"""Texts composed from state (statuses, problems, banners). Message ids are English and are
translated by the catalogs in screens/locale; ``_`` is the current language's gettext."""
from __future__ import annotations

from typing import TYPE_CHECKING, Callable

from kiosk.state import ActivationNotice, AttendantCall, KeypadError, Problem, ReaderHealth

if TYPE_CHECKING:
    from kiosk.balance import CardStatus, Pot

Gettext = Callable[[str], str]

SMS_EXAMPLE = "PARO 0012806566 ENDER AYTEKİN 20.03.1974"
LANGUAGE_NAMES = {"tr": "Türkçe", "en": "English"}


def status_text(_: Gettext, status: CardStatus) -> str:
    from kiosk.balance import CardStatus  # loaded with the first balance, not before the first frame

    return {
        CardStatus.ACTIVE: _("Your card is active: you can spend your points at OPET stations."),
        CardStatus.NOT_ACTIVATED: _("Your card is not activated yet: its points can be spent once you activate it."),
        CardStatus.REPLACED: _("This card was replaced by a new card; its points were moved to the new card."),
        CardStatus.BLOCKED: _("This card is blocked: it was reported lost or stolen. After checking your ID, the attendant can move its points to a new card."),
    }[status]


def pot_name(_: Gettext, pot: Pot) -> str:
    """A pot as a movement's row names it."""
    from kiosk.balance import Pot

    return {Pot.FUEL: _("Petrol & diesel"), Pot.AUTOGAS: _("Autogas")}[pot]


def registration_text(_: Gettext, holder_registered: bool) -> str:
    if holder_registered:
        return ""
    return _("Your details are not on file yet: register the card first, then activate it.")


def problem_texts(_: Gettext, problem: Problem) -> tuple[str, str]:
    """(title, what to do next)."""
    return {
        Problem.UNKNOWN_CARD: (
            _("No points on this card yet"),
            _("You earn Paropuan worth 0.5 percent of every petrol, diesel or autogas purchase at OPET: when you pay, hand this card to the attendant at the market till.")
            + "\n\n"
            + _("To register it, fill in and sign the customer information form in the card's envelope and drop it in the box at the station, or ask the attendant to register it now."),
        ),
        Problem.INVALID_NUMBER: (_("Invalid card number"), _("Please check the number and try again.")),
        Problem.SERVICE_UNAVAILABLE: (
            _("Balance not available right now"),
            _("We cannot reach the Paropuan service. Try again in a moment, ask the attendant or call 444 6738. The help pages still work."),
        ),
        Problem.RATE_LIMITED: (_("Too many look-ups"), _("Please wait a minute and try again.")),
        Problem.KIOSK_NOT_AUTHORIZED: (
            _("This kiosk cannot show balances right now"),
            _("Please tell the attendant; they can tell you your balance."),
        ),
        Problem.READ_FAILED: (
            _("The card could not be read"),
            _("Hold the card near the reader until it has been read."),
        ),
        Problem.UNSUPPORTED_CARD: (
            _("This card cannot be read here"),
            _("This kiosk shows OPET Kart balances only. A Parolu bank card earns Paropuan at OPET too: the attendant or 444 6738 (444 OPET) can tell you its balance."),
        ),
    }[problem]


def reader_banner(_: Gettext, health: ReaderHealth) -> str:
    return {
        ReaderHealth.READY: "",
        ReaderHealth.NO_READER: _("The card reader is not connected. You can type your card number or ask the attendant."),
        ReaderHealth.SERVICE_DOWN: _("The card reader is restarting, please wait…"),
    }[health]


def service_banner(_: Gettext, reachable: bool) -> str:
    if reachable:
        return ""
    return _("The Paropuan service cannot be reached right now: balances cannot be shown. The help pages work.")


def keypad_error_text(_: Gettext, error: KeypadError | None, typed: int) -> str:
    if error is KeypadError.INCOMPLETE:
        return _("A card number has 16 digits; you typed {count}.").format(count=typed)
    if error is KeypadError.CHECK_DIGIT:
        return _("This number is not valid. Please check it and try again.")
    return ""


def attendant_text(_: Gettext, call: AttendantCall) -> str:
    return {
        AttendantCall.NOT_CALLED: "",
        AttendantCall.CALLING: _("Calling an attendant…"),
        AttendantCall.CALLED: _("An attendant is on the way."),
        AttendantCall.FAILED: _("The attendant could not be called. Please go to the shop counter."),
    }[call]


def sms_template(_: Gettext, last10: str | None) -> str:
    """``PARO 0012806566 AD SOYAD GG.AA.YYYY``; without a card, a placeholder for the digits."""
    digits = last10 if last10 else _("<last 10 digits>")
    return _("PARO {digits} NAME SURNAME DD.MM.YYYY").format(digits=digits)


def sms_digits_hint(_: Gettext, last10: str | None) -> str:
    if last10:
        return _("{digits} are the last 10 digits of your card.").format(digits=last10)
    return _("Use the last 10 digits of the 16-digit number on your card.")


def activation_notice_text(_: Gettext, notice: ActivationNotice | None) -> str:
    """Why "Activate here" did not activate (yet), and what to do."""
    if notice is None:
        return ""
    return {
        ActivationNotice.NAME_MISSING: _("Type your name and surname."),
        ActivationNotice.NAME_NEEDS_SURNAME: _("Type your surname too."),
        ActivationNotice.BIRTH_DATE_INCOMPLETE: _("Type the birth date as day, month, year (8 digits)."),
        ActivationNotice.BIRTH_DATE_INVALID: _("This birth date is not a real date."),
        ActivationNotice.WRONG_NAME: _("The name does not match this card's customer information form. Check its spelling and try again."),
        ActivationNotice.WRONG_BIRTH_DATE: _("The birth date does not match this card's customer information form. Type it again as day, month, year."),
        ActivationNotice.WRONG_NAME_AND_BIRTH_DATE: _("Neither the name nor the birth date matches this card's customer information form. Check both and try again."),
        ActivationNotice.TOO_MANY_ATTEMPTS: _("Too many attempts to activate this card. Try again later, or ask the attendant or call 444 6738."),
        ActivationNotice.NOT_REGISTERED: _("This card's customer information form is not on file yet: register the card first."),
        ActivationNotice.NOT_POSSIBLE: _("This card cannot be activated: it was replaced or blocked. Please ask the attendant."),
        ActivationNotice.UNAVAILABLE: _("The Paropuan service did not answer. Try again in a moment."),
    }[notice]
