"""Reader faults through the real pcscd: the watcher survives each, and the next tap reads."""
from __future__ import annotations

import os

import pytest

from hardware.card_number import CardNumber
from hardware.emulator import FaultyCard, IsoLoyaltyCard, SlowAnswer, VirtualCard
from hardware.watcher import ProblemKind
from tests.hardware.conftest import NUMBER, OTHER_NUMBER

pytestmark = pytest.mark.pcsc

READER_0, READER_1 = "Virtual PCD 00 00", "Virtual PCD 00 01"


def open_fds() -> int:
    return len(os.listdir("/proc/self/fd"))


def test_slow_answer_is_still_read(watch, virtual_card):
    listener = watch().listener
    with virtual_card(FaultyCard(IsoLoyaltyCard(CardNumber.parse(NUMBER)), SlowAnswer(0.3), at_command=1)):
        read = listener.wait_for("card_read")
    assert read.number.digits == NUMBER
    assert read.read_seconds > 0


def test_card_taken_away_while_it_is_slow_to_answer(watch, virtual_card):
    listener = watch().listener
    with virtual_card(FaultyCard(IsoLoyaltyCard(CardNumber.parse(NUMBER)), SlowAnswer(0.6), at_command=1)) as card:
        listener.wait_for("card_presented")
        card.remove()
        problem = listener.wait_for("reader_problem")
    assert (problem.kind, problem.reader) == (ProblemKind.CARD_REMOVED, READER_0)
    assert listener.wait_for("card_removed") == READER_0
    with virtual_card(NUMBER):
        assert listener.wait_for("card_read").number.digits == NUMBER


def test_two_cards_tapped_one_after_the_other_quickly(watch, pcscd):
    listener = watch().listener
    for number in (NUMBER, OTHER_NUMBER, NUMBER):
        with VirtualCard(IsoLoyaltyCard(CardNumber.parse(number)), port=pcscd.ports[0]):
            assert listener.wait_for("card_read").number.digits == number
        # straight on to the next card: remove() returns once vpcd has let the card go
        assert listener.wait_for("card_removed") == READER_0
    assert listener.kinds().count("card_read") == 3


def test_two_readers_at_once_the_first_tap_wins(watch, virtual_card, pcscd):
    listener = watch().listener
    with virtual_card(NUMBER):
        first = listener.wait_for("card_read")
        with virtual_card(OTHER_NUMBER, port=pcscd.ports[1]):
            pcscd.wait_reader(READER_1, present=True)
        pcscd.wait_reader(READER_1, present=False)
    assert first.reader == READER_0
    assert listener.wait_for("card_removed") == READER_0
    assert [kind for kind, _ in listener.drain()] == []
    assert listener.kinds() == ["readers_changed", "card_presented", "card_read", "card_removed"]

    with virtual_card(OTHER_NUMBER, port=pcscd.ports[1]):
        second = listener.wait_for("card_read")
    assert (second.reader, second.number.digits) == (READER_1, OTHER_NUMBER)


def test_two_readers_tapped_together_give_one_read(watch, pcscd):
    listener = watch().listener
    listener.wait_for("readers_changed")
    with VirtualCard(IsoLoyaltyCard(CardNumber.parse(NUMBER)), port=pcscd.ports[0]), VirtualCard(
        IsoLoyaltyCard(CardNumber.parse(OTHER_NUMBER)), port=pcscd.ports[1]
    ):
        pcscd.wait_reader(READER_0, present=True)
        pcscd.wait_reader(READER_1, present=True)
        read = listener.wait_for("card_read")
    removed = listener.wait_for("card_removed")
    assert removed == read.reader
    assert listener.kinds().count("card_presented") == 1


def test_no_reader_at_start_up_then_a_reader_is_plugged_in(restartable_pcscd, watch, virtual_card):
    restartable_pcscd.restart(with_readers=False)
    listener = watch().listener
    assert listener.wait_for("readers_changed") == []
    assert listener.wait_for("reader_problem").kind is ProblemKind.NO_READER

    restartable_pcscd.restart(with_readers=True)  # vpcd readers exist only from pcscd's start-up
    assert listener.wait_for("readers_changed") == list(restartable_pcscd.readers)
    with virtual_card(NUMBER):
        assert listener.wait_for("card_read").number.digits == NUMBER


def test_reader_unplugged_and_plugged_back(restartable_pcscd, watch, virtual_card):
    listener = watch().listener
    assert listener.wait_for("readers_changed") == list(restartable_pcscd.readers)
    restartable_pcscd.restart(with_readers=False)
    assert listener.wait_for("readers_changed") == []
    restartable_pcscd.restart(with_readers=True)
    assert listener.wait_for("readers_changed") == list(restartable_pcscd.readers)
    with virtual_card(NUMBER):
        assert listener.wait_for("card_read").number.digits == NUMBER


def test_pcscd_stopped_and_restarted_under_a_card(restartable_pcscd, watch, virtual_card):
    fds_before = open_fds()
    watching = watch()
    listener = watching.listener
    listener.wait_for("readers_changed")
    card = VirtualCard(IsoLoyaltyCard(CardNumber.parse(NUMBER)), port=restartable_pcscd.ports[0])
    card.insert()
    listener.wait_for("card_read")
    restartable_pcscd.stop()
    assert listener.wait_for("card_removed") == READER_0
    problem = listener.wait_for("reader_problem")
    assert problem.kind is ProblemKind.SERVICE_DOWN
    card.remove()

    restartable_pcscd.start()
    assert listener.wait_for("readers_changed") == list(restartable_pcscd.readers)
    with virtual_card(OTHER_NUMBER):
        assert listener.wait_for("card_read").number.digits == OTHER_NUMBER
    watching.watcher.stop()
    assert open_fds() == fds_before
