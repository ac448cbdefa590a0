"""``opet-reader probe`` through the real pcscd + vpcd, on cards of several layouts it is not
told about; the ``[reader]`` block it prints, pasted into a kiosk configuration, reads the card."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from hardware.card_number import CardNumber
from hardware.card_uid import CardUid
from hardware.emulator import Application, ContactlessUidCard, ElementaryFile, FileSystemCard, IsoLoyaltyCard, MifareClassicCard, ef_dir, number_applet
from hardware.profiles.encoding import NumberEncoding
from hardware.profiles.mifare import KeyType
from kiosk.config import load_config
from tests.hardware.conftest import NUMBER

pytestmark = pytest.mark.pcsc

OPET_READER = str(Path(sys.executable).with_name("opet-reader"))
CARD_NUMBER = CardNumber.parse(NUMBER)
VENDOR_AID = bytes.fromhex("A0000009990102")  # in no list: found through the card's EF.DIR


def layouts() -> dict[str, tuple]:
    """Card name -> (card app, the place and encoding the probe should report)."""
    bcd = NumberEncoding.BCD.store_number(CARD_NUMBER)
    return {
        "sfi-ascii": (IsoLoyaltyCard(CARD_NUMBER), "AID F04F5045544B415254 / sfi 1 / binary", "ascii"),
        "current-file": (number_applet(NUMBER), "AID F04F5045544B415254 / current file / binary", "ascii"),
        "ef-dir-fid-record-bcd": (
            FileSystemCard(
                (Application(VENDOR_AID, (ElementaryFile(b"\x01\x02", records=(b"\x01\x02\x03", bcd + b"\xff\xff")),)),),
                master_files=(ef_dir(VENDOR_AID),),
                read_by_sfi=False,
            ),
            "AID A0000009990102 / fid 0102 / record 2",
            "bcd",
        ),
        "sfi-bcd-chained": (
            IsoLoyaltyCard(CARD_NUMBER, encoding=NumberEncoding.BCD, chained=True),
            "AID F04F5045544B415254 / sfi 1 / binary",
            "bcd",
        ),
        "mifare-sector3-keyB": (
            MifareClassicCard.with_number(CARD_NUMBER, sector=3, block=2, key=bytes.fromhex("A0A1A2A3A4A5"), key_type=KeyType.B),
            "MIFARE sector 3 / block 2",
            "bcd",
        ),
        "mifare-keys-by-type": (identiv_style_mifare(), "MIFARE sector 1 / block 0", "bcd"),
    }


def identiv_style_mifare() -> MifareClassicCard:
    """A MIFARE Classic behind a reader that loads keys under their type (uTrust's manual)."""
    card = MifareClassicCard.with_number(CARD_NUMBER)
    card.keys_by_type = True
    return card


def probe(*args: str) -> subprocess.CompletedProcess[str]:
    result = subprocess.run([OPET_READER, "probe", "--reader", "00 00", "--timeout", "5", *args],
                            capture_output=True, text=True, timeout=60, check=False)
    assert NUMBER not in result.stdout + result.stderr
    assert "0012806566" not in result.stdout + result.stderr
    return result


@pytest.mark.parametrize("name", list(layouts()))
def test_probe_finds_the_number_and_its_block_reads_the_card_in_the_kiosk(name, virtual_card, watch, tmp_path):
    card, place, encoding = layouts()[name]
    with virtual_card(card):
        result = probe("--json")
    assert result.returncode == 0, result.stdout + result.stderr
    report = json.loads(result.stdout)
    assert report["number"]["number"] == "•••• •••• •••• 6566"
    assert (report["number"]["place"], report["number"]["encoding"]) == (place, encoding)
    assert report["verified"] is True, report["verify_message"]

    config = tmp_path / "kiosk.toml"
    config.write_text(report["reader_block"], encoding="utf-8")  # pasted as printed
    reader = load_config(config, environ={}).reader
    listener = watch(reader.card_profiles(), "Virtual PCD 00 00").listener
    with virtual_card(layouts()[name][0]):
        read = listener.wait_for("card_read")
    assert read.number.digits == NUMBER
    assert read.profile == reader.profiles[0]


def test_probe_text_decodes_the_atr_and_prints_the_block(virtual_card):
    with virtual_card(number_applet(NUMBER)):
        result = probe()
    assert result.returncode == 0, result.stderr
    text = result.stdout
    assert "Reader: Virtual PCD 00 00" in text
    assert "protocols: T=0, T=1" in text
    assert 'historical bytes: 46494C4543415244 ("FILECARD")' in text
    assert "AID F04F5045544B415254: READ BINARY by SFI answered 6A81: no SFI addressing" in text
    assert "Number: •••• •••• •••• 6566 at AID F04F5045544B415254 / current file / binary, ascii" in text
    assert "[reader] block (verified: read back by iso7816 (current)" in text
    assert text.split("paste into the kiosk's configuration:\n\n")[1].startswith(
        '[reader]\nprofiles = ["iso7816"]\n\n[reader.iso7816]\naid = "F04F5045544B415254"\naddressing = ["current"]\n'
    )


def test_a_card_with_only_a_uid_gets_the_uid_profile(virtual_card):
    with virtual_card(ContactlessUidCard(CardUid(bytes.fromhex("04A1B2C3D4E5F6")))):
        result = probe("--json")
    report = json.loads(result.stdout)
    assert result.returncode == 0
    assert (report["uid"], report["number"], report["reader_block"]) == ("UID …E5F6", None, '[reader]\nprofiles = ["uid"]\n')
    assert report["atr"]["interface"].startswith("contactless")
    assert "04A1B2C3D4E5F6" not in result.stdout


def test_probe_times_out_without_a_card(pcscd):
    result = subprocess.run([OPET_READER, "probe", "--json", "--reader", "00 01", "--timeout", "0.5"],
                            capture_output=True, text=True, timeout=20, check=False)
    assert result.returncode == 3
    assert json.loads(result.stdout)["error"] == "timeout"
