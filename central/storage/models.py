"""SQLAlchemy 2.0 models of the ledger. The schema itself is made by the Alembic migrations."""
from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


def utcnow() -> dt.datetime:
    """The current time, timezone-aware UTC, to the microsecond."""
    return dt.datetime.now(dt.timezone.utc)


class UtcDateTime(TypeDecorator[dt.datetime]):
    """Stores UTC without a zone (SQLite has none) and always hands back aware UTC."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: object) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(dt.timezone.utc).replace(tzinfo=None)

    def process_result_value(self, value: dt.datetime | None, dialect: object) -> dt.datetime | None:
        return None if value is None else value.replace(tzinfo=dt.timezone.utc)


class Base(DeclarativeBase):
    """Declarative base of every table."""


class CardStatus(str, enum.Enum):
    """A card's state; only ``active`` cards may spend points."""

    ACTIVE = "active"
    NOT_ACTIVATED = "not_activated"
    REPLACED = "replaced"
    BLOCKED = "blocked"


class FuelType(str, enum.Enum):
    """What a till sells: petrol and diesel earn into the fuel pot, autogas into the autogas pot."""

    BENZIN = "benzin"
    DIZEL = "dizel"
    OTOGAZ = "otogaz"


class Pot(str, enum.Enum):
    """The two pots of a card."""

    FUEL = "fuel"
    AUTOGAS = "autogas"


POT_OF_FUEL = {FuelType.BENZIN: Pot.FUEL, FuelType.DIZEL: Pot.FUEL, FuelType.OTOGAZ: Pot.AUTOGAS}


class DeviceKind(str, enum.Enum):
    """What a device token may do (docs/SECURITY.md has the whole table).

    A kiosk looks up and activates (and, inside an attendant session, replaces and registers);
    a till sells, redeems and registers; the SMS gateway only forwards texts to
    ``/v1/sms/inbound``; operations (call centre, head office, the web's online activation)
    look up, activate and read the audit trails and the fleet. Migration 0007 turned the old
    ``gateway`` kind, which was both, into ``sms_gateway``.
    """

    KIOSK = "kiosk"
    TILL = "till"
    SMS_GATEWAY = "sms_gateway"
    OPERATIONS = "operations"


class Device(Base):
    """A kiosk, till, SMS gateway or operations client; its bearer token is stored only as a hash.

    After ``rotate-device`` the previous token keeps working until ``previous_token_expires_at``.
    """

    __tablename__ = "devices"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(100))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime, nullable=True)
    last_seen_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime, nullable=True)
    last_heartbeat: Mapped[str | None] = mapped_column(Text, nullable=True)
    previous_token_hash: Mapped[str | None] = mapped_column(String(64), nullable=True, unique=True, index=True)
    previous_token_expires_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime, nullable=True)


class Holder(Base):
    """The card holder's record from the paper customer information form."""

    __tablename__ = "holders"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    full_name: Mapped[str] = mapped_column(String(200))
    birth_date: Mapped[dt.date] = mapped_column(Date, index=True)
    phone: Mapped[str | None] = mapped_column(String(20), nullable=True)
    consent: Mapped[bool] = mapped_column(Boolean, default=False)
    registered_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)


class Card(Base):
    """One card and its two pots, in integer hundredths of a Paropuan."""

    __tablename__ = "cards"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[str] = mapped_column(String(16), unique=True)
    last10: Mapped[str] = mapped_column(String(10), index=True)
    uid: Mapped[str | None] = mapped_column(String(20), nullable=True, unique=True, index=True)
    """The contactless chip's UID, upper-case hex; it stays with this card when it is replaced."""
    status: Mapped[str] = mapped_column(String(16), default=CardStatus.NOT_ACTIVATED.value)
    fuel_points: Mapped[int] = mapped_column(BigInteger, default=0)
    autogas_points: Mapped[int] = mapped_column(BigInteger, default=0)
    holder_id: Mapped[int | None] = mapped_column(ForeignKey("holders.id"), nullable=True)
    replaced_by_id: Mapped[int | None] = mapped_column(ForeignKey("cards.id"), nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)

    holder: Mapped[Holder | None] = relationship()

    def points(self, pot: Pot) -> int:
        """The balance of ``pot``."""
        return self.fuel_points if pot is Pot.FUEL else self.autogas_points

    def add_points(self, pot: Pot, delta: int) -> None:
        """Changes the balance of ``pot`` by ``delta`` (callers check it stays >= 0)."""
        if pot is Pot.FUEL:
            self.fuel_points += delta
        else:
            self.autogas_points += delta


class Attendant(Base):
    """A station attendant; replacements need their code and PIN (stored hashed).

    Wrong PINs and lockouts are counted in :class:`Limit` (scope ``attendant_code``), by the code
    as typed, so unknown codes are counted exactly like real ones.
    """

    __tablename__ = "attendants"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    pin_hash: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)
    disabled_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime, nullable=True)
    """Set by ``disable-attendant``: no sign-in from then on."""


class EarnRule(Base):
    """A rate in force from ``effective_from`` (station date) until a later rule for the fuel type.

    The pot a sale earns into follows from the fuel type (:data:`POT_OF_FUEL`), not from the rule.
    """

    __tablename__ = "earn_rules"
    __table_args__ = (UniqueConstraint("fuel_type", "effective_from"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    fuel_type: Mapped[str] = mapped_column(String(16))
    rate_ppm: Mapped[int] = mapped_column(Integer, comment="points per million of the amount; 0.5 % = 5000")
    effective_from: Mapped[dt.date] = mapped_column(Date)


class Sale(Base):
    """A fuel sale reported by a till, with the points it earned."""

    __tablename__ = "sales"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    card_id: Mapped[int] = mapped_column(ForeignKey("cards.id"), index=True)
    device_id: Mapped[int] = mapped_column(ForeignKey("devices.id"))
    fuel_type: Mapped[str] = mapped_column(String(16))
    amount: Mapped[int] = mapped_column(BigInteger, comment="kuruş")
    station: Mapped[str] = mapped_column(String(64))
    sold_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    earn_rule_id: Mapped[int | None] = mapped_column(ForeignKey("earn_rules.id"), nullable=True)
    points: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)


class Redemption(Base):
    """Points spent at a till from the pot matching the fuel bought."""

    __tablename__ = "redemptions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    card_id: Mapped[int] = mapped_column(ForeignKey("cards.id"), index=True)
    device_id: Mapped[int] = mapped_column(ForeignKey("devices.id"))
    fuel_type: Mapped[str] = mapped_column(String(16))
    points: Mapped[int] = mapped_column(BigInteger)
    station: Mapped[str] = mapped_column(String(64))
    redeemed_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)


class Replacement(Base):
    """Both pots moved from an old card to a new one; an old card is replaced at most once."""

    __tablename__ = "replacements"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    old_card_id: Mapped[int] = mapped_column(ForeignKey("cards.id"), unique=True)
    new_card_id: Mapped[int] = mapped_column(ForeignKey("cards.id"))
    device_id: Mapped[int] = mapped_column(ForeignKey("devices.id"))
    attendant_id: Mapped[int] = mapped_column(ForeignKey("attendants.id"))
    fuel_moved: Mapped[int] = mapped_column(BigInteger)
    autogas_moved: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)
    confirmation_code: Mapped[str | None] = mapped_column(String(6), nullable=True, unique=True, index=True)
    """Shown to the attendant and the holder; null for replacements made before migration 0005."""


class CardEvent(Base):
    """The audit trail: one row per change of a card's points or status.

    For every card and pot, the sum of ``delta`` equals the balance.
    """

    __tablename__ = "card_events"
    __table_args__ = (Index("ix_card_events_card_id_id", "card_id", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    card_id: Mapped[int] = mapped_column(ForeignKey("cards.id"))
    at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)
    kind: Mapped[str] = mapped_column(String(32))
    pot: Mapped[str | None] = mapped_column(String(16), nullable=True)
    delta: Mapped[int] = mapped_column(BigInteger, default=0)
    status: Mapped[str] = mapped_column(String(16), comment="the card's status after the change")
    reference: Mapped[str | None] = mapped_column(String(64), nullable=True)
    device_id: Mapped[int | None] = mapped_column(ForeignKey("devices.id"), nullable=True)
    attendant_id: Mapped[int | None] = mapped_column(ForeignKey("attendants.id"), nullable=True)


class IdempotencyRecord(Base):
    """The first answer to a request with an Idempotency-Key, replayed for retries."""

    __tablename__ = "idempotency_records"

    device_id: Mapped[int] = mapped_column(ForeignKey("devices.id"), primary_key=True)
    key: Mapped[str] = mapped_column(String(128), primary_key=True)
    operation: Mapped[str] = mapped_column(String(32))
    request_hash: Mapped[str] = mapped_column(String(64))
    response_status: Mapped[int | None] = mapped_column(Integer, nullable=True)
    response_body: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)


class AssistanceRequest(Base):
    """A driver at a kiosk asked for an attendant (the lost-card screen's button)."""

    __tablename__ = "assistance_requests"
    __table_args__ = (Index("ix_assistance_requests_open", "resolved_at", "created_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    device_id: Mapped[int] = mapped_column(ForeignKey("devices.id"))
    reason: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)
    resolved_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime, nullable=True)


class AttendantSession(Base):
    """An attendant signed in on one kiosk or till; the bearer token is stored only as its SHA-256.

    It ends at ``ended_at``: logout, idle longer than the service's setting, or its absolute
    ``expires_at``. Each use moves ``last_used_at``.
    """

    __tablename__ = "attendant_sessions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True, index=True)
    attendant_id: Mapped[int] = mapped_column(ForeignKey("attendants.id"))
    device_id: Mapped[int] = mapped_column(ForeignKey("devices.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)
    last_used_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    ended_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime, nullable=True)
    end_reason: Mapped[str | None] = mapped_column(String(16), nullable=True)
    """``logout``, ``idle`` or ``max_age``."""


class AttendantAction(Base):
    """The attendant audit: sign-ins, look-ups, searches, replacements, registrations.

    ``detail`` is short text for people; it never holds a full card number, a PIN, a token or a name.
    """

    __tablename__ = "attendant_actions"
    __table_args__ = (Index("ix_attendant_actions_attendant_id_id", "attendant_id", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)
    attendant_id: Mapped[int | None] = mapped_column(ForeignKey("attendants.id"), nullable=True)
    device_id: Mapped[int | None] = mapped_column(ForeignKey("devices.id"), nullable=True)
    action: Mapped[str] = mapped_column(String(32))
    card_id: Mapped[int | None] = mapped_column(ForeignKey("cards.id"), nullable=True)
    new_card_id: Mapped[int | None] = mapped_column(ForeignKey("cards.id"), nullable=True)
    detail: Mapped[str | None] = mapped_column(String(120), nullable=True)


class DatabaseMark(Base):
    """A fact about the database itself; ``demo`` means ``demo-data`` filled it."""

    __tablename__ = "database_marks"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    set_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)


class Limit(Base):
    """One budget or lockout of ``central.storage.limits``: a row per scope and subject (a device, a card's
    last 10 digits, an SMS sender's hash, an attendant code...), shared by every service process.

    Times are microseconds since the Unix epoch (``central.clock.epoch_us``), so the atomic
    updates compare and add integers alike on SQLite and PostgreSQL.
    """

    __tablename__ = "limits"

    scope: Mapped[str] = mapped_column(String(24), primary_key=True)
    subject: Mapped[str] = mapped_column(String(64), primary_key=True)
    tat_us: Mapped[int] = mapped_column(BigInteger, default=0)
    """Token bucket as GCRA: the "theoretical arrival time" of the next event; the bucket is
    full when it is at or before now, empty when it is a whole period ahead."""
    granted: Mapped[int] = mapped_column(Integer, default=1)
    """Events the last charge got (a budget: 0 to what was asked; a lockout: 1 checked, 0 refused)."""
    strikes: Mapped[int] = mapped_column(Integer, default=0)
    """Lockout: attempts since the last lock or success."""
    lockouts: Mapped[int] = mapped_column(Integer, default=0)
    """Lockout: locks in a row without a success; each lock lasts twice the one before."""
    locked_until_us: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
