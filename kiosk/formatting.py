"""Numbers and times the way the driver's language writes them (Babel, imported on first use:
the attract screen shows neither, and Babel's import was ~35 ms of the cold start)."""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from opetcard.station_time import station_time

LOCALES = {"tr": "tr_TR", "en": "en_GB"}


def group_digits(digits: str) -> str:
    """``700007001280`` -> ``7000 0700 1280``: the card's own 4-4-4-4 layout."""
    return " ".join(digits[i : i + 4] for i in range(0, len(digits), 4))


def format_points(hundredths: int, language: str = "tr") -> str:
    """``123456`` -> ``1.234,56`` in Turkish, ``1,234.56`` in English. Exact: no floats."""
    from babel.numbers import format_decimal

    return format_decimal(Decimal(hundredths).scaleb(-2), format="#,##0.00", locale=LOCALES[language])


def format_day(moment: datetime, language: str = "tr") -> str:
    """The local day of a moment: ``27.11.2026`` in Turkish, ``27/11/2026`` in English."""
    from babel.dates import format_date

    return format_date(moment.astimezone(), format="short", locale=LOCALES[language])


def format_signed_points(hundredths: int, language: str = "tr") -> str:
    """``+12,34`` / ``-5,00``: a movement of points, its direction always written."""
    return ("+" if hundredths >= 0 else "-") + format_points(abs(hundredths), language)


def format_spoken_time(moment: datetime, language: str = "tr") -> str:
    """A time as it is read aloud, the month in words: ``27 Kasım 2026 21:20``."""
    from babel.dates import format_datetime

    return format_datetime(moment.astimezone(), format="d MMMM y HH:mm", locale=LOCALES[language])


def format_as_of(moment: datetime, language: str = "tr") -> str:
    """The time a balance is from, as the station's clock shows it (Europe/Istanbul, whatever
    zone the kiosk's system is set to): ``27.11.2026 21:20``."""
    from babel.dates import format_datetime

    return format_datetime(station_time(moment), format="short", locale=LOCALES[language])
