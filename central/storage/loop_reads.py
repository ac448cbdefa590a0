"""The reads every request makes — a device by its token, a card by number or UID — made for the
event loop without blocking it: on PostgreSQL with psycopg's async driver on a pool of the
loop's own connections; on SQLite on one thread of their own, the loop awaiting the answer. A balance look-up reads its device and its card and
charges the device's look-up budget (central.storage.limits) in one statement on PostgreSQL (one round
trip); on SQLite, in-process, the read and then the charge. A token that matches no device's
current token is tried once more as a rotated-out previous token (``rotate-device``), which
counts as revoked once its grace period is over: only such tokens and unknown ones pay the
second round trip.

Profiling under load showed that these one-row reads cost far more around the query than in
it: an ORM session, a pooled connection checked out and a transaction begun and rolled back,
and a hop through the thread pool each for the token check, the endpoint and the response.
Here each read is one prepared Core statement on a DBAPI connection in autocommit mode, so it
is a transaction of its own, always sees the newest commit, and needs no ORM.

On PostgreSQL a read borrows a connection of the pool (``psycopg_pool.AsyncConnectionPool``)
for one statement, server-side prepared, so a read held up (a slow statement, a lock) holds up
only its own request: the loop serves every other request meanwhile, ``/healthz`` included.
On SQLite the reads run on one thread of their own (a local file read in WAL mode waits on
no writer), so the loop never calls into SQLite; the reads of one turn of the loop go to that
thread together and come back together (central.storage.batch_thread), which keeps the
wake-ups between the two threads few when the loop is busy. A statement timeout bounds every read. A
broken connection is replaced and the read retried once.

The charge is a write. On PostgreSQL it waits only on the same device's concurrent charge (a
row lock held for one statement). On SQLite it is made only when the writers' gate is free
(``SqliteWriteGate.try_enter``), so the event loop never waits on a writer; when the gate is
busy the look-up reports "not charged" and the caller charges in the thread pool instead
(:meth:`LoopReader.charge_waiting`, on a second connection of the same kind). The
charges never wait for the disk: on PostgreSQL the table is UNLOGGED (migration 0006) and
these connections commit with ``synchronous_commit = off``; on SQLite they use ``synchronous =
NORMAL`` in WAL mode (a crash of the host may forget the last moments of charges, never
corrupt them). SQLite's WAL would be checkpointed by whichever connection's
commit finds it long, with two fsyncs: these connections never do (``wal_autocheckpoint=0``);
every :data:`CHECKPOINT_EVERY` charges a thread of the pool checkpoints instead, on a
connection of its own, inside the writers' gate (look-ups arriving meanwhile charge in threads).
"""
from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any, NamedTuple

import psycopg
from psycopg_pool import AsyncConnectionPool
from sqlalchemy import (
    BigInteger,
    Integer,
    String,
    bindparam,
    cast,
    literal,
    or_,
    select,
    true,
)
from sqlalchemy.engine import make_url
from sqlalchemy.pool import PoolProxiedConnection
from sqlalchemy.sql import ClauseElement, ColumnElement, Select

from central.storage.batch_thread import BatchThread
from central.storage.db import Database, SqliteWriteGate
from central.storage.limits import bucket_upsert
from central.storage.models import Card, Device, UtcDateTime, utcnow

STATEMENT_TIMEOUT_MS = 2000
POOL_MIN, POOL_MAX = 4, 16
"""PostgreSQL: the loop's connections per process (reads in flight at once)."""
CHECKPOINT_EVERY = 1000
"""SQLite: charges on the loop between two checkpoints of the WAL (about a page each)."""


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
        Device.previous_token_expires_at <= bindparam("token_now", type_=UtcDateTime)),
)
"""(which device, when it counts as revoked) for a current token and for a rotated-out one."""


def _device_columns(revoked: ColumnElement[bool]) -> tuple[Any, ...]:
    return (Device.id, Device.kind, Device.name, revoked.label("revoked"))


def _statements(match: ColumnElement[bool], revoked: ColumnElement[bool], charging: bool) -> dict[str, Any]:
    """The reads of a device by ``match``, alone and with a card by number or UID; with
    ``charging`` (PostgreSQL), the look-ups that charge the device's budget in the same statement."""
    device = _device_columns(revoked)
    statements: dict[str, Any] = {
        "device": select(*device).where(match),
        "number": select(*device, *_CARD_COLUMNS).outerjoin(Card, Card.number == bindparam("key")).where(match),
        "uid": select(*device, *_CARD_COLUMNS).outerjoin(Card, Card.uid == bindparam("key")).where(match),
    }
    if charging:
        statements["number+charge"] = _charging(match, revoked, Card.number == bindparam("key"))
        statements["uid+charge"] = _charging(match, revoked, Card.uid == bindparam("key"))
    return statements


class LookUp(NamedTuple):
    """What a balance look-up read: its device, its card, and the charge of its budget."""

    device: DeviceRow | None
    card: CardRow | None
    charge: tuple[int, int] | None
    """(granted, tat_us) of central.storage.limits' bucket; None when not charged (none asked, no or
    revoked device, or the SQLite writers' gate was busy: the caller charges then)."""


def _charging(match: ColumnElement[bool], revoked: ColumnElement[bool], card_on: ColumnElement[bool]) -> Select[Any]:
    """PostgreSQL: the device of a token, the charge of its budget and the card ``card_on``, in one statement."""
    device = select(*_device_columns(revoked)).where(match).cte("device")
    charge = bucket_upsert("postgresql", select(
        bindparam("scope", type_=String), cast(device.c.id, String), bindparam("first", type_=BigInteger),
        bindparam("first_granted", type_=Integer), literal(0), literal(0),
    ).where(~device.c.revoked)).cte("charge")
    return (
        select(*device.c, *_CARD_COLUMNS, charge.c.granted, charge.c.tat_us)
        .select_from(device.outerjoin(charge, true()).outerjoin(Card, card_on))
    )


class _Prepared(NamedTuple):
    sql: str
    positions: tuple[str, ...] | None
    """Parameter names in order for a positional paramstyle (SQLite's ``?``), else None."""
    constants: dict[str, Any]
    """Values the statement binds itself (its literals)."""


def _device_row(row: Sequence[Any]) -> DeviceRow:
    return DeviceRow(row[0], row[1], row[2], bool(row[3]))


def _card_row(row: Sequence[Any]) -> CardRow | None:
    return None if row[0] is None else CardRow(*row)


class LoopReader:
    """One-row reads for the event loop that never block it (see the module docstring).

    :meth:`open` it on the loop before the first read and :meth:`aclose` it there at the end.
    """

    def __init__(self, database: Database) -> None:
        engine = database.read_engine
        self._engine = engine
        self._postgresql = not database.sqlite
        self._pool: AsyncConnectionPool | None = None
        self._write_pool: AsyncConnectionPool | None = None
        self._conninfo = make_url(database.url).set(drivername="postgresql").render_as_string(hide_password=False)
        self._thread = BatchThread("sqlite-reads") if database.sqlite else None
        self._checkpointer = ThreadPoolExecutor(1, thread_name_prefix="sqlite-checkpoint") if database.sqlite else None
        self._gate: SqliteWriteGate | None = database.sqlite_write_gate
        self._charges_in_read = not database.sqlite
        self._connection: PoolProxiedConnection | None = None
        self._waiting_connection: PoolProxiedConnection | None = None
        self._checkpoint_connection: PoolProxiedConnection | None = None
        self._charges = 0
        self._checkpointing = False
        self._errors: tuple[type[BaseException], ...] = (engine.dialect.loaded_dbapi.Error,)
        statements: dict[str, Any] = {
            **_statements(*_CURRENT, charging=self._charges_in_read),
            **{f"previous {name}": statement
               for name, statement in _statements(*_PREVIOUS, charging=self._charges_in_read).items()},
            "charge": bucket_upsert(engine.dialect.name),
        }
        self._statements = {name: self._prepare(statement) for name, statement in statements.items()}

    async def open(self) -> None:
        """PostgreSQL: opens the pools of the loop's connections (connecting in the background)."""
        if self._postgresql and self._pool is None:
            timeout = f"-c statement_timeout={STATEMENT_TIMEOUT_MS}"
            self._pool = AsyncConnectionPool(
                self._conninfo, min_size=POOL_MIN, max_size=POOL_MAX, open=False, name="loop-reads",
                kwargs={"autocommit": True, "options": f"{timeout} -c synchronous_commit=off"})
            self._write_pool = AsyncConnectionPool(
                self._conninfo, min_size=POOL_MIN, max_size=POOL_MAX, open=False, name="loop-writes",
                kwargs={"autocommit": True, "options": timeout})
            await self._pool.open(wait=False)
            await self._write_pool.open(wait=False)

    @property
    def pool(self) -> AsyncConnectionPool:
        """PostgreSQL: the reads' pool of async connections (autocommit, statement timeout; their
        commits, the look-ups' budget charges to an unlogged table, do not wait for the WAL)."""
        assert self._pool is not None, "LoopReader.open() first"
        return self._pool

    @property
    def write_pool(self) -> AsyncConnectionPool | None:
        """PostgreSQL: a pool of async connections for one-statement changes (autocommit, statement
        timeout, commits as durable as the server is configured); None on SQLite."""
        return self._write_pool

    async def _afetch(self, name: str, **values: object) -> Sequence[Any] | None:
        """PostgreSQL: the first row of statement ``name`` on a connection of the pool."""
        prepared = self._statements[name]
        parameters = {**prepared.constants, **values}
        for attempt in (1, 2):
            try:
                async with self.pool.connection() as connection:
                    cursor = await connection.execute(prepared.sql, parameters, prepare=True)
                    return await cursor.fetchone()
            except psycopg.OperationalError as exc:
                if attempt == 2 or isinstance(exc, psycopg.errors.QueryCanceled):  # a timeout is not retried
                    raise
        raise AssertionError("unreachable")

    async def _afetch_any_token(self, name: str, **values: object) -> Sequence[Any] | None:
        row = await self._afetch(name, **values)
        if row is None:
            row = await self._afetch(f"previous {name}", token_now=self._now(), **values)
        return row

    async def _in_thread(self, function: Any, *args: Any) -> Any:
        """SQLite: ``function(*args)`` on the reads' own thread (central.storage.batch_thread)."""
        assert self._thread is not None
        return await self._thread.run(function, *args)

    async def device(self, token_hash: str) -> DeviceRow | None:
        """The device whose token hashes to ``token_hash``, revoked or not."""
        if not self._postgresql:
            return await self._in_thread(self._device, token_hash)
        row = await self._afetch_any_token("device", token_hash=token_hash)
        return None if row is None else _device_row(row)

    async def look_up(self, token_hash: str, by: str, key: str, charge: dict[str, Any] | None) -> LookUp:
        """The device (as :meth:`device`), the card whose ``by`` (``number`` or ``uid``, upper-case
        hex) is ``key``, and the charge of the device's budget (``charge``: central.storage.limits'
        ``Budget.parameters`` without the subject, which is the device; None: no charge). No card
        without a device."""
        if not self._postgresql:
            return await self._in_thread(self._look_up, token_hash, by, key, charge)
        name = f"{by}+charge" if charge is not None else by
        row = await self._afetch_any_token(name, token_hash=token_hash, key=key, **(charge or {}))
        if row is None:
            return LookUp(None, None, None)
        device, card = _device_row(row[:4]), _card_row(row[4:9])
        return LookUp(device, card, None if charge is None or row[9] is None else (row[9], row[10]))

    def _prepare(self, statement: ClauseElement) -> _Prepared:
        compiled = statement.compile(dialect=self._engine.dialect)
        constants = {name: value for name, value in compiled.params.items() if value is not None}
        return _Prepared(compiled.string, tuple(compiled.positiontup or ()) if compiled.positional else None,
                         constants)

    def _connect(self) -> PoolProxiedConnection:
        connection = self._engine.raw_connection()
        connection.detach()  # ours for good: closing it closes the DBAPI connection
        if self._engine.dialect.name == "postgresql":
            connection.rollback()
            connection.dbapi_connection.autocommit = True  # type: ignore[union-attr]
            cursor = connection.cursor()
            cursor.execute(f"SET statement_timeout = {STATEMENT_TIMEOUT_MS}")
            cursor.execute("SET synchronous_commit = off")
            cursor.close()
        else:  # SQLite: the engine's connect hook already set autocommit, WAL and foreign keys
            cursor = connection.cursor()
            cursor.execute(f"PRAGMA busy_timeout={STATEMENT_TIMEOUT_MS}")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute("PRAGMA wal_autocheckpoint=0")
            cursor.close()
        return connection

    def _fetch_any_token(self, name: str, **values: object) -> Sequence[Any] | None:
        """The row of statement ``name`` for a current token, else for a rotated-out previous one."""
        row = self._fetch(name, **values)
        if row is None:
            row = self._fetch(f"previous {name}", token_now=self._now(), **values)
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
        values = {**prepared.constants, **values}
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

    def _device(self, token_hash: str) -> DeviceRow | None:
        """SQLite, on the reads' thread: :meth:`device`."""
        row = self._fetch_any_token("device", token_hash=token_hash)
        return None if row is None else _device_row(row)

    def _look_up(self, token_hash: str, by: str, key: str, charge: dict[str, Any] | None) -> LookUp:
        """SQLite, on the reads' thread: :meth:`look_up` (the charge only if the writers' gate is free)."""
        row = self._fetch_any_token(by, token_hash=token_hash, key=key)
        if row is None:
            return LookUp(None, None, None)
        device, card = _device_row(row[:4]), _card_row(row[4:9])
        if charge is None or device.revoked:
            return LookUp(device, card, None)
        return LookUp(device, card, self._charge_if_free(str(device.id), charge))

    def _charge_if_free(self, subject: str, charge: dict[str, Any]) -> tuple[int, int] | None:
        """SQLite: the charge, made only if no writer holds the gate (else None: not charged)."""
        assert self._gate is not None
        if not self._gate.try_enter():
            return None
        try:
            row = self._fetch("charge", subject=subject, **charge)
        finally:
            self._gate.__exit__()
        assert row is not None
        self._charges += 1
        if self._charges % CHECKPOINT_EVERY == 0 and not self._checkpointing:
            self._checkpointing = True
            assert self._checkpointer is not None
            self._checkpointer.submit(self._checkpoint)
        return row[0], row[1]

    def _checkpoint(self) -> None:
        """SQLite, in a thread: copies the WAL into the database file, holding the writers' gate so
        that it copies it all and the next write starts the WAL again from its beginning."""
        assert self._gate is not None
        try:
            if self._checkpoint_connection is None:
                self._checkpoint_connection = self._connect()
            with self._gate:
                cursor = self._checkpoint_connection.cursor()
                try:
                    cursor.execute("PRAGMA wal_checkpoint(PASSIVE)")
                finally:
                    cursor.close()
        except self._errors:
            self._checkpoint_connection = None  # the next checkpoint tries a new connection
        finally:
            self._checkpointing = False

    def charge_waiting(self, subject: str, charge: dict[str, Any]) -> tuple[int, int]:
        """SQLite, off the event loop: the charge :meth:`look_up` could not make, waiting for the
        writers' gate, on a connection of its own (used only inside the gate, so by one thread
        at a time). ``(granted, tat_us)``."""
        assert self._gate is not None
        with self._gate:
            if self._waiting_connection is None:
                self._waiting_connection = self._connect()
            cursor = self._waiting_connection.cursor()
            try:
                prepared = self._statements["charge"]
                values = {**prepared.constants, **charge, "subject": subject}
                assert prepared.positions is not None
                cursor.execute(prepared.sql, tuple(values[key] for key in prepared.positions))
                granted, tat_us = cursor.fetchone()
            finally:
                cursor.close()
        return granted, tat_us

    async def aclose(self) -> None:
        """Closes the pool (PostgreSQL) or the reads' thread and connections (SQLite)."""
        for pool in (self._pool, self._write_pool):
            if pool is not None:
                await pool.close()
        self._pool = self._write_pool = None
        for executor in (self._thread, self._checkpointer):
            if executor is not None:
                executor.shutdown()
        if self._thread is not None:
            self.close()

    def close(self) -> None:
        """SQLite: closes the connections (the next read opens a new one)."""
        if self._waiting_connection is not None and self._gate is not None:
            with self._gate:
                waiting, self._waiting_connection = self._waiting_connection, None
            waiting.close()
        checkpoint, self._checkpoint_connection = self._checkpoint_connection, None
        if checkpoint is not None:
            checkpoint.close()
        connection, self._connection = self._connection, None
        if connection is not None:
            try:
                connection.close()
            except self._errors:
                pass
