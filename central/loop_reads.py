"""The reads every request makes — a device by its token, a card by number or UID — on the
event loop's own database connection. A balance look-up reads its device and its card in one
statement (one round trip to PostgreSQL instead of two). A token that matches no device's
current token is tried once more as a rotated-out previous token (``rotate-device``), which
counts as revoked once its grace period is over: only such tokens and unknown ones pay the
second round trip.

Profiling under load showed that these one-row reads cost far more around the query than in
it: an ORM session, a pooled connection checked out and a transaction begun and rolled back,
and a hop through the thread pool each for the token check, the endpoint and the response.
Here each read is one prepared Core statement on a DBAPI connection in autocommit mode, so it
is a transaction of its own, always sees the newest commit, and needs no thread.

The connection belongs to the event loop thread of one process and is used between two
``await``s only, so requests never share it concurrently. Such reads do not wait on writers
(SQLite in WAL mode, PostgreSQL's MVCC); a statement timeout bounds them anyway. A broken
connection is replaced and the read retried once.
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any, NamedTuple

from sqlalchemy import ColumnElement, Engine, Select, bindparam, or_, select
from sqlalchemy.pool import PoolProxiedConnection

from central.models import Card, Device, UtcDateTime, utcnow

STATEMENT_TIMEOUT_MS = 2000


class DeviceRow(NamedTuple):
    """A device found by its token hash."""

    id: int
    kind: str
    name: str
    revoked: bool


class CardRow(NamedTuple):
    """The columns of a card that a balance shows."""

    number: str
    status: str
    fuel_points: int
    autogas_points: int
    holder_id: int | None


_CARD_COLUMNS = (Card.number, Card.status, Card.fuel_points, Card.autogas_points, Card.holder_id)
_CURRENT = (Device.token_hash == bindparam("token_hash"), Device.revoked_at.is_not(None))
_PREVIOUS = (
    Device.previous_token_hash == bindparam("token_hash"),
    or_(Device.revoked_at.is_not(None),
        Device.previous_token_expires_at <= bindparam("now", type_=UtcDateTime)),
)
"""(which device, when it counts as revoked) for a current token and for a rotated-out one."""


def _statements(match: ColumnElement[bool], revoked: ColumnElement[bool]) -> tuple[Select[Any], ...]:
    device = (Device.id, Device.kind, Device.name, revoked)
    return (
        select(*device).where(match),
        select(*device, *_CARD_COLUMNS).outerjoin(Card, Card.number == bindparam("number")).where(match),
        select(*device, *_CARD_COLUMNS).outerjoin(Card, Card.uid == bindparam("uid")).where(match),
    )


class _Prepared(NamedTuple):
    sql: str
    positions: tuple[str, ...] | None
    """Parameter names in order for a positional paramstyle (SQLite's ``?``), else None."""


def _device_row(row: Sequence[Any]) -> DeviceRow:
    return DeviceRow(row[0], row[1], row[2], bool(row[3]))


def _card_row(row: Sequence[Any]) -> CardRow | None:
    return None if row[0] is None else CardRow(*row)


class LoopReader:
    """One-row reads on a connection of the event loop's own (see the module docstring)."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._connection: PoolProxiedConnection | None = None
        self._errors: tuple[type[BaseException], ...] = (engine.dialect.loaded_dbapi.Error,)
        names = ("device", "device+card", "device+uid")
        self._statements = {
            **{name: self._prepare(statement) for name, statement in zip(names, _statements(*_CURRENT))},
            **{f"previous {name}": self._prepare(statement)
               for name, statement in zip(names, _statements(*_PREVIOUS))},
        }

    def _prepare(self, statement: Select[Any]) -> _Prepared:
        compiled = statement.compile(dialect=self._engine.dialect)
        return _Prepared(compiled.string, tuple(compiled.positiontup or ()) if compiled.positional else None)

    def _connect(self) -> PoolProxiedConnection:
        connection = self._engine.raw_connection()
        connection.detach()  # ours for good: closing it closes the DBAPI connection
        if self._engine.dialect.name == "postgresql":
            connection.rollback()
            connection.dbapi_connection.autocommit = True  # type: ignore[union-attr]
            cursor = connection.cursor()
            cursor.execute(f"SET statement_timeout = {STATEMENT_TIMEOUT_MS}")
            cursor.close()
        else:  # SQLite: the engine's connect hook already set autocommit, WAL and foreign keys
            cursor = connection.cursor()
            cursor.execute(f"PRAGMA busy_timeout={STATEMENT_TIMEOUT_MS}")
            cursor.close()
        return connection

    def _fetch_any_token(self, name: str, **values: str) -> Sequence[Any] | None:
        """The row of statement ``name`` for a current token, else for a rotated-out previous one."""
        row = self._fetch(name, **values)
        if row is None:
            row = self._fetch(f"previous {name}", now=self._now(), **values)
        return row

    def _now(self) -> object:
        """Now, as the ``UtcDateTime`` column stores it (naive UTC, SQLite: text), for a raw DBAPI parameter."""
        column_type = UtcDateTime()
        dialect = self._engine.dialect
        value = column_type.process_bind_param(utcnow(), dialect)
        to_dbapi = column_type.impl_instance.dialect_impl(dialect).bind_processor(dialect)
        return value if to_dbapi is None else to_dbapi(value)

    def _fetch(self, name: str, **values: object) -> Sequence[Any] | None:
        prepared = self._statements[name]
        parameters = values if prepared.positions is None else tuple(values[key] for key in prepared.positions)
        for attempt in (1, 2):
            if self._connection is None:
                self._connection = self._connect()
            try:
                cursor = self._connection.cursor()
                try:
                    cursor.execute(prepared.sql, parameters)
                    return cursor.fetchone()
                finally:
                    cursor.close()
            except self._errors:
                self.close()
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def device(self, token_hash: str) -> DeviceRow | None:
        """The device whose token hashes to ``token_hash``, revoked or not."""
        row = self._fetch_any_token("device", token_hash=token_hash)
        return None if row is None else _device_row(row)

    def device_and_card(self, token_hash: str, number: str) -> tuple[DeviceRow | None, CardRow | None]:
        """The device (as :meth:`device`) and the card with ``number``, in one statement; no card without a device."""
        row = self._fetch_any_token("device+card", token_hash=token_hash, number=number)
        return (None, None) if row is None else (_device_row(row[:4]), _card_row(row[4:]))

    def device_and_card_by_uid(self, token_hash: str, uid: str) -> tuple[DeviceRow | None, CardRow | None]:
        """The device and the card whose chip has ``uid`` (upper-case hex), in one statement."""
        row = self._fetch_any_token("device+uid", token_hash=token_hash, uid=uid)
        return (None, None) if row is None else (_device_row(row[:4]), _card_row(row[4:]))

    def close(self) -> None:
        """Closes the connection (the next read opens a new one)."""
        connection, self._connection = self._connection, None
        if connection is not None:
            try:
                connection.close()
            except self._errors:
                pass
