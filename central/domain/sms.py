"""The activation SMS to 6738: parsing it, and the Turkish replies sent back.

The rule (seed text): ``PARO <last 10 digits of the 16-digit card> AD SOYAD GG.AA.YYYY``, for
example ``PARO 0012806566 ENDER AYTEKİN 20.03.1974``. :func:`parse_activation_sms` checks the
form only; whether the card exists and the name and birth date match the holder record is the
caller's look-up, whose result :func:`reply_for` turns into the reply.

What the parser accepts:

- Any whitespace between and around the parts: spaces, tabs, line breaks, no-break spaces.
  Compatibility forms are normalised first (NFKC: full-width digits and letters), and invisible
  format characters (zero-width spaces, byte-order marks, direction marks) are dropped.
- The keyword ``PARO`` in any case, with or without a trailing ``.,:;``, and glued to the
  digits (``PARO0012806566``).
- The card digits as one group or several (``0012 806566``); together exactly 10 ASCII digits.
- The name: every word between the digits and the date, at least two words (middle names and
  double surnames are fine), in any case, with or without Turkish letters. Letters, hyphens and
  apostrophes only (what :func:`opetcard.turkish.fold_name` keeps as letters). It is returned in
  Turkish capitals, whitespace collapsed; compare it with :func:`opetcard.turkish.names_match`.
- The birth date last, day before month: ``20.03.1974``, ``20/03/1974``, ``20-03-1974``, and
  one-digit day or month (``1.3.1974``); one trailing full stop is ignored. A two-digit year is
  refused (the century would be a guess), as is a date without separators.
- Plausible birth dates only: not in the future, not before 1900-01-01, and the holder at least
  :data:`MIN_AGE_YEARS` (10) years old. The card itself has no age limit (unlike a driving
  licence), and the real check is the holder record, so the lower bound only catches a mistyped
  year (2019 for 1979) with a reply that says to check the year; it turns away no real holder
  who can send an SMS.
- At most :data:`MAX_TEXT_LENGTH` (160) characters once whitespace is collapsed: one SMS.

Anything else gets an :class:`SmsRejection` with a :class:`Rejection` code and a Turkish reply
that says what to fix; the parser never raises. Checks run left to right (keyword, digits, date,
name) and the first failure is reported.

Replies are proper Turkish (ş, ğ, ı, İ), never ASCII-folded, because dropping the dots of ı/i
can change the meaning of a Turkish word. Those letters are not in the GSM 7-bit default
alphabet, so a reply goes either as 7-bit with the Turkish national language locking shift
table (3GPP TS 23.038; its 4-octet header leaves 155 characters in one SMS) or as UCS-2 (70
characters in one SMS, 67 per part of a long one). Every reply is therefore at most
:data:`MAX_REPLY_LENGTH` (155) characters: one SMS with the Turkish table, at most three parts in
UCS-2. Replies use only letters, digits, spaces and ``.,:;'()``, and never hold more than 4
digits in a row, so never a card number (the last 10 digits included).
"""
from __future__ import annotations

import datetime
import re
import unicodedata
from dataclasses import dataclass
from enum import StrEnum
from itertools import takewhile

from opetcard.numbers import CARD_DIGITS, SMS_DIGITS
from opetcard.station_time import station_today
from opetcard.turkish import fold_name, turkish_upper

MAX_TEXT_LENGTH = 160
MAX_REPLY_LENGTH = 155
EARLIEST_BIRTH_DATE = datetime.date(1900, 1, 1)
MIN_AGE_YEARS = 10

_KEYWORD = re.compile(r"PARO[.,:;]*([0-9]*)")
_DIGIT_GROUP = re.compile(r"[0-9]+")
_DATE = re.compile(r"([0-9]{1,2})[./-]([0-9]{1,2})[./-]([0-9]{4})\.?")
_DATE_LIKE = re.compile(r"[0-9./-]*[0-9][0-9./-]*")

_FORMAT = "PARO XXXXXXXXXX AD SOYAD GG.AA.YYYY"
_X_MEANS = "(X: kart numaranızın son 10 hanesi)"


@dataclass(frozen=True)
class ActivationSms:
    """A well-formed activation request: card digits, name in Turkish capitals, birth date."""

    last10: str
    full_name: str
    birth_date: datetime.date

    @property
    def last4(self) -> str:
        """The last four card digits: the only part a reply or log line may show."""
        return self.last10[-4:]


@dataclass(frozen=True)
class SmsRejection:
    """A malformed SMS: a :class:`Rejection` code and the Turkish reply that says what to fix."""

    code: str
    reply: str


class Rejection(StrEnum):
    """Why an SMS is not a well-formed activation request (the ``code`` of :class:`SmsRejection`)."""

    EMPTY = "empty"
    TOO_LONG = "too_long"
    NOT_PARO = "not_paro"
    CARD_MISSING = "card_missing"
    CARD_FULL_NUMBER = "card_full_number"
    CARD_WRONG_LENGTH = "card_wrong_length"
    DETAILS_MISSING = "details_missing"
    DATE_MISSING = "date_missing"
    WRONG_ORDER = "wrong_order"
    TEXT_AFTER_DATE = "text_after_date"
    DATE_MALFORMED = "date_malformed"
    DATE_INVALID = "date_invalid"
    DATE_IN_FUTURE = "date_in_future"
    DATE_TOO_OLD = "date_too_old"
    DATE_TOO_RECENT = "date_too_recent"
    NAME_MISSING = "name_missing"
    NAME_INVALID = "name_invalid"
    NAME_INCOMPLETE = "name_incomplete"


# English glosses in the trailing comments.
_REJECTION_REPLIES: dict[Rejection, str] = {
    # Your message is empty. To activate, send: <format>
    Rejection.EMPTY: f"Mesajınız boş. Aktivasyon için şunu gönderin: {_FORMAT} {_X_MEANS}",
    # Your message is too long. Write only: <format>
    Rejection.TOO_LONG: f"Mesajınız çok uzun. Yalnızca şunu yazın: {_FORMAT} {_X_MEANS}",
    # Start the message with PARO. Correct form: <format>
    Rejection.NOT_PARO: f"Mesajın başına PARO yazın. Doğru biçim: {_FORMAT} {_X_MEANS}",
    # After PARO, write the last 10 digits of your 16-digit card number: <format>
    Rejection.CARD_MISSING: f"PARO'dan sonra 16 haneli kart numaranızın son 10 hanesini yazın: {_FORMAT}",
    # Do not write your whole card number, only its last 10 digits: <format>
    Rejection.CARD_FULL_NUMBER: f"Kart numaranızın tamamını değil, yalnızca son 10 hanesini yazın: {_FORMAT}",
    # You wrote {count} digits for the card. Write the last 10 digits of your 16-digit card number.
    Rejection.CARD_WRONG_LENGTH: (
        "Kart numarası için {count} hane yazdınız. 16 haneli kart numaranızın son 10 hanesini yazın: "
        f"{_FORMAT}"
    ),
    # After the card digits, add your name, surname and birth date: <format>
    Rejection.DETAILS_MISSING: f"Kart numarasından sonra adınızı, soyadınızı ve doğum tarihinizi ekleyin: {_FORMAT}",
    # At the end of the message, after your name, add your birth date as DD.MM.YYYY (e.g. ...).
    Rejection.DATE_MISSING: (
        "Mesajın sonuna, adınızdan sonra bir boşluk bırakıp doğum tarihinizi GG.AA.YYYY biçiminde "
        "ekleyin (örnek: 20.03.1974)."
    ),
    # Write the details in this order, the birth date last: <format>
    Rejection.WRONG_ORDER: f"Bilgileri şu sırayla yazın, doğum tarihi en sonda: {_FORMAT}",
    # Write nothing after the birth date. Correct form: <format>
    Rejection.TEXT_AFTER_DATE: f"Doğum tarihinden sonra bir şey yazmayın. Doğru biçim: {_FORMAT}",
    # Write your birth date as day.month.year with a 4-digit year: DD.MM.YYYY (e.g. ...).
    Rejection.DATE_MALFORMED: (
        "Doğum tarihinizi gün.ay.yıl sırasıyla ve yılı 4 haneli yazın: GG.AA.YYYY (örnek: 20.03.1974)."
    ),
    # {date} is not a real date. Check your birth date (DD.MM.YYYY) and send again.
    Rejection.DATE_INVALID: (
        "{date} geçerli bir tarih değil. Doğum tarihinizi GG.AA.YYYY biçiminde kontrol edip yeniden gönderin."
    ),
    # The birth date cannot be in the future. Check the year and send again.
    Rejection.DATE_IN_FUTURE: (
        "Doğum tarihi ileri bir tarih olamaz. Yılı kontrol edip GG.AA.YYYY biçiminde yeniden gönderin."
    ),
    # The birth date cannot be before 1900. Check the year and send again.
    Rejection.DATE_TOO_OLD: (
        "Doğum tarihi 1900'den önce olamaz. Yılı kontrol edip GG.AA.YYYY biçiminde yeniden gönderin."
    ),
    # The birth date looks too recent. Check the year and send again.
    Rejection.DATE_TOO_RECENT: (
        "Doğum tarihi çok yakın bir tarih görünüyor. Yılı kontrol edip GG.AA.YYYY biçiminde yeniden gönderin."
    ),
    # Write your name and surname between the card digits and the birth date: <format>
    Rejection.NAME_MISSING: f"Kart numarası ile doğum tarihi arasına adınızı ve soyadınızı yazın: {_FORMAT}",
    # Write your name and surname in full, letters only (no digits or dots): <format>
    Rejection.NAME_INVALID: (
        f"Adınızı ve soyadınızı kısaltmadan, yalnızca harflerle yazın (rakam ve nokta olmadan): {_FORMAT}"
    ),
    # Write your name and surname together, as on the customer information form: <format>
    Rejection.NAME_INCOMPLETE: (
        f"Adınızı ve soyadınızı birlikte, müşteri bilgi formundaki gibi yazın: {_FORMAT}"
    ),
}


class Outcome(StrEnum):
    """What the look-up of a well-formed activation SMS found (the caller decides, we word it)."""

    ACTIVATED = "activated"
    ALREADY_ACTIVE = "already_active"
    NO_CARD = "no_card"
    WRONG_NAME = "wrong_name"
    WRONG_BIRTH_DATE = "wrong_birth_date"
    WRONG_NAME_AND_BIRTH_DATE = "wrong_name_and_birth_date"
    CARD_REPLACED = "card_replaced"
    CARD_BLOCKED = "card_blocked"
    NOT_REGISTERED = "not_registered"
    TOO_MANY_ATTEMPTS = "too_many_attempts"
    """This phone's or this card's activation budget is spent (the same reply for either)."""


# English glosses in the trailing comments; {last4} is the last four card digits.
_OUTCOME_REPLIES: dict[Outcome, str] = {
    # Your OPET Kart ending in {last4} is activated. You can now spend your Paropuan at OPET stations.
    Outcome.ACTIVATED: (
        "Sonu {last4} olan OPET Kart'ınız aktifleştirildi. Paropuanlarınızı artık OPET "
        "istasyonlarında harcayabilirsiniz."
    ),
    # Your OPET Kart ending in {last4} is already active; no need to activate it again.
    Outcome.ALREADY_ACTIVE: (
        "Sonu {last4} olan OPET Kart'ınız zaten aktif; yeniden aktivasyon gerekmez. Paropuanlarınızı "
        "OPET istasyonlarında harcayabilirsiniz."
    ),
    # No OPET Kart has the 10 digits you sent (ending {last4}). Check the last 10 of the 16 digits.
    Outcome.NO_CARD: (
        "Gönderdiğiniz 10 haneyle (sonu {last4}) bir OPET Kart bulunamadı. Kartınızdaki 16 haneli "
        "numaranın son 10 hanesini kontrol edip yeniden gönderin."
    ),
    # The name does not match our records. Write your full name as on the customer information
    # form (middle names too), then send again.
    Outcome.WRONG_NAME: (
        "Ad soyad kayıtlarımızla eşleşmedi. Ad soyadınızı müşteri bilgi formundaki gibi, ikinci "
        "adınız dahil eksiksiz yazıp yeniden gönderin."
    ),
    # The birth date does not match our records. Write it as day.month.year (20.03.1974).
    Outcome.WRONG_BIRTH_DATE: (
        "Doğum tarihi kayıtlarımızla eşleşmedi. Doğum tarihinizi gün.ay.yıl olarak (örneğin "
        "20.03.1974) kontrol edip yeniden gönderin."
    ),
    # Neither the name nor the birth date matches our records: check both as on the form.
    Outcome.WRONG_NAME_AND_BIRTH_DATE: (
        "Ad soyad ve doğum tarihi kayıtlarımızla eşleşmedi. İkisini de müşteri bilgi formundaki "
        "gibi yazıp yeniden gönderin."
    ),
    # The card ending in {last4} was replaced by a new card. Send again with the new card's digits.
    Outcome.CARD_REPLACED: (
        "Sonu {last4} olan kart yeni bir kartla değiştirildi ve kullanılamaz. Yeni kartınızın "
        "numarasının son 10 hanesiyle yeniden gönderin."
    ),
    # The card ending in {last4} is blocked. For details call the OPET call centre: 444 6738.
    Outcome.CARD_BLOCKED: (
        "Sonu {last4} olan kart kullanıma kapatılmıştır. Bilgi için OPET Çağrı Merkezi: 444 6738 "
        "(444 OPET)."
    ),
    # The card ending in {last4} is not registered. Fill in the customer information form at
    # the station and drop it in the box, or register in the Online İşlem Merkezi, then send again.
    Outcome.NOT_REGISTERED: (
        "Sonu {last4} olan kart kayıtlı değil. İstasyondaki müşteri bilgi formunu doldurup kutuya "
        "atın veya Online İşlem Merkezi'nden kaydolun, sonra yeniden gönderin."
    ),
    # Too many attempts were made for the card ending in {last4}. Please send again later.
    Outcome.TOO_MANY_ATTEMPTS: (
        "Sonu {last4} olan kart için çok fazla deneme yapıldı. Lütfen daha sonra yeniden gönderin."
    ),
}


def reply_for(outcome: Outcome, last4: str) -> str:
    """The Turkish reply to send for the outcome of the look-up; ``last4`` is the card's last 4 digits."""
    if len(last4) != 4 or not last4.isascii() or not last4.isdigit():
        raise ValueError("last4 must be exactly four ASCII digits")
    return _OUTCOME_REPLIES[outcome].format(last4=last4)


def _reject(code: Rejection, **values: object) -> SmsRejection:
    return SmsRejection(code=code, reply=_REJECTION_REPLIES[code].format(**values))


def _tokens(text: str) -> list[str]:
    """The whitespace-separated words of ``text`` after NFKC, without invisible format characters."""
    plain = unicodedata.normalize("NFKC", text)
    return "".join(char for char in plain if unicodedata.category(char) != "Cf").split()


def _age(born: datetime.date, today: datetime.date) -> int:
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def _birth_date(words: list[str], today: datetime.date) -> datetime.date | SmsRejection:
    """The birth date that ends ``words`` (everything after the card digits), or why not."""
    last = words[-1]
    if not _DATE_LIKE.fullmatch(last):
        misplaced = [index for index, word in enumerate(words[:-1]) if _DATE.fullmatch(word)]
        if not misplaced:
            return _reject(Rejection.DATE_MISSING)
        return _reject(Rejection.WRONG_ORDER if misplaced[0] == 0 else Rejection.TEXT_AFTER_DATE)
    match = _DATE.fullmatch(last)
    if match is None:
        return _reject(Rejection.DATE_MALFORMED)
    day, month, year = (int(group) for group in match.groups())
    try:
        born = datetime.date(year, month, day)
    except ValueError:
        return _reject(Rejection.DATE_INVALID, date=f"{day:02d}.{month:02d}.{year:04d}")
    if born > today:
        return _reject(Rejection.DATE_IN_FUTURE)
    if born < EARLIEST_BIRTH_DATE:
        return _reject(Rejection.DATE_TOO_OLD)
    if _age(born, today) < MIN_AGE_YEARS:
        return _reject(Rejection.DATE_TOO_RECENT)
    return born


def _full_name(words: list[str]) -> str | SmsRejection:
    """The name in Turkish capitals from the words between the card digits and the date, or why not."""
    if not words:
        return _reject(Rejection.NAME_MISSING)
    name = " ".join(words)
    key = fold_name(name)
    if not all(char.isalpha() or char == " " for char in key):
        return _reject(Rejection.NAME_INVALID)
    if not key:
        return _reject(Rejection.NAME_MISSING)
    if len(key.split()) < 2:
        return _reject(Rejection.NAME_INCOMPLETE)
    return turkish_upper(name)


def parse_activation_sms(text: str, *, today: datetime.date | None = None) -> ActivationSms | SmsRejection:
    """Reads ``PARO <last 10 digits> AD SOYAD GG.AA.YYYY``; never raises.

    ``today`` (default: the date at the stations, Europe/Istanbul, whatever the server's zone)
    bounds the birth date. See the module docstring for
    what is tolerated and what is rejected.
    """
    words = _tokens(text)
    if not words:
        return _reject(Rejection.EMPTY)
    if len(" ".join(words)) > MAX_TEXT_LENGTH:
        return _reject(Rejection.TOO_LONG)
    keyword = _KEYWORD.fullmatch(turkish_upper(words[0]))
    if keyword is None:
        return _reject(Rejection.NOT_PARO)
    rest = [keyword.group(1), *words[1:]] if keyword.group(1) else words[1:]

    digit_groups = list(takewhile(_DIGIT_GROUP.fullmatch, rest))
    digits = "".join(digit_groups)
    rest = rest[len(digit_groups):]
    if not digits:
        return _reject(Rejection.CARD_MISSING)
    if len(digits) == CARD_DIGITS:
        return _reject(Rejection.CARD_FULL_NUMBER)
    if len(digits) != SMS_DIGITS:
        return _reject(Rejection.CARD_WRONG_LENGTH, count=len(digits))
    if not rest:
        return _reject(Rejection.DETAILS_MISSING)

    born = _birth_date(rest, today or station_today())
    if isinstance(born, SmsRejection):
        return born
    name = _full_name(rest[:-1])
    if isinstance(name, SmsRejection):
        return name
    return ActivationSms(last10=digits, full_name=name, birth_date=born)
