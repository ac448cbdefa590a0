"""Taps through the real pcscd + vpcd + emulator: read, remove, and bad answers."""
from __future__ import annotations

import logging

import pytest

from hardware.card_number import CardNumber
from hardware.emulator import FaultyCard, IsoLoyaltyCard, PullCard, RawAnswer, WrongStatus
from hardware.emulator.cards import ISO_CARD_ATR
from hardware.watcher import ProblemKind
from tests.hardware.conftest import NUMBER, OTHER_NUMBER

pytestmark = pytest.mark.pcsc


def test_tap_reads_the_number_and_removal_is_reported(watch, virtual_card, pcscd):
    watching = watch()
    listener = watching.listener
    assert listener.wait_for("readers_changed") == list(pcscd.readers)
    with virtual_card(NUMBER):
        assert listener.wait_for("card_presented") == "Virtual PCD 00 00"
        read = listener.wait_for("card_read")
    assert listener.wait_for("card_removed") == "Virtual PCD 00 00"

    assert read.number.digits == NUMBER
    assert read.uid is None
    assert (read.reader, read.profile, read.atr) == ("Virtual PCD 00 00", "iso7816", ISO_CARD_ATR)
    assert read.read_seconds > 0  # measured; how fast is for bench/, not a test
    assert str(read.number) == "•••• •••• •••• 6566"
    assert NUMBER not in repr(read) and NUMBER not in str(read)
    assert listener.kinds() == ["readers_changed", "card_presented", "card_read", "card_removed"]


def test_second_reader_reads_too(watch, virtual_card, pcscd):
    listener = watch().listener
    with virtual_card(OTHER_NUMBER, port=pcscd.ports[1]):
        read = listener.wait_for("card_read")
    assert (read.reader, read.number.last4) == ("Virtual PCD 00 01", "7895")
    assert listener.wait_for("card_removed") == "Virtual PCD 00 01"


@pytest.mark.parametrize(
    ("fault", "at_command", "kind", "message"),
    [
        (WrongStatus(0x6982), 1, ProblemKind.READ_FAILED, "READ BINARY: 6982 SECURITY_STATUS_NOT_SATISFIED"),
        (WrongStatus(0x6F00), 0, ProblemKind.READ_FAILED, "SELECT: 6F00 NO_PRECISE_DIAGNOSIS"),
        (WrongStatus(0x6A82), 0, ProblemKind.UNSUPPORTED_CARD, "no profile reads this card"),
        (RawAnswer(b"\x90"), 0, ProblemKind.READ_FAILED, "answer of 1 byte(s) has no status word"),
        (RawAnswer(b"\x90"), 1, ProblemKind.READ_FAILED, "answer of 1 byte(s) has no status word"),
        (RawAnswer(b"\xde\xad\xbe\xef\x90\x00"), 1, ProblemKind.READ_FAILED, "other bytes than ASCII digits"),
        (RawAnswer(b"7000070012806567\x90\x00"), 1, ProblemKind.READ_FAILED, "fails its check digit"),
    ],
    ids=["read-6982", "select-6F00", "select-6A82", "select-short", "read-short", "read-garbage", "read-bad-luhn"],
)
def test_bad_answer_is_a_named_problem_and_the_next_tap_reads(watch, virtual_card, fault, at_command, kind, message):
    listener = watch().listener
    with virtual_card(FaultyCard(IsoLoyaltyCard(CardNumber.parse(NUMBER)), fault, at_command)):
        problem = listener.wait_for("reader_problem")
    listener.wait_for("card_removed")
    assert (problem.kind, problem.reader) == (kind, "Virtual PCD 00 00")
    assert message in problem.message
    assert NUMBER not in problem.message

    with virtual_card(NUMBER):
        assert listener.wait_for("card_read").number.digits == NUMBER


def test_card_pulled_mid_read_is_card_removed_and_the_next_tap_reads(watch, virtual_card):
    listener = watch().listener
    with virtual_card(FaultyCard(IsoLoyaltyCard(CardNumber.parse(NUMBER)), PullCard(), at_command=1)) as card:
        problem = listener.wait_for("reader_problem")
        assert card.left.is_set()
    assert (problem.kind, problem.reader) == (ProblemKind.CARD_REMOVED, "Virtual PCD 00 00")
    assert listener.wait_for("card_removed") == "Virtual PCD 00 00"

    with virtual_card(NUMBER):
        assert listener.wait_for("card_read").number.digits == NUMBER


def test_logs_never_hold_the_full_number(watch, virtual_card, caplog):
    caplog.set_level(logging.DEBUG)
    listener = watch().listener
    with virtual_card(NUMBER):
        listener.wait_for("card_read")
    listener.wait_for("card_removed")
    assert "6566" in caplog.text
    assert NUMBER not in caplog.text
