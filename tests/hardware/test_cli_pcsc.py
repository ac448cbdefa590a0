"""The console tools through the real pcscd: ``opet-reader`` and ``python -m hardware.emulator``."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from hardware.emulator.cards import ISO_CARD_ATR
from tests.hardware.conftest import NUMBER, OTHER_NUMBER

pytestmark = pytest.mark.pcsc

OPET_READER = str(Path(sys.executable).with_name("opet-reader"))


def run(*args: str, timeout: float = 20) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, capture_output=True, text=True, timeout=timeout, check=False)


def test_read_json_reports_profile_atr_masked_number_and_time(virtual_card, pcscd):
    with virtual_card(NUMBER):
        result = run(OPET_READER, "read", "--json", "--reader", "00 00", "--timeout", "5")
    assert result.returncode == 0, result.stderr
    record = json.loads(result.stdout)
    assert record["event"] == "card_read"
    assert (record["reader"], record["profile"], record["number"], record["uid"]) == (
        "Virtual PCD 00 00", "iso7816", "•••• •••• •••• 6566", None
    )
    assert record["atr"] == ISO_CARD_ATR.hex().upper()
    assert record["read_ms"] > 0  # measured; how fast is bench/reader_read_time.py's business
    assert NUMBER not in result.stdout + result.stderr


def test_read_times_out_without_a_card(pcscd):
    result = run(OPET_READER, "read", "--json", "--reader", "00 01", "--timeout", "0.5")
    assert result.returncode == 3
    assert json.loads(result.stdout)["error"] == "timeout"


def test_list_shows_each_reader_state_and_atr(virtual_card, pcscd):
    with virtual_card(NUMBER, port=pcscd.ports[1]) as card:
        pcscd.wait_reader("Virtual PCD 00 01", present=True)
        listed = json.loads(run(OPET_READER, "list", "--json").stdout)["readers"]
        text = run(OPET_READER, "list").stdout
    states = {r["name"]: (r["state"], r["atr"]) for r in listed}
    assert states["Virtual PCD 00 00"] == ("empty", None)
    assert states["Virtual PCD 00 01"] == ("card", card.card_app.atr.hex().upper())
    assert "Virtual PCD 00 01: card  ATR 3B88" in text


def test_emulator_cli_taps_a_card_the_watcher_reads(watch, pcscd):
    listener = watch().listener
    tap = subprocess.Popen(
        [sys.executable, "-m", "hardware.emulator", "tap", "--number", OTHER_NUMBER, "--hold", "0.8",
         "--port", str(pcscd.ports[0])],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    read = listener.wait_for("card_read")
    out, err = tap.communicate(timeout=10)
    assert tap.returncode == 0, err
    assert read.number.digits == OTHER_NUMBER
    assert "•••• •••• •••• 7895" in out and OTHER_NUMBER not in out
    listener.wait_for("card_removed")
    pcscd.wait_reader("Virtual PCD 00 00", present=False)
