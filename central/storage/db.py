"""Engines and sessions for SQLite (default) and PostgreSQL, and schema migration.

Reads and writes get separate session factories. On SQLite a write transaction starts with
``BEGIN IMMEDIATE``, so writers queue on the database lock instead of failing when a read
snapshot goes stale; reads stay concurrent (WAL). Writers first queue on a lock of their own,
which wakes the next one at once (SQLite's busy handler polls with growing sleeps, which made
the tail latency of sales long): a thread lock within a process, and an ``flock`` on a file
beside the database between the processes of ``serve --workers`` and the CLI. On PostgreSQL
both use one engine and writers lock the rows they change.
"""
from __future__ import annotations

import contextlib
import fcntl
import os
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

MIGRATIONS_DIR = Path(__file__).parent.parent / "migrations"
SQLITE_BUSY_TIMEOUT_MS = 15_000


def default_database_url() -> str:
    """``$OPET_CENTRAL_DATABASE``, else a SQLite file under ``$XDG_DATA_HOME/opet-central``."""
    configured = os.environ.get("OPET_CENTRAL_DATABASE")
    if configured:
        return configured
    data_home = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    return f"sqlite:///{data_home / 'opet-central' / 'central.db'}"


def normalize_url(url: str) -> str:
    """Plain ``postgresql://`` URLs use psycopg 3, the driver this project installs."""
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


def is_sqlite(url: str) -> bool:
    """True for a SQLite URL."""
    return make_url(url).get_backend_name() == "sqlite"


def _sqlite_engine(url: str, begin: str) -> Engine:
    parsed = make_url(url)
    if parsed.database and parsed.database != ":memory:":
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(
        url, hide_parameters=True, connect_args={"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT_MS / 1000}
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
        dbapi_connection.isolation_level = None  # transactions are begun below, explicitly
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection) -> None:  # type: ignore[no-untyped-def]
        connection.exec_driver_sql(begin)

    return engine


class SqliteWriteGate:
    """Writers of a SQLite file, one at a time: a thread lock, then an ``flock`` on ``<file>-writers``."""

    def __init__(self, database_path: str | None) -> None:
        self._threads = threading.Lock()
        self._lock_path = f"{database_path}-writers" if database_path and database_path != ":memory:" else None
        self._fd: int | None = None
        self._pid = os.getpid()

    def __enter__(self) -> None:
        self._threads.acquire()
        self._lock_file(fcntl.LOCK_EX)

    def _lock_file(self, operation: int) -> None:
        if self._lock_path is None:
            return
        try:
            if self._fd is None or self._pid != os.getpid():  # a forked child needs its own open file
                self._fd = os.open(self._lock_path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
                self._pid = os.getpid()
            fcntl.flock(self._fd, operation)
        except BaseException:
            self._threads.release()
            raise

    def try_enter(self) -> bool:
        """Enters the gate only if no writer holds it (never waits); leave with ``__exit__``."""
        if not self._threads.acquire(blocking=False):
            return False
        try:
            self._lock_file(fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True

    def __exit__(self, *_exc: object) -> None:
        try:
            if self._fd is not None:
                fcntl.flock(self._fd, fcntl.LOCK_UN)
        finally:
            self._threads.release()

    def close(self) -> None:
        """Closes the lock file (the gate opens it again when next used)."""
        with self._threads:
            fd, self._fd = self._fd, None
            if fd is not None:
                os.close(fd)


@dataclass
class Database:
    """The service's storage: one URL, a read and a write session factory."""

    url: str
    read_engine: Engine
    write_engine: Engine
    _read_sessions: sessionmaker[Session] = field(init=False, repr=False)
    _write_sessions: sessionmaker[Session] = field(init=False, repr=False)
    _write_gate: contextlib.AbstractContextManager[object] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._read_sessions = sessionmaker(self.read_engine, expire_on_commit=False)
        self._write_sessions = sessionmaker(self.write_engine, expire_on_commit=False)
        self._write_gate = (SqliteWriteGate(make_url(self.url).database) if self.sqlite
                            else contextlib.nullcontext())

    @classmethod
    def connect(cls, url: str) -> "Database":
        """Engines for ``url`` (no schema change: see :func:`migrate`)."""
        url = normalize_url(url)
        if is_sqlite(url):
            return cls(url, _sqlite_engine(url, "BEGIN"), _sqlite_engine(url, "BEGIN IMMEDIATE"))
        engine = create_engine(url, hide_parameters=True, pool_size=10, max_overflow=20, pool_pre_ping=True)
        return cls(url, engine, engine)

    @property
    def sqlite(self) -> bool:
        """True when the storage is SQLite."""
        return is_sqlite(self.url)

    @property
    def sqlite_write_gate(self) -> SqliteWriteGate | None:
        """The gate SQLite writers queue on (None on PostgreSQL)."""
        return self._write_gate if isinstance(self._write_gate, SqliteWriteGate) else None

    def reader(self) -> Session:
        """A session for look-ups."""
        return self._read_sessions()

    @contextlib.contextmanager
    def transaction(self) -> Iterator[Session]:
        """A session in one write transaction: committed when the block ends, rolled back on error."""
        with self._write_gate, self._write_sessions() as session, session.begin():
            yield session

    def dispose(self) -> None:
        """Close every pooled connection."""
        self.read_engine.dispose()
        self.write_engine.dispose()
        if isinstance(self._write_gate, SqliteWriteGate):
            self._write_gate.close()


def alembic_config(url: str) -> Config:
    """An Alembic configuration for the packaged migrations against ``url``."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", normalize_url(url).replace("%", "%%"))
    return config


def migrate(url: str) -> None:
    """Bring the schema at ``url`` up to the newest migration (a no-op when it is current)."""
    database = Database.connect(url)
    try:
        with database.write_engine.begin() as connection:
            config = alembic_config(url)
            config.attributes["connection"] = connection
            command.upgrade(config, "head")
    finally:
        database.dispose()
