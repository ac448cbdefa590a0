"""Profiles against the emulator's card apps directly (no PC/SC): the APDU dialogues."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from hardware.apdu import CommandApdu, InvalidCardData, MalformedResponse, ResponseApdu, StatusWordError, status_name
from hardware.card_number import CardNumber
from hardware.card_uid import CardUid
from hardware.emulator import ContactlessUidCard, FaultyCard, IsoLoyaltyCard, MifareClassicCard, RawAnswer, WrongStatus
from hardware.profiles import ProfileMismatch
from hardware.profiles.encoding import NumberEncoding
from hardware.profiles.iso7816 import Addressing, FileAccess, Iso7816Profile
from hardware.profiles.mifare import KeyType, MifareClassicProfile, MifareKey
from hardware.profiles.uid import UidProfile
from hardware.profiles.config import ADDRESSINGS, ENCODINGS, FILE_ACCESSES, KEY_TYPES, ProfileConfigError, build_profiles, check_profiles
from hardware.reading import UnsupportedCard, read_identity
from tests.hardware.conftest import NUMBER

CARD_NUMBER = CardNumber.parse(NUMBER)


class RecordingCard:
    """Passes commands to a card app and keeps them, to check the dialogue itself."""

    def __init__(self, card) -> None:
        self.card = card
        self.atr = card.atr
        self.commands: list[bytes] = []

    def transmit(self, command: bytes) -> bytes:
        self.commands.append(command)
        return self.card.transmit(command)


def test_command_apdu_encodes_and_parses_every_case():
    select = CommandApdu(0x00, 0xA4, 0x04, 0x00, bytes.fromhex("F04F5045544B415254"), le=256)
    assert select.to_bytes().hex().upper() == "00A4040009F04F5045544B41525400"
    assert CommandApdu.parse(select.to_bytes()) == CommandApdu(0x00, 0xA4, 0x04, 0x00, select.data, 256)
    assert CommandApdu.parse(bytes.fromhex("00B0810010")).le == 16
    assert CommandApdu.parse(bytes.fromhex("FF82000006FFFFFFFFFFFF")).data == b"\xff" * 6
    with pytest.raises(ValueError):
        CommandApdu.parse(bytes.fromhex("00A40400050102"))


def test_response_apdu_needs_a_status_word():
    assert ResponseApdu.parse(b"\x01\x02\x90\x00") == ResponseApdu(b"\x01\x02", 0x9000)
    with pytest.raises(MalformedResponse) as caught:
        ResponseApdu.parse(b"")
    assert caught.value.empty


@pytest.mark.parametrize(
    ("sw", "name"),
    [(0x6A82, "FILE_NOT_FOUND"), (0x6110, "BYTES_REMAINING"), (0x6C08, "WRONG_LE"), (0x63C2, "VERIFY_FAILED_RETRIES_LEFT"), (0x6999, "UNKNOWN_STATUS")],
)
def test_status_words_have_names(sw, name):
    assert status_name(sw) == name


@pytest.mark.parametrize("encoding", list(NumberEncoding))
@pytest.mark.parametrize("access", list(FileAccess))
def test_iso_profile_reads_each_file_access_and_encoding(encoding, access):
    card = RecordingCard(IsoLoyaltyCard(CARD_NUMBER, encoding=encoding))
    assert Iso7816Profile(access=access, encoding=encoding).read(card) == CARD_NUMBER
    assert [c[1] for c in card.commands] == [0xA4, 0xB0 if access is FileAccess.BINARY else 0xB2]


def test_iso_profile_follows_61xx_with_get_response():
    card = RecordingCard(IsoLoyaltyCard(CARD_NUMBER, chained=True))
    assert Iso7816Profile().read(card) == CARD_NUMBER
    assert [c[1] for c in card.commands] == [0xA4, 0xC0, 0xB0, 0xC0]
    assert card.commands[-1].hex().upper() == "00C0000010"


def test_iso_profile_reissues_with_the_le_a_6cxx_names():
    card = RecordingCard(IsoLoyaltyCard(CARD_NUMBER, exact_le=True, encoding=NumberEncoding.BCD))
    assert Iso7816Profile(encoding=NumberEncoding.BCD).read(card) == CARD_NUMBER
    assert [c.hex().upper() for c in card.commands[2:]] == ["00B0810000", "00B0810008"]


def test_iso_profile_does_not_fit_a_card_without_the_application():
    with pytest.raises(ProfileMismatch):
        Iso7816Profile(aid=bytes.fromhex("A000000003")).read(IsoLoyaltyCard(CARD_NUMBER))
    with pytest.raises(ProfileMismatch):
        Iso7816Profile().read(ContactlessUidCard(CardUid(bytes(4))))


@pytest.mark.parametrize(
    ("fault", "at", "error", "text"),
    [
        (WrongStatus(0x6982), 1, StatusWordError, "READ BINARY: 6982 SECURITY_STATUS_NOT_SATISFIED"),
        (WrongStatus(0x6581), 0, StatusWordError, "SELECT: 6581 MEMORY_FAILURE"),
        (RawAnswer(b"\x61"), 1, MalformedResponse, "no status word"),
        (RawAnswer(b"1234\x90\x00"), 1, InvalidCardData, "holds 4 digits, not 16"),
        (RawAnswer(bytes.fromhex("70000700128065AA9000")), 1, InvalidCardData, "other bytes than ASCII digits"),
    ],
)
def test_iso_profile_names_each_bad_answer(fault, at, error, text):
    with pytest.raises(error) as caught:
        Iso7816Profile().read(FaultyCard(IsoLoyaltyCard(CARD_NUMBER), fault, at))
    assert text in str(caught.value)
    assert NUMBER not in str(caught.value)


def test_bcd_number_with_a_bad_nibble_is_invalid_data():
    with pytest.raises(InvalidCardData, match="not packed BCD"):
        NumberEncoding.BCD.read_number(bytes.fromhex("70000700128065A6"))


def test_uid_profile_reads_the_uid_and_masks_it():
    uid = CardUid(bytes.fromhex("04A1B2C3D4E5F6"))
    assert UidProfile().read(ContactlessUidCard(uid)) == uid
    assert str(uid) == "UID …E5F6" and "04A1B2" not in repr(uid)
    with pytest.raises(ProfileMismatch):
        UidProfile().read(IsoLoyaltyCard(CARD_NUMBER))
    with pytest.raises(InvalidCardData):
        UidProfile().read(FaultyCard(ContactlessUidCard(uid), RawAnswer(b"\x01\x02\x90\x00")))


def test_mifare_profile_tries_the_configured_keys_in_order():
    key = bytes.fromhex("A0A1A2A3A4A5")
    card = RecordingCard(MifareClassicCard.with_number(CARD_NUMBER, sector=2, block=1, key=key))
    profile = MifareClassicProfile(sector=2, block=1, keys=(MifareKey(bytes(6)), MifareKey(key)))
    assert profile.read(card) == CARD_NUMBER
    assert [c[:2].hex().upper() for c in card.commands] == ["FF82", "FF86", "FF82", "FF86", "FFB0"]
    assert card.commands[-1].hex().upper() == "FFB0000910"
    assert "A0A1" not in repr(profile)


def test_mifare_profile_with_no_working_key_fails_authentication():
    card = MifareClassicCard.with_number(CARD_NUMBER, key=bytes.fromhex("A0A1A2A3A4A5"))
    with pytest.raises(StatusWordError, match="AUTHENTICATE: 6300 AUTHENTICATION_FAILED"):
        MifareClassicProfile().read(card)


def test_mifare_profile_key_b_and_ascii_block():
    key = bytes.fromhex("B0B1B2B3B4B5")
    card = MifareClassicCard.with_number(CARD_NUMBER, key=key, key_type=KeyType.B, encoding=NumberEncoding.ASCII)
    profile = MifareClassicProfile(keys=(MifareKey(key, KeyType.B),), encoding=NumberEncoding.ASCII)
    assert profile.read(card) == CARD_NUMBER


def test_mifare_profile_does_not_fit_other_atrs():
    with pytest.raises(ProfileMismatch):
        MifareClassicProfile().read(IsoLoyaltyCard(CARD_NUMBER))


def test_profiles_are_tried_in_order_until_one_fits():
    profiles = (Iso7816Profile(), MifareClassicProfile(), UidProfile())
    mifare = MifareClassicCard.with_number(CARD_NUMBER)
    assert read_identity(mifare, profiles) == (CARD_NUMBER, "mifare_classic", "sector 1 block 0")
    uid = CardUid(bytes.fromhex("04A1B2C3D4E5F6"))
    assert read_identity(ContactlessUidCard(uid), profiles) == (uid, "uid", "FF CA")
    assert read_identity(IsoLoyaltyCard(CARD_NUMBER), profiles) == (CARD_NUMBER, "iso7816", "sfi")
    with pytest.raises(UnsupportedCard, match="tried iso7816, mifare_classic"):
        read_identity(ContactlessUidCard(uid), profiles[:2])


def test_profiles_are_built_from_configuration_in_order():
    profiles = build_profiles(
        ["uid", "iso7816", "mifare_classic"],
        {"iso7816": {"encoding": "bcd", "file_access": "record", "record": 2}, "mifare_classic": {"sector": 2, "keys": [{"key": "A0A1A2A3A4A5", "type": "B"}]}},
    )
    assert [p.name for p in profiles] == ["uid", "iso7816", "mifare_classic"]
    assert (profiles[1].encoding, profiles[1].access, profiles[1].record) == (NumberEncoding.BCD, FileAccess.RECORD, 2)
    assert profiles[2].keys == (MifareKey(bytes.fromhex("A0A1A2A3A4A5"), KeyType.B),)


@pytest.mark.parametrize(
    ("order", "options", "message"),
    [
        ([], {}, "at least one"),
        (["iso7816", "iso7816"], {}, "listed twice"),
        (["magstripe"], {}, "unknown card profile 'magstripe'"),
        (["iso7816"], {"iso7816": {"encoding": "ebcdic"}}, "iso7816.encoding must be one of ascii, bcd"),
        (["mifare_classic"], {"mifare_classic": {"keys": [{"key": "A0A1A2"}]}}, "keys[0] is not 6 bytes"),
        (["mifare_classic"], {"mifare_classic": {"sector": 1, "block": 3}}, "data blocks of a small sector are 0-2"),
        (["iso7816"], {"iso7816": {"addressing": "current"}}, "iso7816.addressing must be a list of sfi, fid, current"),
        (["iso7816"], {"iso7816": {"addressing": []}}, "iso7816.addressing must be a list"),
        (["iso7816"], {"iso7816": {"addressing": ["path"]}}, "iso7816.addressing must be one of sfi, fid, current"),
        (["iso7816"], {"iso7816": {"addressing": ["sfi", "sfi"]}}, "lists a way twice"),
        (["iso7816"], {"iso7816": {"addressing": ["fid"]}}, "\"fid\" needs iso7816.fid"),
        (["iso7816"], {"iso7816": {"fid": "3F00"}}, "iso7816.fid must be 4 hex digits"),
        (["iso7816"], {"iso7816": {"fid": "2F0"}}, "iso7816.fid is not hex"),
    ],
)
@pytest.mark.parametrize("check", [check_profiles, build_profiles])
def test_bad_profile_configuration_is_named(check, order, options, message):
    with pytest.raises(ProfileConfigError) as caught:
        check(order, options)
    assert message in str(caught.value)
    assert "A0A1A2" not in str(caught.value)


def test_the_configuration_spells_options_as_the_profiles_do():
    assert FILE_ACCESSES == tuple(access.value for access in FileAccess)
    assert ADDRESSINGS == tuple(way.value for way in Addressing)
    assert ENCODINGS == tuple(encoding.value for encoding in NumberEncoding)
    assert KEY_TYPES == tuple(key_type.value for key_type in KeyType)


def test_checking_a_configuration_imports_no_profile():
    # A process of its own: this one has imported every profile already.
    code = (
        "import sys\n"
        "from hardware.profiles.config import check_profiles\n"
        "check_profiles(['iso7816', 'mifare_classic', 'uid'], {'iso7816': {'encoding': 'bcd'},"
        " 'mifare_classic': {'sector': 33, 'block': 14, 'keys': [{'key': 'A0A1A2A3A4A5', 'type': 'B'}]}})\n"
        "print(' '.join(sorted(name for name in sys.modules if name.startswith('hardware'))))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                            cwd=Path(__file__).resolve().parents[2])
    assert result.stdout.split() == ["hardware", "hardware.profiles", "hardware.profiles.config", "hardware.profiles.mifare_layout"]


def test_mifare_key_numbering_is_configuration_for_readers_that_number_keys_by_type():
    card = MifareClassicCard.with_number(CARD_NUMBER, key=bytes.fromhex("A0A1A2A3A4A5"), key_type=KeyType.B)
    card.keys_by_type = True
    with pytest.raises(StatusWordError) as caught:
        MifareClassicProfile(keys=(MifareKey(bytes.fromhex("A0A1A2A3A4A5"), KeyType.B),)).read(card)
    assert (caught.value.command, caught.value.sw) == ("LOAD KEY", 0x6986)  # slot 0: refused
    (profile,) = build_profiles(
        ["mifare_classic"],
        {"mifare_classic": {"keys": [{"key": "A0A1A2A3A4A5", "type": "B"}], "key_slot": "by_type", "auth_key_number": 1}},
    )
    recording = RecordingCard(card)
    assert profile.read(recording) == CARD_NUMBER
    assert recording.commands[:2] == [bytes.fromhex("FF82006106A0A1A2A3A4A5"), bytes.fromhex("FF860000050100046101")]


@pytest.mark.parametrize("slot", [-1, 256, "volatile", True])
def test_a_wrong_key_slot_is_named(slot):
    with pytest.raises(ProfileConfigError, match="mifare_classic.key_slot"):
        check_profiles(["mifare_classic"], {"mifare_classic": {"key_slot": slot}})
