"""The kiosk's API client against the real central service over HTTP on loopback."""
import logging
import time

import pytest

from hardware.card_number import CardNumber
from kiosk.api_client import BalanceClient, FailureKind, LookupFailed
from kiosk.balance import CardStatus, Entry
from tests.kiosk.silent_server import closed_port_url, silent_server

ACTIVE = CardNumber.parse("7000070012806566")
NOT_ACTIVATED = CardNumber.parse("7000071234567895")
UNKNOWN = CardNumber.parse("7000075555000022")


def test_balance_of_an_active_card(central_service) -> None:
    client = BalanceClient(central_service.base_url, central_service.token)
    balance = client.balance(ACTIVE, Entry.TAPPED)
    assert (balance.status, balance.fuel, balance.autogas) == (CardStatus.ACTIVE, 123456, 8790)
    assert balance.holder_registered and balance.can_spend
    assert balance.as_of.tzinfo is not None


def test_balance_of_a_card_not_yet_activated(central_service) -> None:
    balance = BalanceClient(central_service.base_url, central_service.token).balance(NOT_ACTIVATED, Entry.TYPED)
    assert balance.status is CardStatus.NOT_ACTIVATED
    assert not balance.can_spend
    assert balance.fuel == 4250


def test_unknown_card(central_service) -> None:
    with pytest.raises(LookupFailed) as raised:
        BalanceClient(central_service.base_url, central_service.token).balance(UNKNOWN, Entry.TAPPED)
    assert raised.value.kind is FailureKind.UNKNOWN_CARD
    assert UNKNOWN.digits not in str(raised.value)


def test_a_revoked_or_wrong_token_is_unauthorized(central_service) -> None:
    with pytest.raises(LookupFailed) as raised:
        BalanceClient(central_service.base_url, "not-a-token").balance(ACTIVE, Entry.TAPPED)
    assert raised.value.kind is FailureKind.UNAUTHORIZED


def test_a_dead_service_fails_fast_without_the_number(caplog: pytest.LogCaptureFixture) -> None:
    client = BalanceClient(closed_port_url(), "token", timeout_seconds=1.0, retries=2)
    started = time.monotonic()
    with caplog.at_level(logging.DEBUG), pytest.raises(LookupFailed) as raised:
        client.balance(ACTIVE, Entry.TAPPED)
    assert raised.value.kind is FailureKind.UNAVAILABLE
    assert time.monotonic() - started < 2.0
    assert ACTIVE.digits not in str(raised.value)


def test_a_hung_service_times_out_within_the_bounded_retries() -> None:
    with silent_server() as url:
        client = BalanceClient(url, "token", timeout_seconds=0.3, retries=1)
        started = time.monotonic()
        with pytest.raises(LookupFailed) as raised:
            client.balance(ACTIVE, Entry.TAPPED)
        elapsed = time.monotonic() - started
    assert raised.value.kind is FailureKind.UNAVAILABLE
    # (1 try + 1 retry) x 0.3 s read timeout, plus a 0.1 s backoff: bounded, not hanging.
    assert 0.5 < elapsed < 2.0
