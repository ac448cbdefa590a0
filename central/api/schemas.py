"""Request and response bodies of the HTTP API (pydantic).

Amounts are integer kuruş and points integer hundredths of a Paropuan: never floats.
"""
from __future__ import annotations

import datetime as dt
import enum
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
)

from central.domain.numbers import parse_card_number
from central.domain.text import visible_text
from central.storage.models import CardStatus, FuelType, Pot

MAX_AMOUNT_KURUS = 100_000_000  # 1 000 000 TL: far above any fuel sale
MAX_POINTS = 10_000_000_000


def _printable(text: str) -> str:
    if any(ord(char) < 32 and char not in "\n\r\t" or ord(char) == 127 for char in text):
        raise ValueError("must not contain control characters")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("must be valid Unicode text") from None
    return text


def _one_line(text: str) -> str:
    if any(char in "\n\r\t" for char in text):
        raise ValueError("must be a single line")
    return text


def _card_number(text: str) -> str:
    return parse_card_number(text)


def _past_birth_date(value: dt.date) -> dt.date:
    if not dt.date(1900, 1, 1) <= value <= dt.date.today():
        raise ValueError("must be a real birth date between 1900 and today")
    return value


SafeText = Annotated[str, AfterValidator(_printable)]
Line = Annotated[str, AfterValidator(_printable), AfterValidator(_one_line)]
CardNumber = Annotated[
    str,
    Field(min_length=16, max_length=19, description="16-digit card number with a valid Luhn check digit"),
    AfterValidator(_card_number),
]
FullName = Annotated[Line, AfterValidator(visible_text),
                     Field(min_length=1, max_length=100, description="AD SOYAD, any letter case")]
BirthDate = Annotated[dt.date, AfterValidator(_past_birth_date)]
Station = Annotated[Line, Field(min_length=1, max_length=64, description="Station code")]
Hundredths = Annotated[StrictInt, Field(gt=0, le=MAX_POINTS, description="Hundredths of a Paropuan")]
AttendantCode = Annotated[str, Field(pattern=r"^[A-Za-z0-9_-]{1,32}$")]
Pin = Annotated[str, Field(pattern=r"^[0-9]{4,8}$", description="4 to 8 digits")]
Phone = Annotated[str, Field(pattern=r"^\+?[0-9]{10,15}$", description="Mobile number, digits with optional +")]


class Entry(str, enum.Enum):
    """How the kiosk got the number: a tapped card, or digits typed on the screen."""

    TAPPED = "tapped"
    TYPED = "typed"


class Pots(BaseModel):
    """Both pots in integer hundredths of a Paropuan."""

    fuel: int = Field(description="Petrol and diesel pot, hundredths of a Paropuan")
    autogas: int = Field(description="Autogas pot, hundredths of a Paropuan")


class CardView(BaseModel):
    """A card's balance as a kiosk shows it."""

    number_last4: str = Field(pattern=r"^\d{4}$")
    status: CardStatus
    pots: Pots
    holder_registered: bool
    as_of: dt.datetime


class MovementKind(str, enum.Enum):
    EARNED = "earned"
    SPENT = "spent"


class MovementView(BaseModel):
    """One earning (a sale) or spending (a redemption) of a card."""

    at: dt.datetime
    kind: MovementKind
    station: str
    pot: Pot
    points: int = Field(ge=0, description="Hundredths of a Paropuan earned or spent (kind says which)")


class RecentMovements(BaseModel):
    """A card's last earnings and spendings, newest first (at most five), masked: no number
    beyond its last four, no holder data."""

    number_last4: str = Field(pattern=r"^\d{4}$")
    movements: list[MovementView] = Field(max_length=5)


class SaleRequest(BaseModel):
    """A fuel sale a till reports for a card."""

    model_config = ConfigDict(extra="forbid")

    card_number: CardNumber
    fuel_type: FuelType
    amount: StrictInt = Field(gt=0, le=MAX_AMOUNT_KURUS, description="Sale amount in kuruş")
    station: Station
    sold_at: AwareDatetime = Field(description="When the sale happened, with its UTC offset")


class SaleReceipt(BaseModel):
    """What a sale earned."""

    sale_id: int
    number_last4: str
    fuel_type: FuelType
    amount: int
    pot: Pot
    points_earned: int = Field(description="Hundredths of a Paropuan, rounded down")
    rate_ppm: int | None = Field(description="Earn rate applied, parts per million; null when no rule was in force")
    pots: Pots


class RedemptionRequest(BaseModel):
    """Points a card spends at a till, from the pot that matches the fuel bought."""

    model_config = ConfigDict(extra="forbid")

    card_number: CardNumber
    fuel_type: FuelType
    points: Hundredths
    station: Station
    redeemed_at: AwareDatetime


class RedemptionReceipt(BaseModel):
    """What a redemption took."""

    redemption_id: int
    number_last4: str
    pot: Pot
    points: int
    pots: Pots


class ActivationRequest(BaseModel):
    """Online activation: the holder's name and birth date, as on the holder record."""

    model_config = ConfigDict(extra="forbid")

    full_name: FullName
    birth_date: BirthDate


class SmsInbound(BaseModel):
    """A text message the SMS gateway received."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    from_: Line = Field(alias="from", min_length=1, max_length=32, description="Sender's phone number")
    to: Line = Field(min_length=1, max_length=32, description="Short number it was sent to (6738)")
    text: SafeText = Field(max_length=1000)


class SmsReply(BaseModel):
    """The text to send back, and what happened."""

    reply: str
    outcome: str


class RegistrationRequest(BaseModel):
    """The paper customer information form of a card."""

    model_config = ConfigDict(extra="forbid")

    card_number: CardNumber
    full_name: FullName
    birth_date: BirthDate
    phone: Phone
    consent: StrictBool = Field(description="The holder signed the consent on the form")


class ReplacementRequest(BaseModel):
    """Move both pots from a lost or broken card to a new one, after checking the holder's identity."""

    model_config = ConfigDict(extra="forbid")

    old_card_number: CardNumber
    new_card_number: CardNumber
    full_name: FullName
    birth_date: BirthDate


CardRef = Annotated[
    str,
    Field(min_length=1, max_length=64,
          description="A card_ref from a card look-up or holder search of the same attendant session"),
]


class CardRefReplacementRequest(BaseModel):
    """Attendant mode: the old card as found in this attendant session, and the birth date the
    attendant read off the holder's ID document (it must match the holder record)."""

    model_config = ConfigDict(extra="forbid")

    old_card_ref: CardRef
    new_card_number: CardNumber
    birth_date: BirthDate = Field(description="Read off the holder's ID document by the attendant")


class ReplacementReceipt(BaseModel):
    """The result of a replacement (replayed as is for a retried Idempotency-Key)."""

    replacement_id: int
    confirmation_code: str = Field(
        pattern=r"^[0-9A-HJKMNP-TV-Z]{6}$", description="Shown to the attendant and the holder (Crockford base32)")
    old_card: CardView
    new_card: CardView
    moved: Pots


class AttendantLogin(BaseModel):
    """An attendant signs in on a kiosk or till."""

    model_config = ConfigDict(extra="forbid")

    code: AttendantCode
    pin: Pin


class AttendantInfo(BaseModel):
    """Who is signed in."""

    code: str
    name: str


class AttendantSessionOpened(BaseModel):
    """A new attendant session; send ``session_token`` as ``X-Attendant-Session`` from this device only."""

    session_token: str
    attendant: AttendantInfo
    expires_at: dt.datetime = Field(description="The latest the session can last, however busy")
    idle_timeout_seconds: int = Field(description="The session ends after this long without a request")


class CardLookupRequest(BaseModel):
    """An attendant looks a card up by its number (read from the card or typed)."""

    model_config = ConfigDict(extra="forbid")

    card_number: CardNumber


class HolderSearchRequest(BaseModel):
    """An attendant looks for the cards of a holder who lost theirs: name and birth date, and
    the phone too when one is given (a holder record without a phone is found without one)."""

    model_config = ConfigDict(extra="forbid")

    full_name: FullName
    birth_date: BirthDate
    phone: Phone | None = None


class MaskedHolder(BaseModel):
    """Enough of the holder record to compare with an ID document, and no more."""

    name_masked: str = Field(description="First letter of each word, * for every other letter: E**** A******")
    birth_date_masked: str = Field(description="Only the year: **.**.1974")
    phone_masked: str | None = Field(description="Only the last four digits: *******4567; null when none is on record")


class HolderCard(BaseModel):
    """A card as an attendant sees it; ``card_ref`` names it in later calls of the same session."""

    card_ref: str
    number_last4: str = Field(pattern=r"^\d{4}$")
    status: CardStatus
    pots: Pots
    holder: MaskedHolder | None


class HolderCards(BaseModel):
    """The cards a holder search found (replaced cards left out)."""

    cards: list[HolderCard]


class AttendantActionView(BaseModel):
    """One row of the attendant audit."""

    at: dt.datetime
    attendant_code: str | None
    device_name: str | None
    action: str
    number_last4: str | None
    detail: str | None


class AttendantActions(BaseModel):
    """The attendant audit, newest first."""

    actions: list[AttendantActionView]


Label = Annotated[Line, Field(max_length=40)]


class HeartbeatRequest(BaseModel):
    """A kiosk's periodic sign of life (kiosks queue beats while offline and send them late)."""

    model_config = ConfigDict(extra="forbid")

    app_version: Line = Field(min_length=1, max_length=40)
    uptime_seconds: StrictInt = Field(ge=0, le=10**9)
    readers: list[Annotated[Line, Field(max_length=100)]] = Field(default_factory=list, max_length=8)
    screen: Label | None = None
    reader_state: Label | None = None
    last_lookup_at: AwareDatetime | None = None
    errors_since_last_beat: dict[Label, Annotated[StrictInt, Field(ge=0, le=10**6)]] = Field(
        default_factory=dict, max_length=20
    )
    observed_at: AwareDatetime | None = Field(default=None, description="When the kiosk took this beat")
    service_latency_ms: StrictInt | None = Field(
        default=None, ge=0, le=600_000,
        description="The round trip of the kiosk's last heartbeat this service took, milliseconds")


class HeartbeatAck(BaseModel):
    """The server's clock, for the kiosk to notice drift."""

    server_time: dt.datetime


class CardEventView(BaseModel):
    """One entry of a card's audit trail."""

    id: int
    at: dt.datetime
    kind: str
    pot: Pot | None
    delta: int
    status: CardStatus
    reference: str | None
    device_id: int | None
    attendant_id: int | None


class CardEvents(BaseModel):
    """A card's audit trail, newest first."""

    number_last4: str
    events: list[CardEventView]


class Health(BaseModel):
    """Liveness answer."""

    status: str = "ok"


class AssistanceReason(str, enum.Enum):
    """What the driver was looking at when they called: what the attendant should bring."""

    LOST_CARD = "lost_card"
    BLOCKED_CARD = "blocked_card"  # a card reported lost: replace it
    NEW_CARD = "new_card"  # a blank card with no points yet: how to earn, register it
    REGISTRATION = "registration"  # a card without a holder record: register it
    UNREADABLE_CARD = "unreadable_card"  # a card the kiosk cannot read (e.g. a Parolu bank card)
    SERVICE_DOWN = "service_down"  # no balance from the service
    OTHER = "other"


class AssistanceRequestBody(BaseModel):
    """A kiosk asks for an attendant; ``reason`` tells the attendant what to bring."""

    model_config = ConfigDict(extra="forbid")

    reason: AssistanceReason


class AssistanceView(BaseModel):
    """One call for an attendant, open until a till resolves it."""

    id: int
    kiosk: str
    reason: AssistanceReason
    created_at: dt.datetime
    resolved_at: dt.datetime | None


class AssistanceList(BaseModel):
    requests: list[AssistanceView]


class KioskView(BaseModel):
    """One kiosk as its last heartbeat left it."""

    name: str
    state: Literal["healthy", "unhealthy", "silent"]
    last_seen_at: dt.datetime | None
    reader_state: str | None
    app_version: str | None
    errors_since_last_beat: dict[str, int]
    service_latency_ms: int | None = None


class FleetView(BaseModel):
    kiosks: list[KioskView]
