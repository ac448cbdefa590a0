"""The kiosk's one transport against the real service through a relay that loses answers:
what urllib3's Retry sends again and what it must not."""
from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from hardware.card_number import CardNumber
from kiosk.api_client import CentralClient
from kiosk.attendant_client import AttendantClient
from kiosk.balance import Entry
from kiosk.transport import FailureKind, RequestFailed, ServiceTransport
from tests.rigs.central import CentralService
from tests.rigs.network_path import NetworkPath

ACTIVE = CardNumber.parse("7000070012806566")


@pytest.fixture
def path(central_service: CentralService) -> Iterator[NetworkPath]:
    relay = NetworkPath(int(central_service.base_url.rsplit(":", 1)[1]))
    relay.restore()
    yield relay
    relay.cut()


def _attendant(service: CentralService, code: str) -> str:
    """A new attendant of this test's own (PIN 1234), so that no other test's sign-ins count."""
    service.cli("add-attendant", "--code", code, "--name", f"TRANSPORT TEST {code}", stdin="1234\n")
    return code


def _logins(service: CentralService, code: str) -> int:
    rows = [json.loads(line) for line in service.cli("attendant-actions", "--attendant", code).splitlines()]
    return sum(row["action"] == "login" for row in rows)


def test_a_look_up_whose_answer_is_lost_is_sent_again(central_service: CentralService, path: NetworkPath) -> None:
    client = CentralClient(ServiceTransport(path.url, central_service.token, timeout_seconds=2.0, retries=1))
    path.lose_answers(1)
    assert client.look_up(ACTIVE, Entry.TAPPED).fuel == 123456
    client.close()


def test_a_post_without_an_idempotency_key_is_not_sent_again_after_a_lost_answer(
    central_service: CentralService, path: NetworkPath
) -> None:
    code = _attendant(central_service, "7301")
    client = AttendantClient(ServiceTransport(path.url, central_service.token, timeout_seconds=2.0, retries=2))
    path.lose_answers(3)
    with pytest.raises(RequestFailed) as raised:
        client.sign_in(code, "1234")
    assert raised.value.kind is FailureKind.UNAVAILABLE and raised.value.status is None
    assert "1234" not in str(raised.value)
    assert _logins(central_service, code) == 1  # the service saw one sign-in, not three
    client.close()


def test_an_error_answer_is_one_failure_with_its_code_and_details(central_service: CentralService) -> None:
    code = _attendant(central_service, "7302")
    client = AttendantClient(ServiceTransport(central_service.base_url, central_service.token))
    with pytest.raises(RequestFailed) as raised:
        client.sign_in(code, "0000")
    assert raised.value.kind is FailureKind.WRONG_PIN and raised.value.status == 401
    assert raised.value.attempts_left is not None and raised.value.attempts_left > 0
    assert "0000" not in str(raised.value)
    client.close()
