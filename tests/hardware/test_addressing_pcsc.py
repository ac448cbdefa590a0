"""Issue 19 through the real pcscd + vpcd: a card that serves its number as the current file
after SELECT (and answers 6A81 to READ BINARY by SFI) reads in ``opet-reader read`` and in the
kiosk's card watcher, with a configuration line and with none; tap feedback on the reader."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from hardware.emulator import AcsFeedbackReader, FaultyCard, IsoLoyaltyCard, PullCard, number_applet
from hardware.emulator.file_card import FILE_CARD_ATR
from hardware.tap_feedback import TAP_FEEDBACK
from kiosk.config import load_config
from tests.hardware.conftest import NUMBER, OTHER_NUMBER

pytestmark = pytest.mark.pcsc

OPET_READER = str(Path(sys.executable).with_name("opet-reader"))
SELECT_OPET = "00A4040009F04F5045544B41525400"


def read_json(*args: str) -> dict:
    result = subprocess.run([OPET_READER, "read", "--json", "--reader", "00 00", "--timeout", "5", *args],
                            capture_output=True, text=True, timeout=20, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert NUMBER not in result.stdout + result.stderr
    return json.loads(result.stdout)


def kiosk_config(tmp_path: Path, reader_lines: str = "") -> Path:
    path = tmp_path / "kiosk.toml"
    path.write_text(f'[reader]\nname_filter = "Virtual PCD 00 00"\n{reader_lines}', encoding="utf-8")
    return path


def test_opet_reader_reads_the_current_file_card_with_no_configuration(virtual_card):
    with virtual_card(number_applet(NUMBER)) as card:
        record = read_json()
    assert (record["profile"], record["addressing"], record["number"]) == ("iso7816", "current", "•••• •••• •••• 6566")
    assert record["atr"] == FILE_CARD_ATR.hex().upper()
    assert [c.hex().upper() for c in card.card_app.commands][:3] == [SELECT_OPET, "00B0810000", "00B0000000"]


def test_opet_reader_reads_it_with_the_kiosks_configuration_line(virtual_card, tmp_path):
    config = kiosk_config(tmp_path, '[reader.iso7816]\naddressing = ["current"]\n')
    with virtual_card(number_applet(NUMBER)) as card:
        record = read_json("--config", str(config))
    assert (record["profile"], record["addressing"], record["number"]) == ("iso7816", "current", "•••• •••• •••• 6566")
    assert [c.hex().upper() for c in card.card_app.commands] == [SELECT_OPET, "00B0000000"]  # no refused read


def test_opet_reader_with_sfi_only_fails_as_the_issue_describes(virtual_card, tmp_path):
    config = kiosk_config(tmp_path, '[reader.iso7816]\naddressing = ["sfi"]\n')
    with virtual_card(number_applet(NUMBER)):
        result = subprocess.run([OPET_READER, "read", "--json", "--config", str(config), "--timeout", "5"],
                                capture_output=True, text=True, timeout=20, check=False)
    assert result.returncode == 1
    assert json.loads(result.stdout)["message"] == "READ BINARY: 6A81 FUNCTION_NOT_SUPPORTED"


@pytest.mark.parametrize("reader_lines", ["", '[reader.iso7816]\naddressing = ["current"]\n'], ids=["no-configuration", "configured"])
def test_the_kiosks_watcher_reads_it_and_the_fallback_costs_one_round_trip_once(watch, virtual_card, tmp_path, reader_lines):
    reader = load_config(kiosk_config(tmp_path, reader_lines), environ={}).reader
    listener = watch(reader.card_profiles(), reader.name_filter, tap_feedback=reader.feedback_command()).listener
    taps = []
    for _ in range(2):
        with virtual_card(number_applet(NUMBER)) as card:
            read = listener.wait_for("card_read")
        listener.wait_for("card_removed")
        taps.append([c.hex().upper() for c in card.card_app.commands])
        assert (read.number.digits, read.profile, read.addressing) == (NUMBER, "iso7816", "current")
    if reader_lines:
        assert taps == [[SELECT_OPET, "00B0000000"]] * 2
    else:  # first tap of this card type: one refused READ BINARY by SFI; then remembered
        assert taps == [[SELECT_OPET, "00B0810000", "00B0000000"], [SELECT_OPET, "00B0000000"]]


def test_the_loyalty_card_still_reads_by_sfi_after_the_other_card_type(watch, virtual_card):
    listener = watch().listener
    for card in (number_applet(NUMBER), IsoLoyaltyCard(OTHER_NUMBER)):
        with virtual_card(card):
            read = listener.wait_for("card_read")
        listener.wait_for("card_removed")
    assert (read.number.digits, read.addressing) == (OTHER_NUMBER, "sfi")


# --- tap feedback ------------------------------------------------------------------------

def test_an_acs_reader_beeps_after_the_read_when_configured(watch, virtual_card, tmp_path):
    reader = load_config(kiosk_config(tmp_path, 'tap_feedback = "acr122u"\n'), environ={}).reader
    listener = watch(reader.card_profiles(), reader.name_filter, tap_feedback=reader.feedback_command()).listener
    acs = AcsFeedbackReader(IsoLoyaltyCard(NUMBER))
    with virtual_card(acs):
        read = listener.wait_for("card_read")
        assert acs.given.wait(3), "no feedback command reached the reader"
    listener.wait_for("card_removed")
    assert read.number.digits == NUMBER
    assert acs.feedback == [TAP_FEEDBACK["acr122u"]]
    assert listener.kinds().count("reader_problem") == 0


def test_no_feedback_command_is_sent_by_default(watch, virtual_card):
    listener = watch().listener
    acs = AcsFeedbackReader(IsoLoyaltyCard(NUMBER))
    with virtual_card(acs):
        listener.wait_for("card_read")
    listener.wait_for("card_removed")
    assert acs.feedback == []


def test_a_reader_that_refuses_the_feedback_still_reads_every_tap(watch, virtual_card):
    listener = watch(tap_feedback=TAP_FEEDBACK["acr1252u"]).listener
    for number in (NUMBER, OTHER_NUMBER):
        with virtual_card(IsoLoyaltyCard(number)):  # answers 6E00 to class FF
            read = listener.wait_for("card_read")
        listener.wait_for("card_removed")
        assert read.number.digits == number
    assert "reader_problem" not in listener.kinds()


def test_a_card_pulled_at_the_feedback_keeps_its_read(watch, virtual_card, pcscd):
    listener = watch(tap_feedback=TAP_FEEDBACK["acr122u"]).listener
    pulled_at_feedback = FaultyCard(IsoLoyaltyCard(NUMBER), PullCard(), at_command=2)  # SELECT, READ, then feedback
    with virtual_card(pulled_at_feedback):
        read = listener.wait_for("card_read")
        listener.wait_for("card_removed")
    assert read.number.digits == NUMBER
    assert "reader_problem" not in listener.kinds()
    with virtual_card(IsoLoyaltyCard(OTHER_NUMBER)):
        assert listener.wait_for("card_read").number.digits == OTHER_NUMBER


def test_the_emulator_cli_taps_the_current_file_card_on_an_acs_reader(pcscd, tmp_path):
    config = kiosk_config(tmp_path, 'tap_feedback = "acr122u"\n')
    tap = subprocess.Popen(
        [sys.executable, "-m", "hardware.emulator", "tap", "--kind", "applet", "--acs-feedback", "--number", NUMBER, "--hold", "1.5",
         "--port", str(pcscd.ports[0])],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        record = read_json("--config", str(config))
    finally:
        out, err = tap.communicate(timeout=10)
    assert tap.returncode == 0, err
    assert (record["addressing"], record["number"]) == ("current", "•••• •••• •••• 6566")
    assert "applet card •••• •••• •••• 6566" in out and NUMBER not in out
    pcscd.wait_reader("Virtual PCD 00 00", present=False)
