"""Central service rig: the real ``opet-central serve`` as a subprocess on a free loopback port.

``central_service`` (session-scoped) runs it on a temporary SQLite file with the demo cards and
a kiosk token. :func:`running_central` starts one on any database URL (PostgreSQL too), for
tests and benchmarks that need their own.

Every test's service runs on a clock file (``serve --clock-file``):
:meth:`CentralService.advance_clock` moves its time forward, so nothing waits for a timeout
(benchmarks serve on the system clock). One service serves hundreds of tests from the same few
devices, so the budgets that such use would spend are raised
(:data:`ROOMY_LIMITS`); the typed look-up and activation budgets keep their defaults, and a
test of any budget starts a service with the budget it tests (its own ``serve_args`` win).
"""
from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

START_TIMEOUT_S = 30.0
ROOMY_LIMITS = ("--tapped-lookups-per-minute", "1000000", "--sms-per-sender-per-hour", "1000000",
                "--signin-failures-per-device-per-hour", "1000000", "--attendant-lookups-per-hour", "1000000")


def opet_central_command() -> list[str]:
    """The installed ``opet-central`` console script (the one beside this interpreter first)."""
    beside = Path(sys.executable).with_name("opet-central")
    if beside.exists():
        return [str(beside)]
    found = shutil.which("opet-central")
    if found is None:
        raise RuntimeError("opet-central is not installed: run scripts/bootstrap.sh --test")
    return [found]


def run_cli(*args: str, database_url: str, stdin: str = "") -> str:
    """Runs ``opet-central ARGS --database URL`` to completion and returns its stdout."""
    result = subprocess.run(
        [*opet_central_command(), *args, "--database", database_url],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(f"opet-central {args[0]} failed ({result.returncode}): {result.stderr[-2000:]}")
    return result.stdout


def free_port() -> int:
    """A loopback TCP port that was free a moment ago."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def write_clock_file(path: Path, text: str) -> None:
    """Writes a ``serve --clock-file`` (central.clock): ``SECONDS`` ahead, or ``@UNIX_TIME`` frozen."""
    scratch = path.with_name(path.name + ".new")
    scratch.write_text(text + "\n", encoding="ascii")
    os.replace(scratch, path)  # a new inode: seen even within one mtime tick


@dataclass
class CentralService:
    """A running service: where it listens, a kiosk token, and its log."""

    base_url: str
    token: str
    database_url: str
    log_path: Path
    clock_path: Path
    process: subprocess.Popen[bytes] = field(repr=False)

    def advance_clock(self, seconds: float) -> None:
        """Moves the service's clock ``seconds`` forward (every worker sees it at its next request)."""
        text = self.clock_path.read_text(encoding="ascii").strip() if self.clock_path.exists() else ""
        if text.startswith("@"):
            write_clock_file(self.clock_path, f"@{float(text[1:]) + seconds!r}")
        else:
            write_clock_file(self.clock_path, repr(float(text or 0) + seconds))

    def add_device(self, kind: str, name: str) -> str:
        """A new device token made with ``opet-central add-device``."""
        return run_cli("add-device", "--kind", kind, "--name", name, database_url=self.database_url).strip()

    def cli(self, *args: str, stdin: str = "") -> str:
        """Runs another ``opet-central`` command on this service's database (``stdin`` fed to it)."""
        return run_cli(*args, database_url=self.database_url, stdin=stdin)

    def log_text(self) -> str:
        """Everything the service has logged so far."""
        return self.log_path.read_text(encoding="utf-8", errors="replace")


def wait_healthy(base_url: str, process: subprocess.Popen[bytes], log_path: Path) -> None:
    """Returns once ``base_url``'s ``/healthz`` answers 200; raises with the log's tail if the
    server process ends first or is not healthy within START_TIMEOUT_S."""
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited with {process.returncode}:\n{log_path.read_text()[-3000:]}")
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(f"{base_url}/healthz", timeout=1.0).status_code == 200:
                return
        time.sleep(0.05)
    raise RuntimeError(f"the server was not healthy after {START_TIMEOUT_S}s:\n{log_path.read_text()[-3000:]}")


def stop_process(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM, then SIGKILL if it has not ended within 10 s."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


@contextlib.contextmanager
def running_central(
    database_url: str, workdir: Path, *, demo_data: bool = True, serve_args: tuple[str, ...] = (),
    log_every_request: bool = True, frozen_clock: bool = False, clock_path: Path | None = None,
    system_clock: bool = False,
) -> Iterator[CentralService]:
    """Migrates ``database_url``, loads the demo cards, makes a kiosk token, serves, and stops after.

    Tests log every request (``--log-every-request``), so the privacy checks of the log see
    successful look-ups too; ``log_every_request=False`` serves with the production default.
    ``serve_args`` come after :data:`ROOMY_LIMITS`, so they override them. With
    ``frozen_clock`` the service's time stands still until the test moves it; services given
    the same ``clock_path`` share one clock. With ``system_clock`` the service reads the system's
    time as production does, with no clock file to look at on every request (benchmarks).
    """
    serve_args = (*ROOMY_LIMITS, *serve_args)
    if log_every_request:
        serve_args = (*serve_args, "--log-every-request")
    if demo_data:
        run_cli("demo-data", database_url=database_url)
    token = run_cli("add-device", "--kind", "kiosk", "--name", "rig-kiosk", database_url=database_url).strip()
    workdir.mkdir(parents=True, exist_ok=True)
    for attempt in range(3):
        port = free_port()
        log_path = workdir / f"central-{port}.log"
        clock = clock_path or workdir / f"clock-{port}"
        if frozen_clock and not clock.exists():
            write_clock_file(clock, f"@{time.time()!r}")
        with log_path.open("wb") as log_file:
            process = subprocess.Popen(
                [*opet_central_command(), "serve", "--host", "127.0.0.1", "--port", str(port),
                 "--database", database_url, *(() if system_clock else ("--clock-file", str(clock))),
                 *serve_args],
                stdout=log_file,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                env={**os.environ, "PYTHONUNBUFFERED": "1"},
            )
        base_url = f"http://127.0.0.1:{port}"
        try:
            wait_healthy(base_url, process, log_path)
        except RuntimeError:
            stop_process(process)
            if attempt == 2 or "address already in use" not in log_path.read_text().lower():
                raise
            continue
        break
    try:
        yield CentralService(base_url, token, database_url, log_path, clock, process)
    finally:
        stop_process(process)


@pytest.fixture(scope="session")
def central_service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CentralService]:
    """The real service on a temporary SQLite file, demo cards loaded, with a kiosk token."""
    workdir = tmp_path_factory.mktemp("central")
    with running_central(f"sqlite:///{workdir / 'central.db'}", workdir) as service:
        yield service
