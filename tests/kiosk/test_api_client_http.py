"""The kiosk's API client against the real central service over HTTP on loopback."""
import logging

import httpx
import pytest

from hardware.card_number import CardNumber
from hardware.card_uid import CardUid
from kiosk.api_client import CentralClient
from kiosk.balance import CardStatus, Entry, MovementKind, Pot
from kiosk.transport import FailureKind, RequestFailed, ServiceTransport
from tests.kiosk.silent_server import closed_port_url, silent_server

ACTIVE = CardNumber.parse("7000070012806566")
NOT_ACTIVATED = CardNumber.parse("7000071234567895")
UNKNOWN = CardNumber.parse("7000075555000022")


def test_balance_of_an_active_card(central_service) -> None:
    client = CentralClient(ServiceTransport(central_service.base_url, central_service.token))
    balance = client.balance(ACTIVE, Entry.TAPPED)
    assert (balance.status, balance.fuel, balance.autogas) == (CardStatus.ACTIVE, 123456, 8790)
    assert balance.holder_registered and balance.can_spend
    assert balance.as_of.tzinfo is not None


def test_balance_by_uid_knows_only_the_last_four_digits(central_service) -> None:
    client = CentralClient(ServiceTransport(central_service.base_url, central_service.token))
    balance = client.balance_by_uid(CardUid(bytes.fromhex("04a1b2c3d4e5f6")), Entry.TAPPED)
    assert (balance.status, balance.fuel, balance.number, balance.masked) == (
        CardStatus.ACTIVE, 123456, None, "•••• •••• •••• 6566")
    with pytest.raises(RequestFailed) as raised:
        client.balance_by_uid(CardUid(bytes.fromhex("04FFFFFFFFFF03")), Entry.TAPPED)
    assert raised.value.kind is FailureKind.UNKNOWN_CARD
    assert "FF03" not in str(raised.value)


def test_recent_movements_of_a_card_by_number_and_by_chip(central_service) -> None:
    till = central_service.add_device("till", "movements till")
    card = CardNumber.parse("7000079876543215")  # no sales yet in the demo data
    with httpx.Client(base_url=central_service.base_url, headers={"Authorization": f"Bearer {till}"}) as http:
        for key, station in (("k2-move-1", "OPET Maslak"), ("k2-move-2", "OPET Kadıköy")):
            sale = {"card_number": card.digits, "fuel_type": "otogaz", "amount": 20_000, "station": station,
                    "sold_at": "2026-11-27T21:20:00+03:00" if key.endswith("1") else "2026-11-28T09:05:00+03:00"}
            assert http.post("/v1/sales", json=sale, headers={"Idempotency-Key": key}).status_code in (200, 201)
    client = CentralClient(ServiceTransport(central_service.base_url, central_service.token))
    moved = client.recent_movements(card, Entry.TAPPED)
    assert [(m.station, m.kind, m.pot, m.points, m.signed_points) for m in moved] == [
        ("OPET Kadıköy", MovementKind.EARNED, Pot.AUTOGAS, 100, 100),
        ("OPET Maslak", MovementKind.EARNED, Pot.AUTOGAS, 100, 100),
    ]
    assert moved[0].at.tzinfo is not None and moved[1].at.isoformat().startswith("2026-11-27T18:20")
    by_chip = client.recent_movements(CardUid(bytes.fromhex("04a1b2c3d4e5f6")), Entry.TAPPED)  # …6566's chip
    assert len(by_chip) <= 5 and all(movement.points >= 0 for movement in by_chip)
    with pytest.raises(RequestFailed) as raised:
        client.recent_movements(UNKNOWN, Entry.TAPPED)
    assert raised.value.kind is FailureKind.UNKNOWN_CARD


def test_balance_of_a_card_not_yet_activated(central_service) -> None:
    balance = CentralClient(ServiceTransport(central_service.base_url, central_service.token)).balance(NOT_ACTIVATED, Entry.TYPED)
    assert balance.status is CardStatus.NOT_ACTIVATED
    assert not balance.can_spend
    assert balance.fuel == 4250


def test_unknown_card(central_service) -> None:
    with pytest.raises(RequestFailed) as raised:
        CentralClient(ServiceTransport(central_service.base_url, central_service.token)).balance(UNKNOWN, Entry.TAPPED)
    assert raised.value.kind is FailureKind.UNKNOWN_CARD
    assert UNKNOWN.digits not in str(raised.value)


def test_a_revoked_or_wrong_token_is_unauthorized(central_service) -> None:
    with pytest.raises(RequestFailed) as raised:
        CentralClient(ServiceTransport(central_service.base_url, "not-a-token")).balance(ACTIVE, Entry.TAPPED)
    assert raised.value.kind is FailureKind.UNAUTHORIZED


def _retries(caplog: pytest.LogCaptureFixture) -> list[str]:
    """urllib3's own "Retrying ..." warnings: one for every try after the first."""
    return [record.getMessage() for record in caplog.records if record.name.startswith("urllib3") and "Retrying" in record.msg]


@pytest.mark.timeout(30)  # had a refused connection waited out its 60 s timeout, this ends the test
def test_a_dead_service_fails_fast_without_the_number(caplog: pytest.LogCaptureFixture, kiosk_log_redaction: None) -> None:
    client = CentralClient(ServiceTransport(closed_port_url(), "token", timeout_seconds=60.0, retries=2))
    with caplog.at_level(logging.DEBUG), pytest.raises(RequestFailed) as raised:
        client.balance(ACTIVE, Entry.TAPPED)
    assert raised.value.kind is FailureKind.UNAVAILABLE
    assert ACTIVE.digits not in str(raised.value)
    # Fast: each of the 2 retries followed a refused connection, none a timeout.
    retries = _retries(caplog)
    assert len(retries) == 2 and all("Connection refused" in retry for retry in retries), retries
    assert "timed out" not in caplog.text
    # Without the number: urllib3 logged the URL, the kiosk's redaction left its last four digits.
    assert ACTIVE.digits not in caplog.text and "/v1/cards/•••• •••• •••• 6566?entry=tapped" in caplog.text


def test_a_hung_service_times_out_within_the_bounded_retries(caplog: pytest.LogCaptureFixture) -> None:
    with silent_server() as url, caplog.at_level(logging.WARNING):
        client = CentralClient(ServiceTransport(url, "token", timeout_seconds=0.3, retries=1))
        with pytest.raises(RequestFailed) as raised:
            client.balance(ACTIVE, Entry.TAPPED)
    assert raised.value.kind is FailureKind.UNAVAILABLE
    # 1 try + 1 retry, each ended by the read timeout: bounded, not hanging.
    retries = _retries(caplog)
    assert len(retries) == 1 and "Read timed out" in retries[0], retries


def test_calling_an_attendant_reaches_the_tills(central_service) -> None:
    kiosk_token = central_service.add_device("kiosk", "island 7")
    CentralClient(ServiceTransport(central_service.base_url, kiosk_token)).call_attendant("lost_card")
    till = central_service.add_device("till", "till 7")
    calls = httpx.get(
        f"{central_service.base_url}/v1/assistance", headers={"Authorization": f"Bearer {till}"}, timeout=5
    ).json()["requests"]
    assert [(c["kiosk"], c["reason"]) for c in calls if c["kiosk"] == "island 7"] == [("island 7", "lost_card")]


def test_a_failed_attendant_call_says_why() -> None:
    with pytest.raises(RequestFailed) as raised:
        CentralClient(ServiceTransport(closed_port_url(), "token")).call_attendant("lost_card")
    assert raised.value.kind is FailureKind.UNAVAILABLE
