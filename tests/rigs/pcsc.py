"""pcscd + vsmartcard vpcd rig: the real PC/SC stack with two virtual readers.

``pcscd`` (session-scoped) reuses a running pcscd that offers both vpcd readers, or starts
``pcscd --foreground`` with a reader configuration of its own and stops it (by pid) at the end
of the session. It yields a :class:`PcscRig`: reader names, vpcd ports, and waits on reader
state. ``virtual_card`` taps an emulated card::

    def test_tap(virtual_card):
        with virtual_card("7000070012806566"):             # reader "Virtual PCD 00 00"
            ...
        with virtual_card(IsoLoyaltyCard(number), port=35964):  # reader "... 00 01"
            ...

Before inserting it waits until pcscd reports the reader empty: after a card was pulled
mid-dialogue, a card inserted before pcscd's next presence poll is not seen at all.

Only a rig that started pcscd itself may stop, restart or reconfigure it
(:meth:`PcscRig.restart`); tests that need that skip when pcscd was reused.

The virtual readers are machine-wide, so a session that will use them holds an exclusive lock
(``/tmp/opet-pcsc-rig.lock``, or ``$OPET_PCSC_RIG_LOCK``) from the end of collection to the
end of the session: two pytest processes tapping cards on the same readers (or one restarting
pcscd under the other) would see each other's cards. A second such session waits for the first before its first test (so
the wait does not count against pytest-timeout); sessions not using ``pcscd`` never wait.
"""
from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import signal
import subprocess
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from hardware.card_number import CardNumber
from hardware.emulator import CardApp, IsoLoyaltyCard, VirtualCard
from hardware.pcsc import STATE_UNAWARE, Context, PcscError, ServiceUnavailable

VPCD_READERS = ("Virtual PCD 00 00", "Virtual PCD 00 01")
VPCD_PORTS = (35963, 35964)
PORT_REUSE_TIMEOUT_S = 75.0
VPCD_DRIVER = Path("/usr/lib/pcsc/drivers/serial/libifdvpcd.so")
VPCD_CONF = f"""FRIENDLYNAME "Virtual PCD"
DEVICENAME   /dev/null:0x8C7B
LIBPATH      {VPCD_DRIVER}
CHANNELID    0x8C7B
"""
START_TIMEOUT_S = 10.0
LOCK_PATH = Path(os.environ.get("OPET_PCSC_RIG_LOCK", "/tmp/opet-pcsc-rig.lock"))
LOCK_TIMEOUT_S = 600.0


class RigError(RuntimeError):
    """The PC/SC rig cannot give the tests what they need."""


def _readers_now() -> list[str] | None:
    """The reader list, or None when no pcscd answers."""
    try:
        with Context() as context:
            return context.list_readers()
    except ServiceUnavailable:
        return None


@dataclass
class PcscRig:
    """A pcscd with the two vpcd readers; ``owned`` when this rig started it."""

    workdir: Path
    owned: bool
    readers: tuple[str, ...] = VPCD_READERS
    ports: tuple[int, ...] = VPCD_PORTS
    process: subprocess.Popen[bytes] | None = field(default=None, repr=False)

    @property
    def log_path(self) -> Path:
        return self.workdir / "pcscd.log"

    def reader_for(self, port: int) -> str:
        return self.readers[self.ports.index(port)]

    def log_text(self) -> str:
        """pcscd's output so far (a rig that reuses pcscd has none)."""
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
    def tap(self, card: CardApp | CardNumber | str, port: int = VPCD_PORTS[0]) -> Iterator[VirtualCard]:
        """Holds ``card`` (an app, or a number for the ISO card) on the reader at ``port``."""
        if isinstance(card, str):
            card = CardNumber.parse(card)
        if isinstance(card, CardNumber):
            card = IsoLoyaltyCard(card)
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

    # --- owning pcscd ---------------------------------------------------------------------------

    def start(self, with_readers: bool = True) -> None:
        """Starts pcscd (owned rigs only); with no reader configured when ``with_readers`` is false."""
        self._require_owned()
        if self.process is not None and self.process.poll() is None:
            raise RigError("pcscd is already running")
        conf = self.workdir / ("reader.conf.d" if with_readers else "no-readers.conf.d")
        conf.mkdir(exist_ok=True)
        if with_readers:
            (conf / "vpcd").write_text(VPCD_CONF)
        deadline = time.monotonic() + PORT_REUSE_TIMEOUT_S
        while True:
            log_start = self.log_path.stat().st_size if self.log_path.exists() else 0
            with self.log_path.open("ab") as log:
                self.process = subprocess.Popen(
                    ["pcscd", "--foreground", "-c", str(conf)],
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    stdin=subprocess.DEVNULL,
                )
            try:
                self.wait_readers(self.readers if with_readers else ())
                return
            except RigError:
                self.stop()  # never leave a pcscd without its readers behind: it blocks the next start
                port_busy = b"Address already in use" in self.log_path.read_bytes()[log_start:]
                if not port_busy or time.monotonic() > deadline:
                    raise
            # vpcd cannot bind its port while connections of the previous pcscd linger in
            # TIME_WAIT (up to 60 s after it stopped with a card connected): wait them out.
            time.sleep(2.0)

    def stop(self) -> None:
        """Stops the pcscd this rig started (SIGTERM by pid, then SIGKILL)."""
        self._require_owned()
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        os.kill(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            os.kill(process.pid, signal.SIGKILL)
            process.wait(timeout=5)

    def has_readers(self) -> bool:
        """True when pcscd answers and lists both vpcd readers."""
        listed = _readers_now()
        return listed is not None and all(name in listed for name in self.readers)

    def restart(self, with_readers: bool = True) -> None:
        self.stop()
        self.start(with_readers)

    def _require_owned(self) -> None:
        if not self.owned:
            pytest.skip("pcscd was already running (not started by this rig): not touching it")


def open_rig(workdir: Path) -> PcscRig:
    """Reuses a pcscd that lists both vpcd readers, or starts one of its own."""
    listed = _readers_now()
    if listed is not None:
        if all(name in listed for name in VPCD_READERS):
            return PcscRig(workdir, owned=False)
        raise RigError(f"a pcscd without the vpcd readers is running (readers: {listed}); stop it first")
    if shutil.which("pcscd") is None or not VPCD_DRIVER.exists():
        raise RigError("pcscd or vsmartcard-vpcd is not installed: run scripts/bootstrap.sh --test")
    rig = PcscRig(workdir, owned=True)
    rig.start()
    return rig


@contextlib.contextmanager
def readers_locked(timeout: float = LOCK_TIMEOUT_S) -> Iterator[None]:
    """Holds the machine-wide lock on the virtual readers (waits for another session to end)."""
    with LOCK_PATH.open("a") as lock_file:
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(lock_file, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise RigError(f"{_lock_holder()} held {LOCK_PATH} for {timeout:g} s") from None
                time.sleep(0.2)  # another session's lifetime: nothing finer to wait on
        try:
            yield
        finally:
            fcntl.flock(lock_file, fcntl.LOCK_UN)


_READERS_LOCK = pytest.StashKey[contextlib.ExitStack]()


def pytest_collection_finish(session: pytest.Session) -> None:
    """Takes the readers' lock when a collected test uses ``pcscd`` (waiting for another session)."""
    if session.config.option.collectonly:
        return
    if not any("pcscd" in getattr(item, "fixturenames", ()) for item in session.items):
        return
    stack = contextlib.ExitStack()
    if LOCK_PATH.exists() and not _lock_free():
        print(f"\nwaiting for the virtual card readers: another test session holds {LOCK_PATH}", flush=True)
    stack.enter_context(readers_locked())
    session.config.stash[_READERS_LOCK] = stack


def pytest_sessionfinish(session: pytest.Session) -> None:
    stack = session.config.stash.get(_READERS_LOCK, None)
    if stack is not None:
        stack.close()


def _lock_holder() -> str:
    """Which process holds the readers' lock, from /proc/locks (for an actionable message)."""
    inode = LOCK_PATH.stat().st_ino
    for line in Path("/proc/locks").read_text().splitlines():
        fields = line.split()
        if len(fields) > 5 and fields[1] == "FLOCK" and fields[5].rsplit(":", 1)[-1] == str(inode):
            pid = fields[4]
            with contextlib.suppress(OSError):
                command = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
                return f"process {pid} ({command.strip()[:120]})"
            return f"process {pid}"
    return "another test session"


def _lock_free() -> bool:
    with LOCK_PATH.open("a") as probe:
        try:
            fcntl.flock(probe, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        fcntl.flock(probe, fcntl.LOCK_UN)
        return True


@pytest.fixture(scope="session")
def pcscd(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PcscRig]:
    """pcscd with readers "Virtual PCD 00 00" (port 35963) and "... 00 01" (35964)."""
    rig = open_rig(tmp_path_factory.mktemp("pcscd"))
    try:
        yield rig
    finally:
        if rig.owned:
            rig.stop()


@pytest.fixture
def virtual_card(pcscd: PcscRig) -> Callable[..., contextlib.AbstractContextManager[VirtualCard]]:
    """``virtual_card(number_or_card_app, port=35963)``: a context manager holding the card on a reader."""
    return pcscd.tap
