"""kiosk.systemd_notify against a real Unix datagram socket, as systemd listens on one."""
from __future__ import annotations

import os
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from kiosk import systemd_notify


@pytest.fixture
def notify_socket(tmp_path: Path) -> Iterator[socket.socket]:
    """A bound AF_UNIX/SOCK_DGRAM socket standing where systemd's would be."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
        sock.bind(str(tmp_path / "notify"))
        sock.settimeout(2.0)
        yield sock


def _env(sock: socket.socket) -> dict[str, str]:
    return {"NOTIFY_SOCKET": sock.getsockname()}


def test_ready_with_status_is_one_datagram(notify_socket: socket.socket) -> None:
    assert systemd_notify.ready("reader ok\nservice ok", environ=_env(notify_socket))
    assert notify_socket.recv(4096) == b"READY=1\nSTATUS=reader ok service ok"


def test_watchdog_status_and_stopping(notify_socket: socket.socket) -> None:
    env = _env(notify_socket)
    assert systemd_notify.watchdog(environ=env)
    assert systemd_notify.status("no card reader", environ=env)
    assert systemd_notify.stopping(environ=env)
    assert [notify_socket.recv(4096) for _ in range(3)] == [b"WATCHDOG=1", b"STATUS=no card reader", b"STOPPING=1"]


def test_reads_the_process_environment_by_default(notify_socket: socket.socket, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NOTIFY_SOCKET", notify_socket.getsockname())
    assert systemd_notify.watchdog()
    assert notify_socket.recv(4096) == b"WATCHDOG=1"


def test_abstract_socket_address() -> None:
    name = f"opet-kiosk-test-{os.getpid()}"
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
        sock.bind("\0" + name)
        sock.settimeout(2.0)
        assert systemd_notify.ready(environ={"NOTIFY_SOCKET": "@" + name})
        assert sock.recv(4096) == b"READY=1"


def test_no_op_outside_systemd() -> None:
    assert systemd_notify.ready(environ={}) is False
    assert systemd_notify.watchdog(environ={"NOTIFY_SOCKET": ""}) is False


def test_a_vanished_socket_is_reported_not_raised(tmp_path: Path) -> None:
    assert systemd_notify.watchdog(environ={"NOTIFY_SOCKET": str(tmp_path / "gone")}) is False


@pytest.mark.parametrize(
    ("environ", "expected"),
    [({"WATCHDOG_USEC": "30000000"}, 15.0), ({"WATCHDOG_USEC": "0"}, None), ({"WATCHDOG_USEC": "x"}, None), ({}, None)],
)
def test_watchdog_interval_is_half_the_timeout(environ: dict[str, str], expected: float | None) -> None:
    assert systemd_notify.watchdog_interval(environ) == expected


@pytest.mark.timeout(60)  # a blocking send would wait forever on the full queue: this bounds that hang
def test_a_receiver_that_stopped_reading_never_blocks_the_sender(notify_socket: socket.socket) -> None:
    environ = {"NOTIFY_SOCKET": notify_socket.getsockname()}
    results = [systemd_notify.watchdog(environ=environ) for _ in range(5000)]  # far past the queue's length
    assert results[0] and not results[-1]  # the first went through; once full, pings are dropped, not waited on
