"""Every card profile through pcscd + vpcd, with the profiles tried in a configured order."""
from __future__ import annotations

import pytest

from hardware.card_number import CardNumber
from hardware.card_uid import CardUid
from hardware.emulator import ContactlessUidCard, IsoLoyaltyCard, MifareClassicCard
from hardware.profiles.config import build_profiles
from hardware.profiles.encoding import NumberEncoding
from hardware.profiles.mifare import KeyType
from hardware.watcher import ProblemKind
from tests.hardware.conftest import NUMBER

pytestmark = pytest.mark.pcsc

CARD_NUMBER = CardNumber.parse(NUMBER)
UID = CardUid(bytes.fromhex("04A1B2C3D4E5F6"))
KEY = "A0A1A2A3A4A5"
OPTIONS = {
    "iso7816": {"encoding": "bcd", "file_access": "record"},
    "mifare_classic": {"sector": 3, "block": 2, "keys": [{"key": "FFFFFFFFFFFF"}, {"key": KEY, "type": "B"}]},
}
ORDER = ["iso7816", "mifare_classic", "uid"]


@pytest.mark.parametrize(
    ("card", "profile", "identity"),
    [
        (IsoLoyaltyCard(CARD_NUMBER, encoding=NumberEncoding.BCD, chained=True), "iso7816", CARD_NUMBER),
        (IsoLoyaltyCard(CARD_NUMBER, encoding=NumberEncoding.BCD, exact_le=True), "iso7816", CARD_NUMBER),
        (MifareClassicCard.with_number(CARD_NUMBER, sector=3, block=2, key=bytes.fromhex(KEY), key_type=KeyType.B), "mifare_classic", CARD_NUMBER),
        (ContactlessUidCard(UID), "uid", UID),
    ],
    ids=["iso-61xx", "iso-6Cxx", "mifare-key-b", "uid"],
)
def test_each_profile_reads_through_pcscd(watch, virtual_card, card, profile, identity):
    listener = watch(build_profiles(ORDER, OPTIONS)).listener
    with virtual_card(card):
        read = listener.wait_for("card_read")
    assert (read.profile, read.identity, read.atr) == (profile, identity, card.atr)
    assert (read.uid is None) == (profile != "uid")


def test_a_card_no_configured_profile_reads_is_unsupported(watch, virtual_card):
    listener = watch(build_profiles(["iso7816", "mifare_classic"])).listener
    with virtual_card(ContactlessUidCard(UID)):
        problem = listener.wait_for("reader_problem")
    assert problem.kind is ProblemKind.UNSUPPORTED_CARD
    assert "tried iso7816, mifare_classic" in problem.message
