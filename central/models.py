"""SQLAlchemy 2.0 models of the ledger. The schema itself is made by the Alembic migrations."""
from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import BigInteger, Boolean, Date, DateTime, ForeignKey, Integer, String, TypeDecorator
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


class DeviceKind(str, enum.Enum):
    """What a device token may do: look up (kiosk), sell and redeem (till), SMS and web (gateway)."""

    KIOSK = "kiosk"
    TILL = "till"
    GATEWAY = "gateway"


class Device(Base):
    """A kiosk, till or gateway; it authenticates with a bearer token stored only as a hash."""

    __tablename__ = "devices"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(100))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime, nullable=True)


class Holder(Base):
    """The card holder's record from the paper customer information form."""

    __tablename__ = "holders"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    full_name: Mapped[str] = mapped_column(String(200))
    birth_date: Mapped[dt.date] = mapped_column(Date)
    phone: Mapped[str | None] = mapped_column(String(20), nullable=True)
    consent: Mapped[bool] = mapped_column(Boolean, default=False)
    registered_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)


class Card(Base):
    """One card and its two pots, in integer hundredths of a Paropuan."""

    __tablename__ = "cards"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[str] = mapped_column(String(16), unique=True)
    last10: Mapped[str] = mapped_column(String(10), index=True)
    status: Mapped[str] = mapped_column(String(16), default=CardStatus.NOT_ACTIVATED.value)
    fuel_points: Mapped[int] = mapped_column(BigInteger, default=0)
    autogas_points: Mapped[int] = mapped_column(BigInteger, default=0)
    holder_id: Mapped[int | None] = mapped_column(ForeignKey("holders.id"), nullable=True)
    replaced_by_id: Mapped[int | None] = mapped_column(ForeignKey("cards.id"), nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)

    holder: Mapped[Holder | None] = relationship()
