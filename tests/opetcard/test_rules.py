"""The leaf package's rules: card numbers and their check digit, UIDs, masks."""
from __future__ import annotations

import pytest

from opetcard import masking, numbers

DEMO_NUMBERS = ("7000070012806566", "7000071234567895", "7000079876543215", "7000075555000014")


@pytest.mark.parametrize("digits", DEMO_NUMBERS)
def test_demo_numbers_have_a_valid_check_digit(digits: str) -> None:
    assert numbers.is_card_number(digits)
    wrong = digits[:-1] + str((int(digits[-1]) + 1) % 10)
    assert numbers.has_card_shape(wrong) and not numbers.is_card_number(wrong)


@pytest.mark.parametrize("text", ["700007001280656", "70000700128065660", "７０００070012806566", "7000O70012806566", ""])
def test_what_is_not_sixteen_ascii_digits_is_no_card_number(text: str) -> None:
    assert not numbers.has_card_shape(text)
    assert not numbers.is_card_number(text)


def test_luhn_refuses_what_is_not_ascii_digits() -> None:
    assert not numbers.luhn_valid("٧٠٠٠٠٧٠٠١٢٨٠٦٥٦٦")  # Arabic-Indic digits pass str.isdigit()
    assert not numbers.luhn_valid("7000-0700")


@pytest.mark.parametrize(("text", "shaped"), [("04A1B2C3D4E5F6", True), ("04a1b2c3", True), ("04A1B2C3D4E5F60011223344", False),
                                              ("04A1B2C3D4E5FG", False), ("04A1B2C3D4E5F", False)])
def test_uid_shapes(text: str, shaped: bool) -> None:
    assert numbers.has_uid_shape(text) is shaped


def test_only_the_end_of_a_number_is_shown() -> None:
    assert (numbers.last4(DEMO_NUMBERS[0]), numbers.last10(DEMO_NUMBERS[0])) == ("6566", "0012806566")
    assert masking.masked_number("6566") == "•••• •••• •••• 6566"
    assert masking.short_masked_number("6566") == "••••\u00a06566"
    assert masking.masked_uid("04a1b2c3d4e5f6") == "UID …E5F6"
