"""``serve --workers N`` (central.api.workers): every worker accepts on a ``SO_REUSEPORT`` socket
of its own, a dead worker is replaced, SIGTERM stops them all, a killed supervisor takes its
workers with it, a taken port or an app that cannot start stops the service at once.

Real processes and real HTTP. The tests wait on the service's log lines, read from its pipe as
they come; the deadlines only bound a hang. Which worker holds a connection is read from /proc.
"""
from __future__ import annotations

import http.client
import os
import queue
import re
import select
import signal
import socket
import subprocess
import sys
import threading
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from central.api.app import SERVE_ENVIRONMENT
from tests.rigs.central import free_port, opet_central_command

HANG_S = 120.0
CONNECTIONS = 64
FEWEST = 10
"""Each connection goes to one of two workers by a hash of its addresses (with a random secret):
a worker holding fewer than 10 of 64 has the odds 2 * P(Binomial(64, 1/2) <= 9) = 3.5e-9, about
once in 280 million runs; uvicorn's one shared socket gave one worker ~3/4 of them."""
_ACCEPTING = re.compile(r"worker (\d+) accepting on ")


class Serve:
    """``opet-central serve`` as a subprocess whose log lines are read from its pipe as they come."""

    def __init__(self, *args: str, env: dict[str, str] | None = None) -> None:
        self.process = subprocess.Popen([*opet_central_command(), "serve", *args], stdout=subprocess.PIPE,
                                        stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, text=True,
                                        env={**(env or os.environ), "PYTHONUNBUFFERED": "1"})
        self.lines: list[str] = []
        self._new: queue.Queue[str | None] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self._new.put(line)
        self._new.put(None)

    def wait_for(self, pattern: str) -> re.Match[str]:
        """The next log line that matches ``pattern`` (fails if the log ends first)."""
        while True:
            line = self._new.get(timeout=HANG_S)
            assert line is not None, f"serve ended before a line matched {pattern!r}:\n{''.join(self.lines)}"
            self.lines.append(line)
            if found := re.search(pattern, line):
                return found

    def workers(self, count: int) -> set[int]:
        """The pids of the next ``count`` workers to start serving."""
        return {int(self.wait_for(_ACCEPTING.pattern)[1]) for _ in range(count)}

    def stop(self, sig: signal.Signals = signal.SIGTERM) -> int:
        """Sends ``sig`` (SIGTERM: what systemd sends); the exit code."""
        self.process.send_signal(sig)
        return self.process.wait(timeout=HANG_S)


@pytest.fixture
def serve(tmp_path: Path) -> Iterator[tuple[Serve, int]]:
    """``serve --workers 2`` on a new SQLite file and a free port."""
    port = free_port()
    service = Serve("--workers", "2", "--host", "127.0.0.1", "--port", str(port),
                    "--database", f"sqlite:///{tmp_path / 'central.db'}")
    try:
        yield service, port
    finally:
        if service.process.poll() is None:
            service.stop()


def _children(pid: int) -> set[int]:
    return {int(child) for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()}


def _socket_inodes(pid: int) -> set[int]:
    """The inodes of the sockets process ``pid`` holds open."""
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(fd)
        except FileNotFoundError:  # closed meanwhile
            continue
        if found := re.fullmatch(r"socket:\[(\d+)\]", target):
            inodes.add(int(found[1]))
    return inodes


def _server_ends(port: int) -> dict[int, int]:
    """The service's ends of the established connections to ``port``: client port -> socket inode."""
    ends = {}
    for row in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = row.split()
        local, remote, state, inode = fields[1], fields[2], fields[3], int(fields[9])
        if state == "01" and int(local.split(":")[1], 16) == port:
            ends[int(remote.split(":")[1], 16)] = inode
    return ends


def _open_connections(port: int, count: int) -> list[http.client.HTTPConnection]:
    """``count`` keep-alive connections, each with one request answered (so a worker has accepted it)."""
    connections = []
    for _ in range(count):
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=HANG_S)
        connection.request("GET", "/healthz")
        response = connection.getresponse()
        assert (response.status, response.read()) == (200, b'{"status":"ok"}')
        connections.append(connection)
    return connections


def _holders(port: int, workers: set[int], connections: list[http.client.HTTPConnection]) -> Counter[int]:
    """How many of ``connections`` each worker holds."""
    ends = _server_ends(port)
    inodes = {pid: _socket_inodes(pid) for pid in workers}
    held: Counter[int] = Counter()
    for connection in connections:
        inode = ends[connection.sock.getsockname()[1]]
        (holder,) = [pid for pid in workers if inode in inodes[pid]]
        held[holder] += 1
    return held


def _assert_spread(port: int, workers: set[int]) -> None:
    connections = _open_connections(port, CONNECTIONS)
    try:
        held = _holders(port, workers, connections)
    finally:
        for connection in connections:
            connection.close()
    assert set(held) == workers, held
    assert sum(held.values()) == CONNECTIONS
    assert min(held.values()) >= FEWEST, held


def test_keep_alive_connections_spread_over_both_workers(serve: tuple[Serve, int]):
    service, port = serve
    workers = service.workers(2)
    assert workers <= _children(service.process.pid)
    _assert_spread(port, workers)


def test_a_killed_worker_is_replaced_and_the_new_one_takes_connections(serve: tuple[Serve, int]):
    service, port = serve
    killed, kept = sorted(service.workers(2))
    os.kill(killed, signal.SIGKILL)
    service.wait_for(rf"worker {killed} exited with code -9; starting a new one")
    (new,) = service.workers(1)
    assert new not in (killed, kept)
    assert new in _children(service.process.pid)
    _assert_spread(port, {kept, new})


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_a_stop_signal_stops_every_worker_and_the_service_exits_0(serve: tuple[Serve, int], sig: signal.Signals):
    service, _port = serve
    workers = service.workers(2)
    assert service.stop(sig) == 0
    service.wait_for("stopping the workers")
    finished = {int(service.wait_for(r"Finished server process \[(\d+)\]")[1]) for _ in workers}
    assert finished == workers  # uvicorn's graceful shutdown, in each
    for pid in workers:
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)  # ended and reaped by the service before it exited


def test_workers_end_with_a_killed_supervisor_and_free_the_port(serve: tuple[Serve, int], tmp_path: Path):
    service, port = serve
    workers = service.workers(2)
    watches = {pid: os.pidfd_open(pid) for pid in workers}  # readable once that process has ended
    try:
        service.process.kill()  # no chance to stop its workers itself
        service.process.wait(timeout=HANG_S)
        for pid, watch in watches.items():
            readable, _, _ = select.select([watch], [], [], HANG_S)
            assert readable == [watch], f"worker {pid} outlived its killed supervisor"
    finally:
        for watch in watches.values():
            os.close(watch)
    again = Serve("--workers", "2", "--host", "127.0.0.1", "--port", str(port),
                  "--database", f"sqlite:///{tmp_path / 'central.db'}")
    try:
        assert len(again.workers(2)) == 2  # the port was free again: no orphan listens on it
    finally:
        again.stop()


@pytest.mark.parametrize("reuse_port", [False, True], ids=["plain-listener", "so-reuseport-listener"])
def test_a_taken_port_stops_serve_at_once(tmp_path: Path, reuse_port: bool):
    """Taken by any listener, also one with ``SO_REUSEPORT`` (another ``serve``'s worker), which
    the workers' own sockets alone would quietly share the port with."""
    with socket.socket() as taken:
        if reuse_port:
            taken.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        result = subprocess.run(
            [*opet_central_command(), "serve", "--workers", "2", "--host", "127.0.0.1",
             "--port", str(taken.getsockname()[1]), "--database", f"sqlite:///{tmp_path / 'central.db'}"],
            capture_output=True, text=True, timeout=HANG_S, check=False)
    assert result.returncode != 0
    assert "address already in use" in result.stderr
    assert "starting 2 workers" not in result.stderr


_WITHOUT_HAND_OVER = """
import sys
from central.api.observe import configure_logging
from central.api.workers import WorkersFailed, serve_workers

configure_logging()
try:
    serve_workers(2, "127.0.0.1", 0, {"log_config": None})
except WorkersFailed as exc:
    sys.exit(f"failed: {exc}")
"""


def test_workers_whose_app_cannot_start_stop_the_service_instead_of_restarting():
    """The workers' app factory fails (no settings handed over in the environment): each worker
    exits before it serves, and the service stops with a message instead of starting new ones."""
    env = {name: value for name, value in os.environ.items() if name != SERVE_ENVIRONMENT}
    result = subprocess.run([sys.executable, "-c", _WITHOUT_HAND_OVER], capture_output=True, text=True,
                            timeout=HANG_S, env=env, check=False)
    assert result.returncode == 1
    assert re.search(r"failed: worker \d+ exited with code \d+ before it served: its app cannot start",
                     result.stderr), result.stderr[-3000:]
    assert result.stderr.count("Error loading ASGI app factory") <= 2
    assert "starting a new one" not in result.stderr
