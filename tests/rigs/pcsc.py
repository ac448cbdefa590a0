"""pcscd + vsmartcard vpcd rig: the real PC/SC stack with two virtual readers, private to one
test process.

Each pytest process (a plain run, or each pytest-xdist worker) gets a pcscd of its own: on a
socket of its own and on vpcd ports of its own, so several processes tap cards, stop pcscd or
unplug its readers at the same time without seeing each other, and a pcscd the machine already
runs (the system's, socket-activated) is never touched.

- The socket: pcscd 1.9's socket path is compiled in, but when started socket-activated (as
  systemd would: a listening socket on fd 3, ``LISTEN_FDS``/``LISTEN_PID``) it serves the socket
  it is given; the client library (pyscard's libpcsclite) connects to ``$PCSCLITE_CSOCK_NAME``.
  :func:`pytest_configure` sets that variable for this process (and so for its children, e.g. a
  kiosk started as a subprocess) before any PC/SC context is opened.
- The ports: the reader file of this rig's pcscd names a free pair (reader "... 00 00" on the
  first, "... 00 01" on the next); :attr:`PcscRig.ports` says which.

``pcscd`` (session-scoped) yields a :class:`PcscRig`: reader names, vpcd ports, waits on reader
state, and stop/start/restart (with or without readers). ``virtual_card`` taps an emulated card::

    def test_tap(virtual_card, pcscd):
        with virtual_card("7000070012806566"):                        # reader "Virtual PCD 00 00"
            ...
        with virtual_card(IsoLoyaltyCard(number), port=pcscd.ports[1]):  # reader "... 00 01"
            ...

Before inserting it waits until pcscd reports the reader empty: after a card was pulled
mid-dialogue, a card inserted before pcscd's next presence poll is not seen at all.
"""
from __future__ import annotations

import contextlib
import os
import random
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from hardware.card_number import CardNumber
from hardware.emulator import CardApp, IsoLoyaltyCard, VirtualCard
from hardware.pcsc import STATE_UNAWARE, Context, PcscError, ServiceUnavailable

VPCD_READERS = ("Virtual PCD 00 00", "Virtual PCD 00 01")
SOCKET_ENV = "PCSCLITE_CSOCK_NAME"
PORT_RANGE = (20000, 32000)
"""Where the rig looks for a free pair of vpcd ports: below Linux's ephemeral range (32768-60999),
so no outgoing connection (nor a test server on port 0) takes one after it was found free."""
PORT_REUSE_TIMEOUT_S = 75.0
VPCD_DRIVER = Path("/usr/lib/pcsc/drivers/serial/libifdvpcd.so")
START_TIMEOUT_S = 10.0


def vpcd_reader_file(first_port: int) -> str:
    """pcscd's reader file for vpcd's two readers on ``first_port`` and the port after it."""
    return (f'FRIENDLYNAME "Virtual PCD"\nDEVICENAME   /dev/null:{first_port}\n'
            f"LIBPATH      {VPCD_DRIVER}\nCHANNELID    {first_port}\n")


def free_port_pair() -> tuple[int, int]:
    """Two consecutive TCP ports free on every interface (vpcd listens on all of them)."""
    for _ in range(200):
        first = random.randrange(*PORT_RANGE)
        with contextlib.ExitStack() as probes:
            try:
                for port in (first, first + 1):
                    probe = probes.enter_context(socket.socket(socket.AF_INET, socket.SOCK_STREAM))
                    probe.bind(("0.0.0.0", port))
            except OSError:
                continue
            return first, first + 1
    raise RuntimeError(f"no two consecutive free ports in {PORT_RANGE}")


class RigError(RuntimeError):
    """The PC/SC rig cannot give the tests what they need."""


def _readers_now() -> list[str] | None:
    """The reader list of this process's pcscd, or None when it does not answer."""
    try:
        with Context() as context:
            return context.list_readers()
    except ServiceUnavailable:
        return None


@dataclass
class PcscRig:
    """This process's pcscd with the two vpcd readers, on ``socket_path`` and ``ports``."""

    workdir: Path
    socket_path: Path
    ports: tuple[int, int]
    readers: tuple[str, ...] = VPCD_READERS
    process: subprocess.Popen[bytes] | None = field(default=None, repr=False)

    @property
    def log_path(self) -> Path:
        return self.workdir / "pcscd.log"

    def reader_for(self, port: int) -> str:
        return self.readers[self.ports.index(port)]

    def log_text(self) -> str:
        """pcscd's output so far."""
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    # --- waiting on the real reader state ----------------------------------------------------

    def wait_reader(self, reader: str, present: bool, timeout: float = 3.0) -> None:
        """Blocks until pcscd reports ``reader`` with (or without) a card."""
        deadline = time.monotonic() + timeout
        with Context() as context:
            state = STATE_UNAWARE
            while (remaining := deadline - time.monotonic()) > 0:
                changes = context.get_status_change(max(1, int(remaining * 1000)), [(reader, state)])
                if changes is None:
                    break
                if changes[0].present == present and not changes[0].gone:
                    return
                state = changes[0].current
        raise TimeoutError(f"{reader} not {'present' if present else 'empty'} after {timeout:g} s")

    def wait_readers(self, expected: tuple[str, ...] | None = None, timeout: float = START_TIMEOUT_S) -> None:
        """Blocks until pcscd answers and lists ``expected`` (default: both vpcd readers)."""
        expected = self.readers if expected is None else expected
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                raise RigError(f"pcscd exited with {self.process.returncode}:\n{self.log_text()[-2000:]}")
            listed = _readers_now()
            if listed is not None and all(name in listed for name in expected):
                return
            time.sleep(0.05)  # pcscd starting: nothing to wait on yet
        raise RigError(f"pcscd did not list {expected} within {timeout:g} s:\n{self.log_text()[-2000:]}")

    # --- tapping ------------------------------------------------------------------------------

    @contextlib.contextmanager
    def tap(self, card: CardApp | CardNumber | str, port: int | None = None) -> Iterator[VirtualCard]:
        """Holds ``card`` (an app, or a number for the ISO card) on the reader at ``port``
        (default: the first reader's)."""
        if isinstance(card, str):
            card = CardNumber.parse(card)
        if isinstance(card, CardNumber):
            card = IsoLoyaltyCard(card)
        port = self.ports[0] if port is None else port
        reader = self.reader_for(port)
        self.wait_reader(reader, present=False)
        virtual = VirtualCard(card, port=port)
        virtual.insert()
        try:
            yield virtual
        finally:
            virtual.remove()
            with contextlib.suppress(TimeoutError, PcscError):
                self.wait_reader(reader, present=False)

    # --- running pcscd --------------------------------------------------------------------------

    def start(self, with_readers: bool = True) -> None:
        """Starts pcscd on this rig's socket; with no reader configured when ``with_readers`` is false."""
        if self.process is not None and self.process.poll() is None:
            raise RigError("pcscd is already running")
        conf = self.workdir / ("reader.conf.d" if with_readers else "no-readers.conf.d")
        conf.mkdir(exist_ok=True)
        if with_readers:
            (conf / "vpcd").write_text(vpcd_reader_file(self.ports[0]))
        deadline = time.monotonic() + PORT_REUSE_TIMEOUT_S
        while True:
            log_start = self.log_path.stat().st_size if self.log_path.exists() else 0
            self.process = self._spawn(conf)
            try:
                self.wait_readers(self.readers if with_readers else ())
                return
            except BaseException as failed:
                self.stop()  # never leave a pcscd without its readers behind: it blocks the next start
                port_busy = b"Address already in use" in self.log_path.read_bytes()[log_start:]
                if not isinstance(failed, RigError) or not port_busy or time.monotonic() > deadline:
                    raise
            # vpcd cannot bind its port while connections of the previous pcscd linger in
            # TIME_WAIT (up to 60 s after it stopped with a card connected): wait them out.
            time.sleep(2.0)

    def _spawn(self, conf: Path) -> subprocess.Popen[bytes]:
        """``pcscd --foreground`` socket-activated on :attr:`socket_path` (a listening socket on
        fd 3, ``LISTEN_PID`` set to pcscd's own pid by the bash that execs it; dash takes single-digit
        descriptors only)."""
        self.socket_path.unlink(missing_ok=True)
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as listening, self.log_path.open("ab") as log:
            listening.bind(str(self.socket_path))
            listening.listen(64)
            fd = listening.fileno()
            onto_fd_3 = "" if fd == 3 else f"exec 3<&{fd} {fd}<&-; "
            return subprocess.Popen(
                ["bash", "-c", onto_fd_3 + 'LISTEN_PID=$$ LISTEN_FDS=1 exec pcscd --foreground -c "$0"', str(conf)],
                pass_fds=(fd,),
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
            )
        # this process's copy of the socket is closed: once pcscd stops, clients are refused at once

    def stop(self) -> None:
        """Stops this rig's pcscd (SIGTERM by pid, then SIGKILL); its socket goes with it."""
        process, self.process = self.process, None
        if process is not None and process.poll() is None:
            os.kill(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                os.kill(process.pid, signal.SIGKILL)
                process.wait(timeout=5)
        self.socket_path.unlink(missing_ok=True)

    def has_readers(self) -> bool:
        """True when pcscd answers and lists both vpcd readers."""
        listed = _readers_now()
        return listed is not None and all(name in listed for name in self.readers)

    def restart(self, with_readers: bool = True) -> None:
        self.stop()
        self.start(with_readers)


def private_socket_path() -> Path:
    """Points this process's PC/SC clients (and its children) at a pcscd socket of its own."""
    path = Path(tempfile.mkdtemp(prefix="opet-pcscd-")) / "pcscd.comm"
    os.environ[SOCKET_ENV] = str(path)
    return path


def open_rig(workdir: Path) -> PcscRig:
    """Starts this process's pcscd with both vpcd readers on free ports."""
    if shutil.which("pcscd") is None or not VPCD_DRIVER.exists():
        raise RigError("pcscd or vsmartcard-vpcd is not installed: run scripts/bootstrap.sh --test")
    socket_path = Path(os.environ[SOCKET_ENV]) if SOCKET_ENV in os.environ else private_socket_path()
    rig = PcscRig(workdir, socket_path, free_port_pair())
    rig.start()
    return rig


def pytest_configure(config: pytest.Config) -> None:
    """Before any PC/SC context: this test process's own pcscd socket path (libpcsclite reads
    ``$PCSCLITE_CSOCK_NAME`` once, at the first context), even when one was inherited (an
    xdist worker inherits its controller's)."""
    path = private_socket_path()
    config.add_cleanup(lambda: shutil.rmtree(path.parent, ignore_errors=True))


@pytest.fixture(scope="session")
def pcscd(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PcscRig]:
    """This process's pcscd with readers "Virtual PCD 00 00" (``ports[0]``) and "... 00 01" (``ports[1]``)."""
    rig = open_rig(tmp_path_factory.mktemp("pcscd"))
    try:
        yield rig
    finally:
        rig.stop()


@pytest.fixture
def virtual_card(pcscd: PcscRig) -> Callable[..., contextlib.AbstractContextManager[VirtualCard]]:
    """``virtual_card(number_or_card_app, port=None)``: a context manager holding the card on a
    reader (the first one's unless ``port`` says another of ``pcscd.ports``)."""
    return pcscd.tap
