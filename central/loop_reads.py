"""The reads every request makes — a device by its token, a card by number or UID — on the
event loop's own database connection.

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

from sqlalchemy import Engine, Select, bindparam, select
from sqlalchemy.pool import PoolProxiedConnection

from central.models import Card, Device

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
_DEVICE_BY_TOKEN = select(Device.id, Device.kind, Device.name, Device.revoked_at.is_not(None)).where(
    Device.token_hash == bindparam("value"))
_CARD_BY_NUMBER = select(*_CARD_COLUMNS).where(Card.number == bindparam("value"))
_CARD_BY_UID = select(*_CARD_COLUMNS).where(Card.uid == bindparam("value"))


class _Prepared(NamedTuple):
    sql: str
    positional: bool


class LoopReader:
    """One-row reads on a connection of the event loop's own (see the module docstring)."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._connection: PoolProxiedConnection | None = None
        self._errors: tuple[type[BaseException], ...] = (engine.dialect.loaded_dbapi.Error,)
        self._statements = {name: self._prepare(statement) for name, statement in
                            (("device", _DEVICE_BY_TOKEN), ("card", _CARD_BY_NUMBER), ("uid", _CARD_BY_UID))}

    def _prepare(self, statement: Select[Any]) -> _Prepared:
        compiled = statement.compile(dialect=self._engine.dialect)
        return _Prepared(compiled.string, bool(compiled.positional))

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

    def _fetch(self, name: str, value: str) -> Sequence[Any] | None:
        prepared = self._statements[name]
        for attempt in (1, 2):
            if self._connection is None:
                self._connection = self._connect()
            try:
                cursor = self._connection.cursor()
                try:
                    cursor.execute(prepared.sql, (value,) if prepared.positional else {"value": value})
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
        row = self._fetch("device", token_hash)
        return None if row is None else DeviceRow(row[0], row[1], row[2], bool(row[3]))

    def card(self, number: str) -> CardRow | None:
        """The card with ``number``."""
        row = self._fetch("card", number)
        return None if row is None else CardRow(*row)

    def card_by_uid(self, uid: str) -> CardRow | None:
        """The card whose chip has ``uid`` (upper-case hex)."""
        row = self._fetch("uid", uid)
        return None if row is None else CardRow(*row)

    def close(self) -> None:
        """Closes the connection (the next read opens a new one)."""
        connection, self._connection = self._connection, None
        if connection is not None:
            try:
                connection.close()
            except self._errors:
                pass
