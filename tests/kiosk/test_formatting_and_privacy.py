import time
from datetime import date, datetime, timezone

import pytest

from hardware.card_number import CardNumber, InvalidCardNumber
from kiosk.formatting import format_as_of, format_points
from kiosk.holder_form import FormError, birth_date
from kiosk.log_privacy import redact
from opetcard.station_time import station_today


@pytest.mark.parametrize(
    ("hundredths", "turkish", "english"),
    [(123456, "1.234,56", "1,234.56"), (8790, "87,90", "87.90"), (0, "0,00", "0.00"), (5, "0,05", "0.05"),
     (100000000001, "1.000.000.000,01", "1,000,000,000.01")],
)
def test_points_are_formatted_exactly_per_language(hundredths: int, turkish: str, english: str) -> None:
    assert format_points(hundredths, "tr") == turkish
    assert format_points(hundredths, "en") == english


def test_as_of_is_day_first_in_turkish() -> None:
    moment = datetime(2026, 11, 27, 9, 5, tzinfo=timezone.utc).astimezone()
    assert format_as_of(moment, "tr").startswith(moment.strftime("%d.%m.%Y"))


@pytest.mark.parametrize("system_zone", ["UTC", "America/New_York", "Asia/Tokyo"])
def test_as_of_is_istanbul_time_whatever_the_kiosks_zone(system_zone: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """22:30 UTC on 27 November is 01:30 on the 28th at the stations (UTC+3), also on a kiosk
    whose system clock is set to another zone."""
    monkeypatch.setenv("TZ", system_zone)
    time.tzset()
    try:
        moment = datetime(2026, 11, 27, 22, 30, tzinfo=timezone.utc)
        assert format_as_of(moment, "tr") == "28.11.2026 01:30"
        assert format_as_of(moment.astimezone(), "tr") == "28.11.2026 01:30"
    finally:
        monkeypatch.undo()
        time.tzset()


def test_a_birth_date_typed_is_bounded_by_the_date_at_the_stations() -> None:
    """At 22:30 UTC on 27 November it is already the 28th in Istanbul: a holder born that day
    (at the stations) may type it, the 29th is still in the future."""
    late_evening_utc = datetime(2026, 11, 27, 22, 30, tzinfo=timezone.utc)
    today = station_today(late_evening_utc)
    assert today == date(2026, 11, 28)
    assert birth_date("28112026", today=today) == date(2026, 11, 28)
    assert birth_date("29112026", today=today) is FormError.BIRTH_DATE_INVALID


def test_card_number_masks_itself_everywhere() -> None:
    number = CardNumber.parse("7000 0700 1280 6566")
    assert number.digits == "7000070012806566"
    for shown in (str(number), repr(number), f"{number}", number.masked, str([number])):
        assert "7000070012806566" not in shown
        assert "6566" in shown
    assert number.last10 == "0012806566"
    assert number.luhn_valid


@pytest.mark.parametrize("text", ["", "123", "70000700128065661", "7000O70012806566", "７０００070012806566"])
def test_invalid_numbers_are_refused_without_echoing_them(text: str) -> None:
    with pytest.raises(InvalidCardNumber) as raised:
        CardNumber.parse(text)
    assert text not in str(raised.value) or text == ""


def test_redaction_masks_grouped_and_plain_numbers_only() -> None:
    assert redact("GET /v1/cards/7000070012806566?entry=tapped") == "GET /v1/cards/•••• •••• •••• 6566?entry=tapped"
    assert redact("card 7000 0700 1280 6566 read") == "card •••• •••• •••• 6566 read"
    assert redact("port 35963, 17 digits 12345678901234567") == "port 35963, 17 digits 12345678901234567"


def test_redaction_cuts_a_uid_in_a_url_to_its_last_four() -> None:
    assert redact("GET /v1/cards/by-uid/04a1b2c3d4e5f6?entry=tapped") == "GET /v1/cards/by-uid/…e5f6?entry=tapped"
    assert redact("route /v1/cards/by-uid/{uid_hex}") == "route /v1/cards/by-uid/{uid_hex}"

