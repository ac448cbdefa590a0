"""Throwaway PostgreSQL rig: initdb into a temporary directory, a server on a unix socket, stop after.

postgres refuses to run as root, so as root the cluster belongs to the ``postgres`` system user
(created by Debian's ``postgresql`` package; scripts/bootstrap.sh --test installs it) and the
server commands run through ``runuser``. Durability is off (fsync, synchronous_commit): the data
is thrown away. When the rig cannot start, postgres-marked tests skip on a developer machine
and fail under CI (``CI=true``).
"""
from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest

SERVER_USER = "postgres"
START_TIMEOUT_S = 30


class PostgresUnavailable(RuntimeError):
    """The rig could not start a server here."""


def find_pg_bin() -> Path:
    """The directory holding initdb/pg_ctl: ``$PG_BIN``, Debian's newest, or the PATH."""
    candidates = [os.environ.get("PG_BIN", "")]
    candidates += sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(p.split("/")[-2]), reverse=True)
    on_path = shutil.which("pg_ctl")
    candidates.append(str(Path(on_path).resolve().parent) if on_path else "")
    for candidate in candidates:
        if candidate and (Path(candidate) / "initdb").exists() and (Path(candidate) / "pg_ctl").exists():
            return Path(candidate)
    raise PostgresUnavailable("no PostgreSQL server binaries (apt-get install postgresql)")


@dataclass
class PostgresServer:
    """A running throwaway cluster; databases are made per test with :meth:`new_database`."""

    socket_dir: Path
    port: int
    user: str

    def url(self, database: str = "postgres") -> str:
        """SQLAlchemy URL of ``database`` on this server (psycopg 3, unix socket)."""
        return f"postgresql+psycopg://{self.user}@/{database}?host={self.socket_dir}&port={self.port}"

    def new_database(self, prefix: str = "t") -> str:
        """Creates an empty database and returns its URL."""
        name = f"{prefix}_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(host=str(self.socket_dir), port=self.port, user=self.user,
                             dbname="postgres", autocommit=True) as connection:
            connection.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)


def _as_server_user(command: list[str]) -> list[str]:
    if os.geteuid() != 0:
        return command
    return ["runuser", "-u", SERVER_USER, "--", *command]


def _run(command: list[str]) -> None:
    result = subprocess.run(_as_server_user(command), capture_output=True, text=True, timeout=120, check=False)
    if result.returncode != 0:
        raise PostgresUnavailable(f"{Path(command[0]).name} failed: {result.stderr.strip()[-1500:]}")


@contextlib.contextmanager
def running_postgres() -> Iterator[PostgresServer]:
    """Starts a throwaway cluster and removes it afterwards."""
    pg_bin = find_pg_bin()
    root = Path(tempfile.mkdtemp(prefix="opet-pg-"))
    if os.geteuid() == 0:
        try:
            account = pwd.getpwnam(SERVER_USER)
        except KeyError:
            shutil.rmtree(root, ignore_errors=True)
            raise PostgresUnavailable(f"no {SERVER_USER!r} user to run the server as root") from None
        os.chown(root, account.pw_uid, account.pw_gid)
        user = SERVER_USER
    else:
        user = pwd.getpwuid(os.geteuid()).pw_name
    data, port = root / "data", 5432
    try:
        _run([str(pg_bin / "initdb"), "-D", str(data), "-U", user, "-A", "trust", "-E", "UTF8",
              "--locale=C", "--no-sync"])
        options = (f"-c listen_addresses='' -c unix_socket_directories='{root}' -c port={port} "
                   "-c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200 "
                   "-c shared_buffers=64MB")
        _run([str(pg_bin / "pg_ctl"), "-D", str(data), "-l", str(root / "server.log"), "-o", options,
              "-w", "-t", str(START_TIMEOUT_S), "start"])
        try:
            yield PostgresServer(root, port, user)
        finally:
            with contextlib.suppress(PostgresUnavailable, subprocess.TimeoutExpired):
                _run([str(pg_bin / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop"])
    finally:
        shutil.rmtree(root, ignore_errors=True)


def _in_ci() -> bool:
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """A throwaway PostgreSQL server for the test session (fails under CI if it cannot start)."""
    with contextlib.ExitStack() as stack:
        try:
            server = stack.enter_context(running_postgres())
        except PostgresUnavailable as exc:
            if _in_ci():
                pytest.fail(f"PostgreSQL rig could not start: {exc}")
            pytest.skip(f"PostgreSQL rig could not start: {exc}")
        yield server


@pytest.fixture
def postgres_url(postgres_server: PostgresServer) -> str:
    """URL of a fresh, empty database on the throwaway server."""
    return postgres_server.new_database()
