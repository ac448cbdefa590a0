"""Every limit and lockout of the service, in the database (table ``limits``), so all service
processes and hosts share one budget.

Each check is one atomic ``INSERT ... ON CONFLICT DO UPDATE ... RETURNING`` (SQLite and
PostgreSQL alike), made *before* the costly or revealing work: the attempt is reserved first,
then the PIN is hashed or the card is answered. Two kinds:

- **Budgets** (:func:`take`): a token bucket of ``capacity`` events refilled over ``period``
  (bursts up to the capacity), kept as one timestamp (GCRA, the "theoretical arrival time").
  A refused attempt changes nothing. :func:`give_back` returns one event (an attempt that
  turned out to be no failure). The look-ups may charge several events at once and spend them
  over the next look-ups of the same device (:class:`Leases`).
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
from central.storage.models import Limit

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

    def parameters(self, scope: Scope, subject: str, now: dt.datetime, want: int = 1) -> dict[str, Any]:
        """The bound values of :func:`bucket_upsert` asking for ``want`` events at ``now``."""
        now_us, interval, first = epoch_us(now), self.interval_us, min(want, self.capacity)
        return {"scope": scope.value, "subject": subject, "now": now_us, "interval": interval, "want": want,
                "window": self.capacity * interval, "first": now_us + first * interval, "first_granted": first}

    def retry_after(self, granted: int, tat_us: int, now: dt.datetime) -> int | None:
        """None when events were granted, else whole seconds until one would be."""
        if granted:
            return None
        wait_us = tat_us - (self.capacity - 1) * self.interval_us - epoch_us(now)
        return max(1, math.ceil(wait_us / 1_000_000))


_INSERTS = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}


def bucket_upsert(dialect: str, source: Select[Any] | None = None) -> Insert:
    """The atomic charge of up to ``want`` events: returns ``(granted, tat_us)``, granted being
    as many as the bucket holds, at most ``want`` (0: refused, nothing charged).

    Bound values: :meth:`Budget.parameters`. With ``source`` (a SELECT of scope, subject, first
    tat, first granted, 0, 0) the row to insert comes from it, so a caller can charge in the
    same statement as a read (central.storage.loop_reads on PostgreSQL).
    """
    now, interval = bindparam("now", type_=BigInteger), bindparam("interval", type_=BigInteger)
    want = bindparam("want", type_=BigInteger)
    start = case((_TABLE.c.tat_us > now, _TABLE.c.tat_us), else_=now)
    available = (now + bindparam("window", type_=BigInteger) - start) // interval
    granted = case((available >= want, want), else_=available)
    insert = _INSERTS[dialect](_TABLE)
    if source is None:
        insert = insert.values(scope=bindparam("scope", type_=String), subject=bindparam("subject", type_=String),
                               tat_us=bindparam("first", type_=BigInteger),
                               granted=bindparam("first_granted", type_=Integer), strikes=0, lockouts=0)
    else:
        insert = insert.from_select(["scope", "subject", "tat_us", "granted", "strikes", "lockouts"], source)
    return insert.on_conflict_do_update(
        index_elements=[_TABLE.c.scope, _TABLE.c.subject],
        set_={"granted": granted, "tat_us": start + granted * interval},
    ).returning(_TABLE.c.granted, _TABLE.c.tat_us)


def _dialect(session: Session) -> str:
    return session.get_bind().dialect.name


@functools.cache
def _bucket(dialect: str) -> Insert:
    return bucket_upsert(dialect)


def take(session: Session, scope: Scope, subject: str, budget: Budget, now: dt.datetime) -> int | None:
    """Charges one event: None when allowed, else the seconds to wait (nothing was charged)."""
    granted, tat_us = session.execute(_bucket(_dialect(session)), budget.parameters(scope, subject, now)).one()
    return budget.retry_after(granted, tat_us, now)


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
        scope=bindparam("scope", type_=String), subject=bindparam("subject", type_=String), tat_us=0, granted=1,
        strikes=bindparam("first_strikes", type_=Integer), lockouts=bindparam("first_lockouts", type_=Integer),
        locked_until_us=bindparam("first_lock", type_=BigInteger),
    ).on_conflict_do_update(
        index_elements=[_TABLE.c.scope, _TABLE.c.subject],
        set_={
            "granted": case((locked, 0), else_=1),
            "strikes": case((locked, _TABLE.c.strikes), (locks, 0), else_=_TABLE.c.strikes + 1),
            "locked_until_us": case((locked, _TABLE.c.locked_until_us), (locks, lock_end),
                                    else_=_TABLE.c.locked_until_us),
            "lockouts": case((locked | ~locks, _TABLE.c.lockouts),
                             (_TABLE.c.lockouts < MAX_DOUBLINGS, _TABLE.c.lockouts + 1), else_=_TABLE.c.lockouts),
        },
    ).returning(_TABLE.c.granted, _TABLE.c.strikes, _TABLE.c.locked_until_us)


def strike(
    session: Session, scope: Scope, subject: str, max_strikes: int, base_lock: dt.timedelta, now: dt.datetime
) -> Strike:
    """Counts one attempt on ``subject`` before it is checked (see the module docstring)."""
    now_us, base_us = epoch_us(now), base_lock // _US
    first_locks = max_strikes <= 1
    checked, strikes, locked_until_us = session.execute(_strike(_dialect(session)), {
        "scope": scope.value, "subject": subject, "now": now_us, "max_strikes": max_strikes, "base_lock": base_us,
        "first_strikes": 0 if first_locks else 1, "first_lockouts": 1 if first_locks else 0,
        "first_lock": now_us + base_us if first_locks else None,
    }).one()
    locked_for = (None if locked_until_us is None or locked_until_us <= now_us
                  else max(1, math.ceil((locked_until_us - now_us) / 1_000_000)))
    return Strike(bool(checked), 0 if locked_for is not None else max_strikes - strikes, locked_for)


def clear(session: Session, scope: Scope, subject: str) -> bool:
    """Forgets every attempt and lock of ``subject``; False when there was nothing to forget."""
    return bool(session.execute(delete(Limit).where(Limit.scope == scope.value, Limit.subject == subject)).rowcount)


LEASE_MAX = 8
LEASE_TTL = dt.timedelta(seconds=30)
LEASE_GROW_WITHIN = dt.timedelta(seconds=5)


@dataclass
class _Lease:
    left: int
    size: int
    taken_at_us: int


class Leases:
    """Events of budgets charged in the database ahead of use, by one process (its event loop).

    For the look-ups, the service's hottest path: a device looking up often gets its events in
    batches, one database charge taking up to the batch (:func:`bucket_upsert`'s ``want``), the
    next look-ups spending them here without a write. The database stays the only budget: a
    process spends no event it has not charged, so all processes together never exceed it.
    Events left unused after :data:`LEASE_TTL` are dropped (charged, they come back only as the
    bucket refills). A batch used up within :data:`LEASE_GROW_WITHIN` doubles the next one, up
    to :data:`LEASE_MAX`; one that expires unused halves it; a device looking up now and then
    is charged one event at a time. Keys are (scope, token hash): one entry per device token.
    The long-run rate is the budget's; a burst may pass the capacity by the events leased
    before it (at most :data:`LEASE_MAX` per process).
    """

    def __init__(self) -> None:
        self._leases: dict[tuple[Scope, str], _Lease] = {}

    def spend(self, key: tuple[Scope, str], now: dt.datetime) -> bool:
        """Spends one leased event of ``key``; False when it has none (charge the database)."""
        lease = self._leases.get(key)
        if lease is None or lease.left == 0 or epoch_us(now) >= lease.taken_at_us + LEASE_TTL // _US:
            return False
        lease.left -= 1
        return True

    def want(self, key: tuple[Scope, str], now: dt.datetime) -> int:
        """How many events the next database charge of ``key`` asks for."""
        lease = self._leases.get(key)
        if lease is None:
            return 1
        if lease.left:  # it expired unused
            return max(1, lease.size // 2)
        if epoch_us(now) - lease.taken_at_us <= LEASE_GROW_WITHIN // _US:
            return min(LEASE_MAX, lease.size * 2)
        return lease.size

    def took(self, key: tuple[Scope, str], wanted: int, granted: int, now: dt.datetime) -> None:
        """Records a database charge of ``key`` that granted events, one of them spent at once."""
        if granted:
            self._leases[key] = _Lease(granted - 1, wanted, epoch_us(now))
