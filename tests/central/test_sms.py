"""The activation SMS parser and its replies (central/sms.py)."""
import dataclasses
import datetime
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from central.domain.sms import (
    EARLIEST_BIRTH_DATE,
    MAX_REPLY_LENGTH,
    MAX_TEXT_LENGTH,
    MIN_AGE_YEARS,
    ActivationSms,
    Outcome,
    Rejection,
    SmsRejection,
    parse_activation_sms,
    reply_for,
)
from opetcard.turkish import fold_name, names_match

TODAY = datetime.date(2025, 6, 1)
OFFICIAL = "PARO 0012806566 ENDER AYTEKİN 20.03.1974"
REPLY_ALPHABET = re.compile(r"[A-Za-z0-9çÇğĞıİöÖşŞüÜ .,:;'()]+")
FIVE_DIGITS = re.compile(r"[0-9]{5}")


def parse(text: str) -> ActivationSms | SmsRejection:
    return parse_activation_sms(text, today=TODAY)


def assert_well_formed_reply(reply: str) -> None:
    """SMS-sized, in characters every Turkish SMS table has, and never more than 4 digits in a row."""
    assert 0 < len(reply) <= MAX_REPLY_LENGTH
    assert REPLY_ALPHABET.fullmatch(reply), reply
    assert not FIVE_DIGITS.search(reply), reply


# --- well-formed messages -------------------------------------------------------------------

@pytest.mark.parametrize(
    ("text", "full_name", "birth_date"),
    [
        (OFFICIAL, "ENDER AYTEKİN", datetime.date(1974, 3, 20)),
        ("paro 0012806566 ender aytekin 20.03.1974", "ENDER AYTEKİN", datetime.date(1974, 3, 20)),
        ("Paro 0012806566 Ender Aytekin 20.03.1974", "ENDER AYTEKİN", datetime.date(1974, 3, 20)),
        ("PARO 0012806566 ENDER AYTEKIN 20.03.1974", "ENDER AYTEKIN", datetime.date(1974, 3, 20)),
        ("  PARO   0012806566\tENDER\u00a0 AYTEKİN\n20.03.1974  \r\n", "ENDER AYTEKİN", datetime.date(1974, 3, 20)),
        ("\ufeffPARO 0012806566 ENDER\u200b AYTEKİN 20.03.1974", "ENDER AYTEKİN", datetime.date(1974, 3, 20)),
        ("PARO 0012806566 MEHMET ALİ YILMAZ 01.01.1980", "MEHMET ALİ YILMAZ", datetime.date(1980, 1, 1)),
        ("PARO 0012806566 ayşe gül çiçek öztürk 5.7.1990", "AYŞE GÜL ÇİÇEK ÖZTÜRK", datetime.date(1990, 7, 5)),
        ("PARO 0012806566 SAHIN CAGLAR 20/03/1974", "SAHIN CAGLAR", datetime.date(1974, 3, 20)),
        ("PARO 0012806566 ŞAHİN ÇAĞLAR 20-03-1974", "ŞAHİN ÇAĞLAR", datetime.date(1974, 3, 20)),
        ("PARO 0012806566 ZEYNEP KAYA-DEMİR 20.03.1974.", "ZEYNEP KAYA-DEMİR", datetime.date(1974, 3, 20)),
        ("PARO0012806566 ENDER AYTEKİN 20.03.1974", "ENDER AYTEKİN", datetime.date(1974, 3, 20)),
        ("PARO: 0012806566 ENDER AYTEKİN 20.03.1974", "ENDER AYTEKİN", datetime.date(1974, 3, 20)),
        ("PARO 0012 806566 ENDER AYTEKİN 20.03.1974", "ENDER AYTEKİN", datetime.date(1974, 3, 20)),
        ("ＰＡＲＯ ００１２８０６５６６ ENDER AYTEKİN ２０.０３.１９７４", "ENDER AYTEKİN", datetime.date(1974, 3, 20)),
    ],
)
def test_well_formed_messages(text: str, full_name: str, birth_date: datetime.date) -> None:
    assert parse(text) == ActivationSms(last10="0012806566", full_name=full_name, birth_date=birth_date)


def test_the_parsed_name_matches_the_record_the_turkish_way() -> None:
    sms = parse("paro 0012806566 ender aytekin 20.03.1974")
    assert isinstance(sms, ActivationSms)
    assert names_match(sms.full_name, "ENDER AYTEKİN")
    assert sms.last4 == "6566"


def test_today_defaults_to_the_local_date() -> None:
    assert isinstance(parse_activation_sms(OFFICIAL), ActivationSms)


def test_the_parsed_message_is_frozen() -> None:
    sms = parse(OFFICIAL)
    with pytest.raises(dataclasses.FrozenInstanceError):
        sms.last10 = "0000000000"  # type: ignore[misc]


# --- rejections -----------------------------------------------------------------------------

REJECTED = [
    ("", Rejection.EMPTY),
    (" \t\u00a0\n", Rejection.EMPTY),
    ("PARO 0012806566 " + "ENDER " * 30 + "20.03.1974", Rejection.TOO_LONG),
    ("merhaba", Rejection.NOT_PARO),
    ("0012806566 ENDER AYTEKİN 20.03.1974", Rejection.NOT_PARO),
    ("PARA 0012806566 ENDER AYTEKİN 20.03.1974", Rejection.NOT_PARO),
    ("PARO", Rejection.CARD_MISSING),
    ("PARO ENDER AYTEKİN 20.03.1974", Rejection.CARD_MISSING),
    ("PARO 0012-806566 ENDER AYTEKİN 20.03.1974", Rejection.CARD_MISSING),
    ("PARO 7000070012806566 ENDER AYTEKİN 20.03.1974", Rejection.CARD_FULL_NUMBER),
    ("PARO 7000 0700 1280 6566 ENDER AYTEKİN 20.03.1974", Rejection.CARD_FULL_NUMBER),
    ("PARO7000070012806566 ENDER AYTEKİN 20.03.1974", Rejection.CARD_FULL_NUMBER),
    ("PARO 012806566 ENDER AYTEKİN 20.03.1974", Rejection.CARD_WRONG_LENGTH),
    ("PARO 00012806566 ENDER AYTEKİN 20.03.1974", Rejection.CARD_WRONG_LENGTH),
    ("PARO 0012806566", Rejection.DETAILS_MISSING),
    ("PARO 0012806566 ENDER AYTEKİN", Rejection.DATE_MISSING),
    ("PARO 0012806566 ENDER AYTEKİN20.03.1974", Rejection.DATE_MISSING),
    ("PARO 0012806566 20.03.1974 ENDER AYTEKİN", Rejection.WRONG_ORDER),
    ("PARO 0012806566 ENDER AYTEKİN 20.03.1974 teşekkürler", Rejection.TEXT_AFTER_DATE),
    ("PARO 0012806566 ENDER AYTEKİN 20.03.74", Rejection.DATE_MALFORMED),
    ("PARO 0012806566 ENDER AYTEKİN 20031974", Rejection.DATE_MALFORMED),
    ("PARO 0012806566 ENDER AYTEKİN 1974", Rejection.DATE_MALFORMED),
    ("PARO 0012806566 ENDER AYTEKİN 20..03.1974", Rejection.DATE_MALFORMED),
    ("PARO 0012806566 ENDER AYTEKİN 31.02.1990", Rejection.DATE_INVALID),
    ("PARO 0012806566 ENDER AYTEKİN 20.13.1974", Rejection.DATE_INVALID),
    ("PARO 0012806566 ENDER AYTEKİN 29.02.2015", Rejection.DATE_INVALID),
    ("PARO 0012806566 ENDER AYTEKİN 20.03.2030", Rejection.DATE_IN_FUTURE),
    ("PARO 0012806566 ENDER AYTEKİN 31.12.1899", Rejection.DATE_TOO_OLD),
    ("PARO 0012806566 ENDER AYTEKİN 20.03.2019", Rejection.DATE_TOO_RECENT),
    ("PARO 0012806566 20.03.1974", Rejection.NAME_MISSING),
    ("PARO 0012806566 - 20.03.1974", Rejection.NAME_MISSING),
    ("PARO 0012806566 ENDER 20.03.1974", Rejection.NAME_INCOMPLETE),
    ("PARO 0012806566 M. ALİ YILMAZ 20.03.1974", Rejection.NAME_INVALID),
    ("PARO 0012806566 3NDER AYTEKİN 20.03.1974", Rejection.NAME_INVALID),
]


@pytest.mark.parametrize(("text", "code"), REJECTED)
def test_rejections(text: str, code: Rejection) -> None:
    result = parse(text)
    assert isinstance(result, SmsRejection)
    assert result.code == code
    assert_well_formed_reply(result.reply)


def test_every_rejection_code_has_an_example() -> None:
    assert {code for _, code in REJECTED} == set(Rejection)


def test_a_full_card_number_is_not_echoed() -> None:
    result = parse("PARO 7000070012806566 ENDER AYTEKİN 20.03.1974")
    assert isinstance(result, SmsRejection)
    assert "son 10 hane" in result.reply
    assert "7000070012806566" not in result.reply and "0012806566" not in result.reply


def test_a_wrong_number_of_digits_is_counted() -> None:
    result = parse("PARO 12806566 ENDER AYTEKİN 20.03.1974")
    assert isinstance(result, SmsRejection)
    assert "8 hane" in result.reply


def test_an_impossible_date_is_named() -> None:
    result = parse("PARO 0012806566 ENDER AYTEKİN 31.2.1990")
    assert isinstance(result, SmsRejection)
    assert result.reply.startswith("31.02.1990 ")


def test_the_name_rejection_does_not_mention_the_date() -> None:
    result = parse("PARO 0012806566 ENDER 20.03.1974")
    assert isinstance(result, SmsRejection)
    assert "soyad" in result.reply and "tarih" not in result.reply


# --- birth-date bounds ----------------------------------------------------------------------

def years_before(day: datetime.date, years: int) -> datetime.date:
    return day.replace(year=day.year - years)


@pytest.mark.parametrize(
    ("birth_date", "accepted"),
    [
        (EARLIEST_BIRTH_DATE, True),
        (EARLIEST_BIRTH_DATE - datetime.timedelta(days=1), False),
        (years_before(TODAY, MIN_AGE_YEARS), True),
        (years_before(TODAY, MIN_AGE_YEARS) + datetime.timedelta(days=1), False),
        (TODAY, False),
        (TODAY + datetime.timedelta(days=1), False),
    ],
)
def test_birth_date_bounds(birth_date: datetime.date, accepted: bool) -> None:
    result = parse(f"PARO 0012806566 ENDER AYTEKİN {birth_date:%d.%m.%Y}")
    assert isinstance(result, ActivationSms) is accepted


@pytest.mark.parametrize(("today", "accepted"), [(datetime.date(2026, 2, 28), False), (datetime.date(2026, 3, 1), True)])
def test_a_29_february_birthday_counts_from_1_march_in_other_years(today: datetime.date, accepted: bool) -> None:
    result = parse_activation_sms("PARO 0012806566 ENDER AYTEKİN 29.02.2016", today=today)
    assert isinstance(result, ActivationSms) is accepted


# --- replies after the look-up --------------------------------------------------------------

@pytest.mark.parametrize("outcome", list(Outcome))
def test_every_outcome_has_a_reply_with_the_last_four_digits_only(outcome: Outcome) -> None:
    reply = reply_for(outcome, "6566")
    assert_well_formed_reply(reply)
    if outcome not in MISMATCHES:
        assert "6566" in reply


def test_the_activated_reply() -> None:
    assert reply_for(Outcome.ACTIVATED, "6566").startswith("Sonu 6566 olan OPET Kart'ınız aktifleştirildi.")


MISMATCHES = (Outcome.WRONG_NAME, Outcome.WRONG_BIRTH_DATE, Outcome.WRONG_NAME_AND_BIRTH_DATE)


@pytest.mark.parametrize(
    ("outcome", "names", "not_named"),
    [
        (Outcome.WRONG_NAME, ("Ad soyad",), "Doğum"),
        (Outcome.WRONG_BIRTH_DATE, ("Doğum tarihi", "gün.ay.yıl"), "Ad soyad"),
        (Outcome.WRONG_NAME_AND_BIRTH_DATE, ("Ad soyad", "doğum tarihi"), None),
    ],
)
def test_a_mismatch_reply_says_what_to_fix_but_not_the_record(outcome, names, not_named) -> None:
    reply = reply_for(outcome, "6566")
    assert all(name in reply for name in names)
    assert not_named is None or not_named not in reply
    assert "6566" not in reply


def test_the_not_registered_reply_says_how_to_register() -> None:
    reply = reply_for(Outcome.NOT_REGISTERED, "6566")
    assert "müşteri bilgi formu" in reply and "Online İşlem Merkezi" in reply


@pytest.mark.parametrize("last4", ["", "656", "06566", "abcd", "٦٥٦٦", "0012806566"])
def test_reply_for_wants_exactly_four_digits(last4: str) -> None:
    with pytest.raises(ValueError):
        reply_for(Outcome.ACTIVATED, last4)


# --- properties -----------------------------------------------------------------------------

def assert_answered(result: object) -> None:
    """Every text gets an answer: a well-formed request, or a known code with a proper reply."""
    if isinstance(result, SmsRejection):
        assert result.code in set(Rejection)
        assert_well_formed_reply(result.reply)
    else:
        assert isinstance(result, ActivationSms)
        assert len(result.last10) == 10 and result.last10.isascii() and result.last10.isdigit()
        assert len(fold_name(result.full_name).split()) >= 2
        assert EARLIEST_BIRTH_DATE <= result.birth_date <= TODAY


any_text = st.text(alphabet=st.characters(exclude_categories=()), max_size=200)
sms_like_text = st.text(alphabet="PARO paro0123456789.-/ \t\u00a0İIıiŞşĞğ", max_size=80)


@settings(max_examples=200, deadline=None)
@given(st.one_of(any_text, sms_like_text))
def test_any_text_gets_an_answer(text: str) -> None:
    assert_answered(parse(text))


WHITESPACE = st.text(alphabet=" \t\n\r\u00a0\u2009\u3000", min_size=1, max_size=3)
keywords = st.sampled_from(["PARO", "paro", "Paro", "pArO", "PARO:"])
last10s = st.text(alphabet="0123456789", min_size=10, max_size=10)
name_words = st.text(alphabet="abcçdefgğhıijklmnoöprsştuüvyzABCÇDEFGĞHIİJKLMNOÖPRSŞTUÜVYZ", min_size=1, max_size=12)
names = st.lists(name_words, min_size=2, max_size=4)
birth_dates = st.dates(min_value=EARLIEST_BIRTH_DATE, max_value=years_before(TODAY, MIN_AGE_YEARS))


@st.composite
def well_formed(draw: st.DrawFn) -> tuple[str, str, list[str], datetime.date]:
    """A valid activation SMS, written any way the parser accepts, with what it should yield."""
    last10 = draw(last10s)
    name = draw(names)
    born = draw(birth_dates)
    cut = draw(st.integers(min_value=0, max_value=9))
    digit_groups = [last10[:cut], last10[cut:]] if cut else [last10]
    separator = draw(st.sampled_from("./-"))
    day = f"{born.day:02d}" if draw(st.booleans()) else str(born.day)
    month = f"{born.month:02d}" if draw(st.booleans()) else str(born.month)
    date_text = f"{day}{separator}{month}{separator}{born.year}"
    parts = [draw(keywords), *digit_groups, *name, date_text]
    text = draw(st.sampled_from(["", " ", "\t"]))
    for part in parts:
        text += part + draw(WHITESPACE)
    return text, last10, name, born


@settings(max_examples=150, deadline=None)
@given(well_formed())
def test_well_formed_messages_parse(case: tuple[str, str, list[str], datetime.date]) -> None:
    text, last10, name, born = case
    result = parse(text)
    assert isinstance(result, ActivationSms), (text, result)
    assert (result.last10, result.birth_date) == (last10, born)
    assert names_match(result.full_name, " ".join(name))


@st.composite
def perturbed(draw: st.DrawFn) -> str:
    """A valid SMS with a few random edits: characters deleted, inserted or replaced, words moved."""
    text = draw(well_formed())[0]
    for _ in range(draw(st.integers(min_value=1, max_value=4))):
        edit = draw(st.sampled_from(["delete", "insert", "replace", "swap_words", "truncate"]))
        position = draw(st.integers(min_value=0, max_value=len(text)))
        char = draw(st.one_of(st.sampled_from("0123456789./- \u00a0İıi"), st.characters(exclude_categories=())))
        if edit == "delete":
            text = text[:position] + text[position + 1:]
        elif edit == "insert":
            text = text[:position] + char + text[position:]
        elif edit == "replace":
            text = text[:position] + char + text[position + 1:]
        elif edit == "truncate":
            text = text[:position]
        else:
            words = text.split()
            if len(words) > 1:
                first = draw(st.integers(min_value=0, max_value=len(words) - 2))
                words[first], words[first + 1] = words[first + 1], words[first]
            text = " ".join(words)
    return text


@settings(max_examples=250, deadline=None)
@given(perturbed())
def test_perturbed_messages_get_an_answer(text: str) -> None:
    assert_answered(parse(text))


@settings(max_examples=200, deadline=None)
@given(
    st.text(alphabet="0123456789", min_size=16, max_size=16),
    st.sampled_from(["PARO {} ENDER AYTEKİN 20.03.1974", "PARO{}", "PARO ENDER {} 20.03.1974", "{} PARO", "PARO 0012806566 ENDER {}"]),
)
def test_a_full_card_number_is_never_echoed(number: str, template: str) -> None:
    result = parse(template.format(number))
    assert isinstance(result, SmsRejection)
    assert number[-10:] not in result.reply
    assert_well_formed_reply(result.reply)


def test_too_long_is_measured_after_collapsing_whitespace() -> None:
    padded = OFFICIAL.replace(" ", " " * 50)
    assert len(padded) > MAX_TEXT_LENGTH
    assert isinstance(parse(padded), ActivationSms)
