"""Every limit and lockout of the service, in the database (table ``limits``), so all service
processes and hosts share one budget.

Each check is one atomic ``INSERT ... ON CONFLICT DO UPDATE ... RETURNING`` (SQLite and
PostgreSQL alike), made *before* the costly or revealing work: the attempt is reserved first,
then the PIN is hashed or the card is answered. Two kinds:

- **Budgets** (:func:`take`): a token bucket of ``capacity`` events refilled over ``period``
  (bursts up to the capacity), kept as one timestamp (GCRA, the "theoretical arrival time").
  A refused attempt changes nothing. :func:`give_back` returns one event (an attempt that
  turned out to be no failure).
- **Lockouts** (:func:`strike`): every attempt is a strike; the one that reaches
  ``max_strikes`` locks the subject at once (before it is checked), for ``base_lock`` doubled
  with each lock in a row (at most :data:`MAX_DOUBLINGS` times). A locked subject's attempts
  are refused unchecked. :func:`clear` forgets it all (a right PIN, ``unlock-attendant``).
"""
from __future__ import annotations

import datetime as dt
import enum
import functools
import math
from dataclasses import dataclass
from typing import Any

from sqlalchemy import BigInteger, Integer, String, bindparam, case, delete, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session
from sqlalchemy.sql import Select
from sqlalchemy.sql.dml import Insert

from central.clock import epoch_us
from central.models import Limit

MAX_DOUBLINGS = 6
"""A lock lasts at most 2**6 = 64 times the first (15 minutes -> 16 hours)."""

_TABLE = Limit.__table__
_US = dt.timedelta(microseconds=1)


class Scope(str, enum.Enum):
    """What a row of ``limits`` counts; its subject says whose."""

    TAPPED_LOOKUP = "lookup_tapped"
    """Balance look-ups of a device that says the card was tapped (subject: device id)."""
    TYPED_LOOKUP = "lookup_typed"
    """Balance look-ups of a device that says the number was typed (subject: device id)."""
    ACTIVATION = "activation"
    """Activation attempts, online and by SMS (subject: the card number's last 10 digits)."""
    SMS_SENDER = "sms_sender"
    """Activation SMS of one phone (subject: SHA-256 of the sender)."""
    SIGNIN_DEVICE = "signin_device"
    """Attendant sign-ins that were not right, per device (subject: device id)."""
    ATTENDANT_CODE = "attendant_code"
    """Wrong PINs and lockouts of an attendant code as typed, known or not (subject: the code)."""
    ATTENDANT_LOOKUP = "attendant_lookup"
    """Card look-ups and holder searches of an attendant, all sessions (subject: attendant id)."""


@dataclass(frozen=True)
class Budget:
    """At most ``capacity`` events at once, and ``capacity`` more every ``period``."""

    capacity: int
    period: dt.timedelta

    def __post_init__(self) -> None:
        if self.capacity < 1 or self.period <= dt.timedelta(0):
            raise ValueError("a budget needs a capacity of at least 1 and a positive period")

    @property
    def interval_us(self) -> int:
        """Microseconds for one event to come back."""
        return max(1, self.period // _US // self.capacity)

    def parameters(self, scope: Scope, subject: str, now: dt.datetime) -> dict[str, Any]:
        """The bound values of :func:`bucket_upsert` for one charge at ``now``."""
        now_us, interval = epoch_us(now), self.interval_us
        return {"scope": scope.value, "subject": subject, "now": now_us, "interval": interval,
                "first": now_us + interval, "ceiling": now_us + (self.capacity - 1) * interval}

    def retry_after(self, allowed: bool, tat_us: int, now: dt.datetime) -> int | None:
        """None for an allowed charge, else whole seconds until the next one would be."""
        if allowed:
            return None
        wait_us = tat_us - (self.capacity - 1) * self.interval_us - epoch_us(now)
        return max(1, math.ceil(wait_us / 1_000_000))


_INSERTS = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}


def bucket_upsert(dialect: str, source: Select[Any] | None = None) -> Insert:
    """The atomic charge of one event: returns ``(allowed, tat_us)``.

    Bound values: :meth:`Budget.parameters`. With ``source`` (a SELECT of scope, subject,
    first tat, true, 0, 0) the row to insert comes from it, so a caller can charge in the same
    statement as a read (central.loop_reads on PostgreSQL).
    """
    now = bindparam("now", type_=BigInteger)
    fits = _TABLE.c.tat_us <= bindparam("ceiling", type_=BigInteger)
    start = case((_TABLE.c.tat_us > now, _TABLE.c.tat_us), else_=now)
    insert = _INSERTS[dialect](_TABLE)
    if source is None:
        insert = insert.values(scope=bindparam("scope", type_=String), subject=bindparam("subject", type_=String),
                               tat_us=bindparam("first", type_=BigInteger), allowed=True, strikes=0, lockouts=0)
    else:
        insert = insert.from_select(["scope", "subject", "tat_us", "allowed", "strikes", "lockouts"], source)
    return insert.on_conflict_do_update(
        index_elements=[_TABLE.c.scope, _TABLE.c.subject],
        set_={"allowed": fits,
              "tat_us": case((fits, start + bindparam("interval", type_=BigInteger)), else_=_TABLE.c.tat_us)},
    ).returning(_TABLE.c.allowed, _TABLE.c.tat_us)


def _dialect(session: Session) -> str:
    return session.get_bind().dialect.name


@functools.cache
def _bucket(dialect: str) -> Insert:
    return bucket_upsert(dialect)


def take(session: Session, scope: Scope, subject: str, budget: Budget, now: dt.datetime) -> int | None:
    """Charges one event: None when allowed, else the seconds to wait (nothing was charged)."""
    allowed, tat_us = session.execute(_bucket(_dialect(session)), budget.parameters(scope, subject, now)).one()
    return budget.retry_after(bool(allowed), tat_us, now)


def give_back(session: Session, scope: Scope, subject: str, budget: Budget) -> None:
    """Returns one event taken by :func:`take` (the attempt it reserved was not a failure)."""
    session.execute(update(Limit).where(Limit.scope == scope.value, Limit.subject == subject)
                    .values(tat_us=Limit.tat_us - budget.interval_us))


@dataclass(frozen=True)
class Strike:
    """The answer of :func:`strike`."""

    checked: bool
    """True: go on and check the attempt. False: refused unchecked, the subject is locked."""
    attempts_left: int
    """Attempts left before the lock, should this one fail (0 when this one locked it)."""
    locked_for: int | None
    """Seconds the lock lasts from now, when locked (by this attempt or before); else None."""


@functools.cache
def _strike(dialect: str) -> Insert:
    now = bindparam("now", type_=BigInteger)
    locked = _TABLE.c.locked_until_us.is_not(None) & (_TABLE.c.locked_until_us > now)
    locks = _TABLE.c.strikes + 1 >= bindparam("max_strikes", type_=Integer)
    lock_end = now + bindparam("base_lock", type_=BigInteger).op("<<")(_TABLE.c.lockouts)
    return _INSERTS[dialect](_TABLE).values(
        scope=bindparam("scope", type_=String), subject=bindparam("subject", type_=String), tat_us=0, allowed=True,
        strikes=bindparam("first_strikes", type_=Integer), lockouts=bindparam("first_lockouts", type_=Integer),
        locked_until_us=bindparam("first_lock", type_=BigInteger),
    ).on_conflict_do_update(
        index_elements=[_TABLE.c.scope, _TABLE.c.subject],
        set_={
            "allowed": ~locked,
            "strikes": case((locked, _TABLE.c.strikes), (locks, 0), else_=_TABLE.c.strikes + 1),
            "locked_until_us": case((locked, _TABLE.c.locked_until_us), (locks, lock_end),
                                    else_=_TABLE.c.locked_until_us),
            "lockouts": case((locked | ~locks, _TABLE.c.lockouts),
                             (_TABLE.c.lockouts < MAX_DOUBLINGS, _TABLE.c.lockouts + 1), else_=_TABLE.c.lockouts),
        },
    ).returning(_TABLE.c.allowed, _TABLE.c.strikes, _TABLE.c.locked_until_us)


def strike(
    session: Session, scope: Scope, subject: str, max_strikes: int, base_lock: dt.timedelta, now: dt.datetime
) -> Strike:
    """Counts one attempt on ``subject`` before it is checked (see the module docstring)."""
    now_us, base_us = epoch_us(now), base_lock // _US
    first_locks = max_strikes <= 1
    allowed, strikes, locked_until_us = session.execute(_strike(_dialect(session)), {
        "scope": scope.value, "subject": subject, "now": now_us, "max_strikes": max_strikes, "base_lock": base_us,
        "first_strikes": 0 if first_locks else 1, "first_lockouts": 1 if first_locks else 0,
        "first_lock": now_us + base_us if first_locks else None,
    }).one()
    locked_for = (None if locked_until_us is None or locked_until_us <= now_us
                  else max(1, math.ceil((locked_until_us - now_us) / 1_000_000)))
    return Strike(bool(allowed), 0 if locked_for is not None else max_strikes - strikes, locked_for)


def clear(session: Session, scope: Scope, subject: str) -> bool:
    """Forgets every attempt and lock of ``subject``; False when there was nothing to forget."""
    return bool(session.execute(delete(Limit).where(Limit.scope == scope.value, Limit.subject == subject)).rowcount)
