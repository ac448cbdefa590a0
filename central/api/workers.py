"""``serve --workers N``: N uvicorn processes, each accepting on a listening socket of its own.

uvicorn's own supervisor binds one socket and every worker accepts from it; with long-lived
keep-alive connections (200 tills) whichever worker wakes first takes a burst of them and one
worker ended up serving ~3/4 of the sales while the other idled (docs/PERFORMANCE.md). Here
every worker binds host:port itself with ``SO_REUSEPORT``, so the kernel spreads new
connections over the workers' sockets by a hash of the connection's addresses.

The parent keeps a bound, never listening, socket on host:port (a reservation: a taken port
fails at once, and the port stays ours while a worker is replaced), starts the workers,
replaces one that dies after it started serving, and stops the service when one dies before
it ever did (its app cannot start: restarting it would only loop). SIGTERM or SIGINT to the
parent reaches every worker as SIGTERM (uvicorn's graceful shutdown) and the parent exits 0.
A parent that ends any other way (SIGKILL, a crash) takes its workers with it: each has asked
the kernel for SIGTERM when its parent ends (``PR_SET_PDEATHSIG``).
"""
from __future__ import annotations

import contextlib
import ctypes
import logging
import multiprocessing
import os
import signal
import socket
from collections.abc import Iterator
from multiprocessing.connection import wait
from multiprocessing.context import SpawnProcess

import uvicorn

from central.api.observe import configure_logging

APP = "central.api.app:app_from_environment"
"""The service's app factory (it reads the database URL and settings from the environment)."""
log = logging.getLogger("central.workers")
_spawn = multiprocessing.get_context("spawn")


def uvicorn_options(keep_alive_seconds: float) -> dict[str, object]:
    """uvicorn.Config's options, besides the app, host and port, of every serving process.

    uvloop and httptools, both dependencies, are named so a missing one fails at start instead
    of uvicorn quietly serving on asyncio's loop and the pure-Python h11 parser. Its access log
    is off (it would log full card numbers from the look-ups' paths; central.api.observe logs).
    """
    return {"access_log": False, "log_level": "info", "log_config": None,
            "timeout_keep_alive": keep_alive_seconds, "loop": "uvloop", "http": "httptools"}


class WorkersFailed(Exception):
    """The service could not start or keep its workers; the message says why."""


def _bound_socket(host: str, port: int, *, reuse_port: bool) -> socket.socket:
    """A TCP socket bound to host:port, ``SO_REUSEADDR`` set (and ``SO_REUSEPORT`` if asked)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if reuse_port:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        sock.bind((host, port))
    except BaseException:
        sock.close()
        raise
    return sock


def reserve(host: str, port: int) -> socket.socket:
    """The parent's reservation of host:port (bound, not listening), or :class:`WorkersFailed`.

    A socket without ``SO_REUSEPORT`` is bound (and closed) first: it fails on any listening
    socket, also another ``serve``'s workers, which ``SO_REUSEPORT`` alone would quietly join.
    """
    try:
        _bound_socket(host, port, reuse_port=False).close()
        return _bound_socket(host, port, reuse_port=True)
    except OSError as exc:
        raise WorkersFailed(f"cannot bind {host}:{port}: {exc.strerror.lower() if exc.strerror else exc}") from None


class _Server(uvicorn.Server):
    """uvicorn's server that sets ``started`` (a flag in memory shared with the parent, no lock a
    killed worker could leave held) once it serves."""

    def __init__(self, config: uvicorn.Config, started: ctypes.c_bool) -> None:
        super().__init__(config)
        self._started = started

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets)
        if self.started:
            self._started.value = True
            log.info("worker %d accepting on %s:%d", os.getpid(), self.config.host, self.config.port)


_PR_SET_PDEATHSIG = 1  # linux/prctl.h


def _end_with(parent: int) -> None:
    """Has the kernel send this worker SIGTERM when ``parent`` ends, even by SIGKILL, so no worker
    outlives its supervisor holding the port (a new ``serve`` would then find it taken)."""
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_PDEATHSIG) failed")
    if os.getppid() != parent:  # it ended before the request above was in place
        raise SystemExit(f"the supervisor {parent} ended before this worker started")


def _run_worker(host: str, port: int, app: str, options: dict[str, object], started: ctypes.c_bool,
                parent: int) -> None:
    """One worker process: its own ``SO_REUSEPORT`` socket on host:port, uvicorn serving the app."""
    _end_with(parent)
    configure_logging()
    sock = _bound_socket(host, port, reuse_port=True)
    config = uvicorn.Config(app, factory=True, host=host, port=port, **options)
    _Server(config, started).run(sockets=[sock])


class _Workers:
    """The running worker processes, each with the flag it sets once it serves."""

    def __init__(self, host: str, port: int, app: str, options: dict[str, object]) -> None:
        self._target = (host, port, app, options)
        self.running: dict[int, tuple[SpawnProcess, ctypes.c_bool]] = {}  # by sentinel

    def start(self) -> None:
        """Starts one more worker."""
        started = _spawn.RawValue(ctypes.c_bool, False)
        process = _spawn.Process(target=_run_worker, args=(*self._target, started, os.getpid()),
                                 name="opet-central-worker")
        process.start()
        self.running[process.sentinel] = (process, started)

    def ended(self, sentinel: int) -> tuple[SpawnProcess, bool]:
        """Forgets the worker of ``sentinel``, which has ended; it and whether it had served."""
        process, started = self.running.pop(sentinel)
        process.join()
        return process, started.value

    def stop(self) -> None:
        """SIGTERM to every worker (uvicorn's graceful shutdown), then waits until they all ended."""
        for process, _started in self.running.values():
            process.terminate()
        for process, _started in self.running.values():
            process.join()
        self.running.clear()


def _keep_running(workers: _Workers, wakeup: socket.socket) -> str | None:
    """Replaces workers that die until a signal arrives on ``wakeup`` (None) or one dies before it
    ever served (why the service fails: restarting it would only loop)."""
    while True:
        ready = wait([wakeup, *workers.running])
        if wakeup in ready:
            log.info("stopping the workers")
            return None
        for sentinel in ready:
            process, served = workers.ended(sentinel)
            if not served:
                return (f"worker {process.pid} exited with code {process.exitcode} before it served: "
                        "its app cannot start (see the log above); stopping the service")
            log.warning("worker %d exited with code %s; starting a new one", process.pid, process.exitcode)
            workers.start()


@contextlib.contextmanager
def _stop_signals() -> Iterator[socket.socket]:
    """A socket that becomes readable when SIGTERM or SIGINT arrives (instead of their default action)."""
    wakeup, writer = socket.socketpair()
    with wakeup, writer:
        writer.setblocking(False)
        previous = {sig: signal.signal(sig, lambda *_: None) for sig in (signal.SIGTERM, signal.SIGINT)}
        previous_fd = signal.set_wakeup_fd(writer.fileno())
        try:
            yield wakeup
        finally:
            signal.set_wakeup_fd(previous_fd)
            for sig, handler in previous.items():
                signal.signal(sig, handler)


def serve_workers(count: int, host: str, port: int, options: dict[str, object], app: str = APP) -> None:
    """Serves with ``count`` worker processes on host:port until SIGTERM or SIGINT.

    ``options`` are uvicorn.Config's besides the app, host and port; ``app`` names the factory
    of each worker's app (the service's; bench.floor_app's for its benchmark). Raises
    :class:`WorkersFailed` when the port is taken or a worker's app cannot start.
    """
    with reserve(host, port) as reservation, _stop_signals() as wakeup:
        port = reservation.getsockname()[1]  # port 0: the one the kernel chose
        workers = _Workers(host, port, app, options)
        try:
            for _ in range(count):
                workers.start()
            log.info("starting %d workers on %s:%d, each on a SO_REUSEPORT socket of its own", count, host, port)
            failure = _keep_running(workers, wakeup)
        finally:
            workers.stop()
    if failure is not None:
        raise WorkersFailed(failure)
