"""The ISO 7816 profile's file addressings and their fallback, against emulated cards directly
(the dialogue APDU by APDU); through pcscd in test_addressing_pcsc.py."""
from __future__ import annotations

import pytest

from hardware.apdu import StatusWordError
from hardware.card_number import CardNumber
from hardware.emulator import Application, ElementaryFile, FileSystemCard, IsoLoyaltyCard, number_applet
from hardware.emulator.file_card import FILE_CARD_ATR
from hardware.profiles.config import build_profiles
from hardware.profiles.encoding import NumberEncoding
from hardware.profiles.iso7816 import OPET_AID, AddressingMemory, Addressing, FileAccess, Iso7816Profile
from tests.hardware.conftest import NUMBER

CARD_NUMBER = CardNumber.parse(NUMBER)
SELECT_OPET = "00A4040009F04F5045544B41525400"


def applet_card() -> FileSystemCard:
    """The independent card of issue 19: its number is the current file after SELECT, and it
    answers 6A81 to READ BINARY by short file identifier."""
    return number_applet(NUMBER)


def sent(card: FileSystemCard) -> list[str]:
    return [command.hex().upper() for command in card.commands]


def test_the_default_profile_falls_back_to_the_current_file_once_then_goes_straight_there():
    card, profile = applet_card(), Iso7816Profile()
    assert profile.read_located(card) == (CARD_NUMBER, "current")
    assert sent(card) == [SELECT_OPET, "00B0810000", "00B0000000"]  # one refused read, one extra round trip
    card.commands.clear()
    card.reset()
    assert profile.read_located(card) == (CARD_NUMBER, "current")
    assert sent(card) == [SELECT_OPET, "00B0000000"]  # remembered for this ATR


def test_the_card_the_profile_was_written_for_still_reads_by_sfi_first():
    assert Iso7816Profile().read_located(IsoLoyaltyCard(CARD_NUMBER)) == (CARD_NUMBER, "sfi")


def test_a_configured_addressing_alone_reads_without_any_refusal():
    card = applet_card()
    (profile,) = build_profiles(["iso7816"], {"iso7816": {"addressing": ["current"]}})
    assert profile.read_located(card) == (CARD_NUMBER, "current")
    assert sent(card) == [SELECT_OPET, "00B0000000"]


def test_sfi_alone_fails_with_the_cards_refusal():
    with pytest.raises(StatusWordError) as caught:
        Iso7816Profile(addressing=(Addressing.SFI,)).read(applet_card())
    assert caught.value.sw == 0x6A81
    assert NUMBER not in str(caught.value)


def test_fid_selects_the_ef_then_reads_its_record_in_bcd():
    records = (b"\x00" * 8, NumberEncoding.BCD.store_number(CARD_NUMBER))
    card = FileSystemCard((Application(OPET_AID, (ElementaryFile(b"\x01\x01", records=records),)),), read_by_sfi=False)
    (profile,) = build_profiles(
        ["iso7816"],
        {"iso7816": {"addressing": ["sfi", "current", "fid"], "fid": "0101", "file_access": "record", "record": 2, "encoding": "bcd"}},
    )
    assert profile.read_located(card) == (CARD_NUMBER, "fid")
    # READ RECORD by SFI: 6A81; READ RECORD of the current EF: 6986 (none); SELECT EF, READ RECORD
    assert sent(card) == [SELECT_OPET, "00B2020C00", "00B2020400", "00A4020C020101", "00B2020400"]


def test_a_status_outside_the_fallback_set_stops_the_read():
    card = applet_card()
    profile = Iso7816Profile(access=FileAccess.RECORD, addressing=(Addressing.CURRENT, Addressing.SFI))
    with pytest.raises(StatusWordError) as caught:
        profile.read(card)
    assert caught.value.sw == 0x6981
    assert sent(card) == [SELECT_OPET, "00B2010400"]


def test_the_memory_is_bounded_and_forgets_the_oldest_card_type():
    memory = AddressingMemory(size=2)
    configured = (Addressing.SFI, Addressing.CURRENT)
    memory.remember(b"A", Addressing.CURRENT)
    memory.remember(b"B", Addressing.CURRENT)
    memory.remember(b"A", Addressing.CURRENT)  # A used again: B is now the oldest
    memory.remember(b"C", Addressing.CURRENT)
    assert len(memory) == 2
    assert memory.order(b"B", configured) == [Addressing.SFI, Addressing.CURRENT]
    assert memory.order(b"A", configured) == memory.order(b"C", configured) == [Addressing.CURRENT, Addressing.SFI]
    assert memory.order(FILE_CARD_ATR, configured) == list(configured)


def test_a_remembered_way_no_longer_configured_is_ignored():
    memory = AddressingMemory()
    memory.remember(b"A", Addressing.FID)
    assert memory.order(b"A", (Addressing.SFI, Addressing.CURRENT)) == [Addressing.SFI, Addressing.CURRENT]
