"""The fields an attendant types: what each accepts key by key, and the checks before a request.

Names are typed in Turkish capitals (the SMS rule and the paper form use them); the keyboard
may also offer small letters, so :func:`opetcard.turkish.turkish_upper` (the service's own rule)
gives the Turkish pairs i/İ and ı/I rather than Python's ``"i".upper() == "I"``.
"""
from __future__ import annotations

import datetime as dt
import enum

from opetcard.numbers import CARD_DIGITS
from opetcard.station_time import station_today
from opetcard.turkish import turkish_upper

NAME_MAX_LENGTH = 100
PHONE_MIN_DIGITS, PHONE_MAX_DIGITS = 10, 15
ATTENDANT_CODE_MAX_LENGTH = 32
PIN_MIN_LENGTH, PIN_MAX_LENGTH = 4, 8

class FormField(enum.Enum):
    """A field of attendant mode; each has its keyboard (letters or digits) and its limit."""

    ATTENDANT_CODE = "attendant_code"
    PIN = "pin"
    CARD_NUMBER = "card_number"
    FULL_NAME = "full_name"
    BIRTH_DATE = "birth_date"
    PHONE = "phone"

    @property
    def takes_letters(self) -> bool:
        return self is FormField.FULL_NAME

    @property
    def max_length(self) -> int:
        return {
            FormField.ATTENDANT_CODE: ATTENDANT_CODE_MAX_LENGTH,
            FormField.PIN: PIN_MAX_LENGTH,
            FormField.CARD_NUMBER: CARD_DIGITS,
            FormField.FULL_NAME: NAME_MAX_LENGTH,
            FormField.BIRTH_DATE: 8,
            FormField.PHONE: PHONE_MAX_DIGITS,
        }[self]


class FormError(enum.Enum):
    """Why a typed value cannot be sent yet (no request is made)."""

    NAME_MISSING = "name_missing"
    NAME_NEEDS_SURNAME = "name_needs_surname"
    BIRTH_DATE_INCOMPLETE = "birth_date_incomplete"
    BIRTH_DATE_INVALID = "birth_date_invalid"
    PHONE_INVALID = "phone_invalid"
    CODE_MISSING = "code_missing"
    PIN_TOO_SHORT = "pin_too_short"


def accepts(field: FormField, current: str, key: str) -> str | None:
    """``current`` with ``key`` typed at its end, or None when the field does not take it."""
    if len(key) != 1 or len(current) >= field.max_length:
        return None
    if field.takes_letters:
        if key == " ":
            return None if not current or current.endswith(" ") else current + key
        if key in "-'" and current and current[-1].isalpha():
            return current + key
        return current + turkish_upper(key) if key.isalpha() else None
    return current + key if key.isascii() and key.isdigit() else None


def normalized_name(typed: str) -> str | FormError:
    """The name as the holder record keeps it: Turkish capitals, single spaces, at least two words."""
    name = " ".join(turkish_upper(typed).split())
    if not name:
        return FormError.NAME_MISSING
    if len(name.split()) < 2:
        return FormError.NAME_NEEDS_SURNAME
    return name


def birth_date(digits: str, today: dt.date | None = None) -> dt.date | FormError:
    """``GGAAYYYY`` (as typed, the dots are the screen's) as a real date between 1900 and today
    (at the stations: Europe/Istanbul)."""
    if len(digits) != 8:
        return FormError.BIRTH_DATE_INCOMPLETE
    try:
        value = dt.date(int(digits[4:]), int(digits[2:4]), int(digits[:2]))
    except ValueError:
        return FormError.BIRTH_DATE_INVALID
    if not dt.date(1900, 1, 1) <= value <= (today or station_today()):
        return FormError.BIRTH_DATE_INVALID
    return value


def phone(digits: str) -> str | FormError:
    """A mobile number of 10 to 15 digits (``05321234567``, ``905321234567``)."""
    if not PHONE_MIN_DIGITS <= len(digits) <= PHONE_MAX_DIGITS or not digits.isdigit():
        return FormError.PHONE_INVALID
    return digits


def shown_birth_date(digits: str) -> str:
    """``2003197`` -> ``20.03.197``: the dots appear as the attendant types."""
    return ".".join(part for part in (digits[:2], digits[2:4], digits[4:]) if part)


def shown_phone(digits: str) -> str:
    """``05321234567`` -> ``0532 123 45 67``."""
    if len(digits) == 11 and digits.startswith("0"):
        parts = (digits[:4], digits[4:7], digits[7:9], digits[9:])
    elif len(digits) == 10:
        parts = (digits[:3], digits[3:6], digits[6:8], digits[8:])
    else:
        return digits
    return " ".join(parts)
