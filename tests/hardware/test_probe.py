"""The probe's parts against emulated card apps directly (no PC/SC): number scanning, ATR
decoding, the card-family list, blanking numbers in dumps."""
from __future__ import annotations

from pathlib import Path

from hardware.atr_info import describe_atr, known_families
from hardware.card_number import CardNumber
from hardware.emulator.cards import CONTACTLESS_ATR, MIFARE_CLASSIC_1K_ATR
from hardware.emulator.file_card import FILE_CARD_ATR
from hardware.number_scan import find_numbers, redacted_hex
from hardware.profiles.encoding import NumberEncoding
from hardware.probe import probe
from hardware.emulator import Application, ElementaryFile, FileSystemCard
from tests.hardware.conftest import NUMBER

CARD_NUMBER = CardNumber.parse(NUMBER)
BCD = bytes.fromhex(NUMBER)


def test_numbers_are_found_in_ascii_and_bcd_and_exact_only_when_alone():
    [ascii_alone] = find_numbers(NUMBER.encode() + b"\x00\x00")
    assert (ascii_alone.number, ascii_alone.encoding, ascii_alone.offset, ascii_alone.exact) == (CARD_NUMBER, NumberEncoding.ASCII, 0, True)
    [inside] = find_numbers(b"\x5a\x10" + BCD + b"\x01")
    assert (inside.encoding, inside.offset, inside.exact) == (NumberEncoding.BCD, 2, False)


def test_what_is_not_a_number_is_not_found():
    assert find_numbers(bytes(16)) == []  # sixteen zeros pass Luhn: an empty block
    assert find_numbers(b"1" + NUMBER.encode()) == []  # 17 digits
    assert find_numbers(NUMBER[:-1].encode() + b"7") == []  # wrong check digit


def test_dumps_blank_the_number():
    dump = redacted_hex(b"\x6f\x12" + BCD)
    assert dump == "6F12" + "**" * 8
    assert "0012806566" not in redacted_hex(NUMBER.encode())


def test_atr_decoding():
    info = describe_atr(MIFARE_CLASSIC_1K_ATR, Path("/nonexistent/smartcard_list.txt"))
    assert info.storage_card == "MIFARE Classic 1K"
    assert info.interface.startswith("contactless")
    assert info.families == () and "install pcsc-tools" in info.family_source
    contact = describe_atr(bytes.fromhex("3B021401"))  # no TD1: T=0 only, 2 historical bytes
    assert (contact.protocols, contact.historical, contact.interface.startswith("contact ")) == (("T=0",), b"\x14\x01", True)
    assert describe_atr(FILE_CARD_ATR).historical_text == "FILECARD"


def test_card_families_come_from_the_list_by_pattern(tmp_path):
    listing = tmp_path / "smartcard_list.txt"
    listing.write_text(
        "# comment\n3B 80 80 01 01\n\tISO 14443 Type B without historical bytes\n\thttp://example\n"
        "3B 8F 80 01 80 4F 0C A0 00 00 03 06 03 .. .. 00 00 00 00 ..\n\tSome storage card\n",
        encoding="utf-8",
    )
    assert known_families(CONTACTLESS_ATR, listing) == (("ISO 14443 Type B without historical bytes",), str(listing))
    assert known_families(MIFARE_CLASSIC_1K_ATR, listing)[0] == ("Some storage card",)
    assert known_families(FILE_CARD_ATR, listing)[0] == ()


def test_a_number_inside_a_longer_file_is_reported_without_a_block():
    record = b"\x70\x12\x5a\x08" + BCD + b"\x5f\x24\x03\x29\x12\x31"  # a TLV record, number inside
    card = FileSystemCard((Application(bytes.fromhex("F04F5045544B415254"), (ElementaryFile(b"\x00\x01", sfi=1, records=(record,)),)),))
    report = probe(card)
    assert report.best_number is not None and report.best_number.offset == 4
    assert report.reader_block is None and not report.verified
    assert "byte 4 of a 18-byte file" in report.verify_message
