"""The PC/SC rig gives each test process a pcscd of its own: parallel workers (pytest-xdist), or
a second test session on the same machine, never see each other's cards or restarts."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from hardware.pcsc import STATE_UNAWARE, Context
from tests.hardware.conftest import NUMBER
from tests.rigs.pcsc import SOCKET_ENV, PcscRig

pytestmark = pytest.mark.pcsc

ROOT = Path(__file__).resolve().parents[2]
OTHER_PROCESS = """
import sys, tempfile
from pathlib import Path
from tests.rigs.pcsc import open_rig

rig = open_rig(Path(tempfile.mkdtemp(prefix="other-rig-")))
print(rig.socket_path, *rig.ports, flush=True)
with rig.tap(sys.argv[1]):
    rig.wait_reader(rig.readers[0], present=True)
    print("card on my first reader", flush=True)
    sys.stdin.readline()
rig.restart()
rig.stop()
print("restarted and stopped my pcscd", flush=True)
"""


def test_another_process_taps_and_restarts_its_own_pcscd_unseen_by_this_one(pcscd: PcscRig, virtual_card) -> None:
    assert os.environ[SOCKET_ENV] == str(pcscd.socket_path)
    assert pcscd.socket_path != Path("/run/pcscd/pcscd.comm")
    env = {key: value for key, value in os.environ.items() if key != SOCKET_ENV}  # as a new session starts
    other = subprocess.Popen(
        [sys.executable, "-c", OTHER_PROCESS, NUMBER], cwd=ROOT, env=env, text=True,
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )
    try:
        started = other.stdout.readline().split()
        assert len(started) == 3, other.stderr.read()[-2000:]
        socket_path, *ports = started
        assert other.stdout.readline() == "card on my first reader\n", other.stderr.read()[-2000:]
        assert socket_path != str(pcscd.socket_path)
        assert {int(port) for port in ports}.isdisjoint(pcscd.ports)

        with Context() as context:  # the state as this pcscd has it now (unaware: answered at once)
            (here,) = context.get_status_change(10_000, [(pcscd.readers[0], STATE_UNAWARE)])
        assert not here.present
        other.stdin.write("\n")
        other.stdin.flush()
        assert other.stdout.readline() == "restarted and stopped my pcscd\n", other.stderr.read()[-2000:]
    finally:
        other.stdin.close()
        other.wait(timeout=30)
    assert other.returncode == 0

    assert pcscd.has_readers()  # this pcscd lived through the other's restart and stop
    with virtual_card(NUMBER):
        pcscd.wait_reader(pcscd.readers[0], present=True)
