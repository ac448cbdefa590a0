"""The contract of attendant mode's core with the real service: the desk driven as the screens
drive it, with the real attendant client talking HTTP to the real central service. The desk's
rules on scripted answers are in test_attendant_desk_rules.py; here stay what only the service
can say (a lockout, masked details, pots moved once, a stored registration, a sign-out on its
audit log). Timers are advanced by hand; the 'UI thread' is a queue. One service for the module (its own database): each test that moves points makes its
own holder and cards (a registration, then sales from a till), so the tests do not depend on
each other's order."""
from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import count

import httpx
import pytest

from hardware.card_number import CardNumber
from kiosk.api_client import CentralClient
from kiosk.attendant_client import AttendantClient, HolderDetails
from kiosk.attendant_desk import DeskNotice, DeskStep
from kiosk.balance import CardStatus, Entry
from kiosk.holder_form import FormField
from kiosk.state import Screen
from kiosk.transport import FailureKind, ServiceTransport
from opetcard.numbers import luhn_valid
from tests.kiosk.desk_driver import CODE, PIN, DeskDriver
from tests.rigs.central import CentralService, running_central
from tests.rigs.network_path import NetworkPath

ENDER_CARD = CardNumber.parse("7000070012806566")  # demo data: active, 1.234,56 + 87,90, read only here (a driver's look-up)
_serial = count(1)


def fresh_number() -> CardNumber:
    """A Luhn-valid number that no other test uses."""
    body = f"70000738{next(_serial):07d}"
    return next(CardNumber(body + check) for check in "0123456789" if luhn_valid(body + check))


@dataclass(frozen=True)
class Holder:
    name: str
    birth: str  # as typed: GGAAYYYY
    phone: str
    card: CardNumber


def make_holder(service: CentralService, name: str, birth: str, phone: str, fuel_kurus: int, autogas_kurus: int) -> Holder:
    """A registered card with points in both pots, made as a station would: the form, then sales."""
    card = fresh_number()
    client = AttendantClient(ServiceTransport(service.base_url, service.token))
    try:
        signed_in = client.sign_in(CODE, PIN)
        born = dt.date(int(birth[4:]), int(birth[2:4]), int(birth[:2]))
        client.register(signed_in, card, HolderDetails(name, born, phone, True), uuid.uuid4().hex)
        client.sign_out(signed_in)
    finally:
        client.close()
    till = service.add_device("till", f"till-{card.last4}")
    for fuel_type, kurus in (("benzin", fuel_kurus), ("otogaz", autogas_kurus)):
        if not kurus:
            continue
        response = httpx.post(
            f"{service.base_url}/v1/sales",
            headers={"Authorization": f"Bearer {till}", "Idempotency-Key": uuid.uuid4().hex},
            json={"card_number": card.digits, "fuel_type": fuel_type, "amount": kurus, "station": "T",
                  "sold_at": dt.datetime.now(dt.timezone.utc).isoformat()},
        )
        assert response.status_code == 201, response.text
    return Holder(name, birth, phone, card)


class Desk(DeskDriver):
    """The desk and the driver's session on the real clients over HTTP."""

    def __init__(self, base_url: str, token: str, change_tries: int = 3) -> None:
        self.change_tries = change_tries
        self.client = AttendantClient(ServiceTransport(base_url, token, timeout_seconds=2.0, retries=change_tries - 1,
                                                       backoff_seconds=0.05))
        self.lookups = CentralClient(ServiceTransport(base_url, token, timeout_seconds=2.0, retries=0))
        super().__init__(self.client, self.lookups.look_up)

    def close(self) -> None:
        self.desk.close()
        self.background.shutdown(wait=True)  # the sign-out reaches the service before its client closes
        self.client.close()
        self.lookups.close()


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CentralService]:
    workdir = tmp_path_factory.mktemp("attendant-central")
    with running_central(f"sqlite:///{workdir / 'central.db'}", workdir) as running:
        yield running


@pytest.fixture
def holder(service: CentralService) -> Holder:
    """ÖMER IŞIK with 10,00 + 2,50 Paropuan on a card of his own."""
    return make_holder(service, "ÖMER IŞIK", "15071980", "05301234567", 200_000, 50_000)


@pytest.fixture
def desk(service: CentralService) -> Iterator[Desk]:
    harness = Desk(service.base_url, service.token)
    yield harness
    harness.close()


def test_a_wrong_pin_counts_down_to_a_lockout_that_the_right_pin_cannot_open(desk: Desk, service: CentralService) -> None:
    service.cli("add-attendant", "--code", "3003", "--name", "KİLİT DENEME", stdin=f"{PIN}\n")
    state = desk.sign_in(code="3003", pin="9999")
    assert state.step is DeskStep.SIGN_IN and state.notice is FailureKind.WRONG_PIN
    first_left = state.attempts_left
    assert first_left is not None and first_left >= 1
    assert state.pin_length == 0  # the PIN is gone once sent
    for _ in range(first_left):
        desk.type(FormField.PIN, "9999")
        desk.desk.sign_in()
        state = desk.settle()
    assert state.notice is FailureKind.LOCKED
    assert state.retry_after_seconds and state.retry_after_seconds > 60
    desk.type(FormField.PIN, PIN)
    desk.desk.sign_in()
    assert desk.settle().notice is FailureKind.LOCKED  # locked means locked, right PIN or not
    service.cli("unlock-attendant", "--code", "3003")
    desk.type(FormField.PIN, PIN)
    desk.desk.sign_in()
    assert desk.settle().step is DeskStep.MENU


def test_a_replacement_by_number_moves_both_pots_and_closes_the_old_card(desk: Desk, holder: Holder) -> None:
    desk.sign_in()
    state = desk.find_by_number(holder.card)
    assert state.step is DeskStep.CONFIRM_IDENTITY
    chosen = state.chosen
    assert chosen is not None and chosen.number_last4 == holder.card.last4 and chosen.holder is not None
    assert chosen.holder.name == "Ö*** I***"  # masked, Turkish letters kept: the attendant compares, not reads
    assert chosen.holder.birth_date.endswith("1980") and "15" not in chosen.holder.birth_date
    assert chosen.holder.phone.endswith("4567") and "0530" not in chosen.holder.phone
    assert state.focus is FormField.BIRTH_DATE
    assert desk.confirm_identity("16071980").step is DeskStep.TAP_NEW_CARD  # a real date, but not his
    desk.session.show_card(fresh_number(), Entry.TAPPED)
    desk.desk.confirm_move()
    state = desk.settle()
    assert state.step is DeskStep.CONFIRM_IDENTITY and state.notice is FailureKind.WRONG_BIRTH_DATE
    assert desk.lookups.look_up(holder.card, Entry.TYPED).fuel == 1000  # nothing moved
    desk.confirm_identity(holder.birth)
    assert desk.desk.state.step is DeskStep.TAP_NEW_CARD
    new = fresh_number()
    desk.session.card_presented()  # diverted: the driver's screens stay at attract
    desk.session.show_card(new, Entry.TAPPED)
    assert desk.session.state.screen is Screen.ATTRACT
    state = desk.desk.state
    assert state.step is DeskStep.CONFIRM_MOVE and state.new_card_last4 == new.last4
    desk.desk.confirm_move()
    state = desk.settle()
    assert state.step is DeskStep.MOVE_DONE and state.moved is not None
    assert (state.moved.moved_fuel, state.moved.moved_autogas) == (1000, 250)
    assert (state.moved.new_fuel, state.moved.new_autogas) == (1000, 250)
    assert len(state.moved.confirmation_code) == 6 and not state.moved.replayed
    old_balance = desk.lookups.look_up(holder.card, Entry.TYPED)
    assert (old_balance.status, old_balance.fuel, old_balance.autogas) == (CardStatus.REPLACED, 0, 0)
    new_balance = desk.lookups.look_up(new, Entry.TYPED)
    assert (new_balance.fuel, new_balance.autogas, new_balance.holder_registered) == (1000, 250, True)
    desk.desk.back()
    state = desk.find_by_number(holder.card)  # the old card, found again, says it was replaced
    assert state.chosen is not None and state.chosen.status is CardStatus.REPLACED
    desk.desk.identity_confirmed()
    assert desk.desk.state.notice is FailureKind.ALREADY_REPLACED


def test_a_replacement_by_identity_with_turkish_letters_typed_in_small_letters(desk: Desk, service: CentralService) -> None:
    holder = make_holder(service, "İLKAY ŞAHİNOĞLU", "02111988", "05329876500", 100_000, 300_000)
    other = make_holder(service, "İLKAY ŞAHİNOĞLU", "02111988", "05329876500", 20_000, 0)  # a second card of hers
    desk.sign_in()
    desk.desk.start_replacement()
    desk.desk.find_by_identity_instead()
    desk.type(FormField.FULL_NAME, "ilkay şahinoğlu")
    desk.type(FormField.BIRTH_DATE, "03111988")  # one day off: finds nothing
    desk.type(FormField.PHONE, "05329876500")
    assert desk.desk.state.text(FormField.FULL_NAME) == "İLKAY ŞAHİNOĞLU"
    desk.desk.find()
    state = desk.settle()
    assert state.step is DeskStep.FIND_BY_IDENTITY and state.notice is DeskNotice.NO_MATCH
    desk.desk.focus(FormField.BIRTH_DATE)
    for _ in range(8):
        desk.desk.erase()
    desk.type(FormField.BIRTH_DATE, "02111988")
    desk.desk.find()
    state = desk.settle()
    assert state.step is DeskStep.CHOOSE_CARD
    assert sorted(card.number_last4 for card in state.cards) == sorted([holder.card.last4, other.card.last4])
    desk.desk.choose([card.number_last4 for card in state.cards].index(holder.card.last4))
    state = desk.desk.state
    assert state.step is DeskStep.CONFIRM_IDENTITY
    assert state.chosen is not None and (state.chosen.number_last4, state.chosen.autogas) == (holder.card.last4, 1500)
    desk.confirm_identity(holder.birth)
    desk.session.show_card(fresh_number(), Entry.TAPPED)
    desk.desk.confirm_move()
    state = desk.settle()
    assert state.step is DeskStep.MOVE_DONE and state.moved is not None
    assert (state.moved.moved_fuel, state.moved.moved_autogas) == (500, 1500)


@dataclass
class Relayed:
    """A desk that reaches the service through a relay, ready to move ``holder``'s points to ``new``."""

    desk: Desk
    path: NetworkPath
    new: CardNumber


@pytest.fixture(params=[2, 3], ids=["2-tries", "3-tries"])
def relayed(request: pytest.FixtureRequest, service: CentralService, holder: Holder) -> Iterator[Relayed]:
    path = NetworkPath(int(service.base_url.rsplit(":", 1)[1]))
    path.restore()
    harness = Desk(path.url, service.token, change_tries=request.param)
    new = fresh_number()
    try:
        harness.sign_in()
        harness.find_by_number(holder.card)
        harness.confirm_identity(holder.birth)
        harness.session.show_card(new, Entry.TAPPED)
        assert harness.desk.state.step is DeskStep.CONFIRM_MOVE
        yield Relayed(harness, path, new)
    finally:
        harness.close()
        path.cut()


def test_lost_answers_are_retried_with_the_same_key_and_move_the_points_once(relayed: Relayed, service: CentralService) -> None:
    relayed.path.lose_answers(relayed.desk.change_tries)  # every try reaches the service; no answer comes back
    relayed.desk.desk.confirm_move()
    state = relayed.desk.settle()
    assert state.step is DeskStep.MOVE_UNCERTAIN and state.notice is FailureKind.UNAVAILABLE
    relayed.path.restore()
    relayed.desk.desk.confirm_move()  # "Try again": the same request, the same key
    state = relayed.desk.settle()
    assert state.step is DeskStep.MOVE_DONE and state.moved is not None
    assert state.moved.replayed  # the service had done it on the first try
    assert (state.moved.moved_fuel, state.moved.moved_autogas) == (1000, 250)
    new_balance = relayed.desk.lookups.look_up(relayed.new, Entry.TYPED)
    assert (new_balance.fuel, new_balance.autogas) == (1000, 250)  # not twice
    actions = service.cli("attendant-actions", "--attendant", CODE)
    assert actions.count(state.moved.confirmation_code) == 1


def test_fewer_lost_answers_than_tries_are_absorbed_by_the_automatic_retry(relayed: Relayed) -> None:
    relayed.path.lose_answers(relayed.desk.change_tries - 1)
    relayed.desk.desk.confirm_move()
    state = relayed.desk.settle()
    assert state.step is DeskStep.MOVE_DONE and state.moved is not None and state.moved.replayed
    assert relayed.desk.lookups.look_up(relayed.new, Entry.TYPED).fuel == 1000


def test_a_registration_stores_turkish_capitals_and_a_retry_is_not_a_conflict(desk: Desk, service: CentralService) -> None:
    assert desk.sign_in().attendant_name == "DEMO GÖREVLİ"
    desk.desk.start_registration()
    card = fresh_number()
    desk.session.show_card(card, Entry.TAPPED)
    assert desk.desk.state.step is DeskStep.REGISTRATION_FORM and desk.desk.state.new_card_last4 == card.last4
    desk.type(FormField.FULL_NAME, "şükrü ığdır-çağlar")
    desk.type(FormField.BIRTH_DATE, "29021984")
    desk.type(FormField.PHONE, "05551112233")
    desk.desk.set_consent(True)
    desk.desk.submit_registration()
    state = desk.settle()
    assert state.step is DeskStep.REGISTERED and state.registered is not None
    assert state.registered_name == "ŞÜKRÜ IĞDIR-ÇAĞLAR"
    assert desk.lookups.look_up(card, Entry.TYPED).holder_registered
    assert all(PIN not in repr(state) for state in desk.seen)
    handled = desk.ui.calls_run
    desk.desk.sign_out()
    desk.ui.pump_until(lambda: desk.ui.calls_run > handled)  # the sign-out's answer, handled
    actions = service.cli("attendant-actions", "--attendant", CODE)
    assert "logout" in actions or "sign_out" in actions
    desk.session.show_card(ENDER_CARD, Entry.TAPPED)  # cards are the driver's again
    assert desk.session.state.screen is Screen.READING
