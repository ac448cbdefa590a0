"""Texts of attendant mode composed from its state. Message ids are English, translated by the
catalogs in screens/locale like every other screen text; ``_`` is the current gettext."""
from __future__ import annotations

from kiosk.attendant_client import HolderCard, ReplacementDone
from kiosk.attendant_desk import DeskNotice, DeskState, DeskStep, Notice
from kiosk.balance import CardStatus
from kiosk.formatting import format_as_of, format_points, group_digits
from kiosk.holder_form import FormError, FormField, shown_birth_date, shown_phone
from kiosk.state import KeypadError
from kiosk.transport import FailureKind
from opetcard.masking import short_masked_number
from screens.texts import Gettext


def step_title(_: Gettext, step: DeskStep) -> str:
    return {
        DeskStep.CLOSED: "",
        DeskStep.SIGN_IN: _("Attendant sign-in"),
        DeskStep.MENU: _("Attendant mode"),
        DeskStep.FIND_BY_NUMBER: _("Replace a card: find the old card"),
        DeskStep.FIND_BY_IDENTITY: _("Replace a card: find the holder"),
        DeskStep.CHOOSE_CARD: _("Which card is being replaced?"),
        DeskStep.CONFIRM_IDENTITY: _("Check the holder's identity"),
        DeskStep.TAP_NEW_CARD: _("Tap the new card"),
        DeskStep.CONFIRM_MOVE: _("Move the points?"),
        DeskStep.MOVE_DONE: _("Points moved"),
        DeskStep.MOVE_UNCERTAIN: _("No answer from the service"),
        DeskStep.MOVE_REFUSED: _("The points were not moved"),
        DeskStep.TAP_CARD_TO_REGISTER: _("Register a new card: tap the card"),
        DeskStep.REGISTRATION_FORM: _("Customer information form"),
        DeskStep.REGISTERED: _("Card registered"),
    }[step]


def notice_text(_: Gettext, state: DeskState) -> str:
    notice = state.notice
    if notice is None:
        return ""
    if notice is FailureKind.WRONG_PIN and state.attempts_left is not None:
        return _("Wrong code or PIN. Attempts left before a lockout: {count}.").format(count=state.attempts_left)
    if notice is FailureKind.LOCKED and state.retry_after_seconds:
        minutes = max(1, -(-state.retry_after_seconds // 60))
        return _("Too many wrong PINs: sign-in is locked for {minutes} min. Ask the station manager.").format(minutes=minutes)
    texts: dict[Notice, str] = {
        FailureKind.WRONG_PIN: _("Wrong code or PIN."),
        FailureKind.LOCKED: _("Too many wrong PINs: sign-in is locked for a while. Ask the station manager."),
        FailureKind.SESSION_ENDED: _("Your session has ended. Please sign in again."),
        FailureKind.UNKNOWN_CARD: _("No card with this number."),
        FailureKind.INVALID_NUMBER: _("This card number is not valid. Check it and try again."),
        FailureKind.NOT_REGISTERED: _("This card has no customer information form on file, so its holder cannot be confirmed. The holder can call 444 6738."),
        FailureKind.ALREADY_REPLACED: _("This card has already been replaced."),
        FailureKind.SAME_CARD: _("This is the old card. Tap the new card."),
        FailureKind.NEW_CARD_TAKEN: _("The new card is not blank: it has been used or registered. Take another new card."),
        FailureKind.WRONG_BIRTH_DATE: _("This birth date does not match the holder's record. Check the ID card and type it again."),
        FailureKind.CARD_BLOCKED: _("This card is blocked. Call 444 6738."),
        FailureKind.ALREADY_REGISTERED: _("This card already has a customer information form."),
        FailureKind.REJECTED: _("The service refused this request. Check the details and try again."),
        # Answers to a driver's activation, never to an attendant's request: said as any refusal.
        FailureKind.WRONG_NAME: _("The service refused this request. Check the details and try again."),
        FailureKind.WRONG_NAME_AND_BIRTH_DATE: _("The service refused this request. Check the details and try again."),
        FailureKind.RATE_LIMITED: _("Please wait a minute and try again."),
        FailureKind.UNAUTHORIZED: _("This kiosk is not allowed to do this. Tell the station manager."),
        FailureKind.UNAVAILABLE: _("The service did not answer. Try again in a moment."),
        KeypadError.INCOMPLETE: _("A card number has 16 digits."),
        KeypadError.CHECK_DIGIT: _("This card number is not valid. Check it and try again."),
        DeskNotice.NO_MATCH: _("No card matches these details. Check the name, birth date and phone, or search by card number."),
        DeskNotice.NO_NUMBER_ON_CARD: _("The reader cannot read this card's number. Type the number printed on the card."),
        DeskNotice.CARD_UNREADABLE: _("The card could not be read. Hold it near the reader again or type its number."),
        FormError.NAME_MISSING: _("Type the holder's name."),
        FormError.NAME_NEEDS_SURNAME: _("Type the name and the surname."),
        FormError.BIRTH_DATE_INCOMPLETE: _("Type the birth date as day, month, year (8 digits)."),
        FormError.BIRTH_DATE_INVALID: _("This birth date is not a real date."),
        FormError.PHONE_INVALID: _("A mobile number has 10 to 15 digits."),
        FormError.CODE_MISSING: _("Type your attendant code."),
        FormError.PIN_TOO_SHORT: _("A PIN has 4 to 8 digits."),
    }
    return texts[notice]


def field_text(state: DeskState, form_field: FormField) -> str:
    """A field as shown: the PIN as dots, numbers grouped as they are printed."""
    if form_field is FormField.PIN:
        return "•" * state.pin_length
    typed = state.text(form_field)
    if form_field is FormField.CARD_NUMBER:
        return group_digits(typed)
    if form_field is FormField.BIRTH_DATE:
        return shown_birth_date(typed)
    if form_field is FormField.PHONE:
        return shown_phone(typed)
    return typed



def card_line(_: Gettext, card: HolderCard, language: str) -> str:
    """``•••• 6566 · active · petrol & diesel 1.234,56, autogas 87,90 Paropuan``: each pot named."""
    return _("{number} · {status} · petrol & diesel {fuel}, autogas {autogas} Paropuan").format(
        number=short_masked_number(card.number_last4),
        status=status_word(_, card.status),
        fuel=format_points(card.fuel, language),
        autogas=format_points(card.autogas, language),
    )


def status_word(_: Gettext, status: CardStatus) -> str:
    return {
        CardStatus.ACTIVE: _("active"),
        CardStatus.NOT_ACTIVATED: _("not activated"),
        CardStatus.REPLACED: _("replaced"),
        CardStatus.BLOCKED: _("blocked"),
    }[status]


def holder_lines(_: Gettext, card: HolderCard) -> tuple[str, str, str]:
    """The masked holder details the attendant compares with the ID document."""
    if card.holder is None:
        return (_("No customer information form on file"), "", "")
    holder = card.holder
    return (
        _("Name: {name}").format(name=holder.name),
        _("Birth date: {date}").format(date=holder.birth_date),
        _("Phone: {phone}").format(phone=holder.phone) if holder.phone else "",
    )


def receipt_text(_: Gettext, done: ReplacementDone, language: str) -> str:
    """What the holder's phone reads from the receipt QR code after a replacement: the
    confirmation code (in the attendant audit too), both cards by their last four digits, when
    (station time), and who to call."""
    lines = [
        _("OPET Kart replacement"),
        _("Confirmation code: {code}").format(code=done.confirmation_code),
        _("Old card: {old}").format(old=f"**** {done.old_last4}"),
        _("New card: {new}").format(new=f"**** {done.new_last4}"),
    ]
    if done.done_at is not None:
        lines.append(format_as_of(done.done_at, language))
    lines.append("444 6738 (444 OPET)")
    return "\n".join(lines)


def move_summary(_: Gettext, state: DeskState, language: str) -> tuple[str, str]:
    """(from which card to which, what moves) for the confirmation before the move."""
    chosen = state.chosen
    if chosen is None:
        return "", ""
    cards = _("From the old card {old} to the new card {new}").format(
        old=short_masked_number(chosen.number_last4), new=short_masked_number(state.new_card_last4)
    )
    amounts = _("Petrol & diesel {fuel} Paropuan, autogas {autogas} Paropuan. The old card stops working.").format(
        fuel=format_points(chosen.fuel, language), autogas=format_points(chosen.autogas, language)
    )
    return cards, amounts


def outcome_texts(_: Gettext, state: DeskState, language: str) -> tuple[str, str]:
    """(what happened, details) for the end of a replacement or a registration."""
    if state.step is DeskStep.MOVE_DONE and state.moved is not None:
        done = state.moved
        return (
            _("Moved to {new}: petrol & diesel {fuel}, autogas {autogas} Paropuan.").format(
                new=short_masked_number(done.new_last4),
                fuel=format_points(done.moved_fuel, language),
                autogas=format_points(done.moved_autogas, language),
            ),
            _("The new card now has petrol & diesel {fuel}, autogas {autogas} Paropuan. The old card {old} no longer works.").format(
                fuel=format_points(done.new_fuel, language),
                autogas=format_points(done.new_autogas, language),
                old=short_masked_number(done.old_last4),
            ),
        )
    if state.step is DeskStep.MOVE_UNCERTAIN:
        return (
            _("It is not known yet whether the points were moved."),
            _("Try again: the same request is sent, and the service moves the points only once."),
        )
    if state.step is DeskStep.MOVE_REFUSED:
        return notice_text(_, state), _("Nothing was moved.")
    if state.step is DeskStep.REGISTERED and state.registered is not None:
        return (
            _("Card {number} is registered to {name}.").format(
                number=short_masked_number(state.registered.number_last4), name=state.registered_name
            ),
            _("The holder can activate it by SMS to 6738 or online."),
        )
    return "", ""
