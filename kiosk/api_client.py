"""HTTP client for the central balance service.

One ``requests`` session with connection pooling, a timeout on every call and bounded
retries (urllib3 ``Retry``) for idempotent look-ups. Failures become the small set of
:class:`RequestFailed` kinds the screens know how to explain; no exception leaving this
module carries the request URL, because the URL holds the full card number or UID.
"""
from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING

from hardware.card_number import CardNumber
from hardware.card_uid import CardUid
from kiosk.balance import Balance, CardStatus, Entry
from kiosk.lazy_http import LazySession, new_session, request_error

if TYPE_CHECKING:
    import requests


class FailureKind(enum.Enum):
    UNKNOWN_CARD = "unknown_card"
    INVALID_NUMBER = "invalid_number"
    RATE_LIMITED = "rate_limited"
    UNAUTHORIZED = "unauthorized"
    UNAVAILABLE = "unavailable"


class RequestFailed(Exception):
    """A request to the service that gave no answer to use; ``kind`` decides what the driver is told."""

    def __init__(self, kind: FailureKind, detail: str) -> None:
        super().__init__(f"{kind.value}: {detail}")
        self.kind = kind
        self.detail = detail


_ERROR_CODES = {
    "unknown_card": FailureKind.UNKNOWN_CARD,
    "malformed_number": FailureKind.INVALID_NUMBER,
    "malformed_uid": FailureKind.INVALID_NUMBER,
    "rate_limited": FailureKind.RATE_LIMITED,
    "unauthorized": FailureKind.UNAUTHORIZED,
}


class CentralClient:
    """The kiosk's side of the central service, with this kiosk's device token: balance
    look-ups, health probes and calls for an attendant."""

    def __init__(
        self, base_url: str, token: str, timeout_seconds: float = 3.0, retries: int = 2, verify: bool | str = True
    ) -> None:
        self._base_url = base_url.rstrip("/")
        self._timeout = timeout_seconds
        # Passed with every request: a session's verify loses to REQUESTS_CA_BUNDLE in the
        # environment (requests merges the environment into each request first).
        self._verify = verify
        self._session = LazySession(lambda: _retrying_session(token, retries))
        self._probe_session = LazySession(lambda: new_session(token))  # health probes: one try, no retries

    def balance(self, number: CardNumber, entry: Entry) -> Balance:
        """The card's balance, or :class:`RequestFailed`."""
        return self._get_balance(f"/v1/cards/{number.digits}", number, entry)

    def balance_by_uid(self, uid: CardUid, entry: Entry) -> Balance:
        """The balance of the card whose chip has ``uid`` (its ``number`` then None), or :class:`RequestFailed`."""
        return self._get_balance(f"/v1/cards/by-uid/{uid.hex}", None, entry)

    def look_up(self, card: CardNumber | CardUid, entry: Entry) -> Balance:
        """The balance of a card read by its number or by its UID."""
        if isinstance(card, CardUid):
            return self.balance_by_uid(card, entry)
        return self.balance(card, entry)

    def _get_balance(self, path: str, number: CardNumber | None, entry: Entry) -> Balance:
        try:
            response = self._session.get().get(
                self._base_url + path, params={"entry": entry.value}, timeout=self._timeout, verify=self._verify
            )
        except request_error() as exc:
            raise RequestFailed(FailureKind.UNAVAILABLE, f"service unreachable ({type(exc).__name__})") from None
        if response.status_code == 200:
            return _parse_balance(number, response)
        raise _failure_from(response)

    def call_attendant(self, reason: str) -> None:
        """``POST /v1/assistance``: an attendant is asked to come to this kiosk. Not retried
        on its own (a POST); a second press while a call is open is answered, not doubled."""
        try:
            response = self._session.get().post(
                f"{self._base_url}/v1/assistance", json={"reason": reason}, timeout=self._timeout, verify=self._verify
            )
        except request_error() as exc:
            raise RequestFailed(FailureKind.UNAVAILABLE, f"service unreachable ({type(exc).__name__})") from None
        if response.status_code not in (200, 201):
            raise _failure_from(response)

    def healthy(self) -> bool:
        """One quick ``GET /healthz`` (no retries): does the service answer, database included?"""
        try:
            probe = self._probe_session.get().get(f"{self._base_url}/healthz", timeout=self._timeout, verify=self._verify)
            return probe.status_code == 200
        except request_error():
            return False

    def close(self) -> None:
        self._session.close()
        self._probe_session.close()


def _retrying_session(token: str, retries: int) -> requests.Session:
    """Look-ups are GETs: retried by urllib3 on a lost connection or a 502/503/504."""
    from requests.adapters import HTTPAdapter
    from urllib3.util.retry import Retry

    session = new_session(token)
    retry = Retry(
        total=retries,
        connect=retries,
        read=retries,
        status=retries,
        backoff_factor=0.1,
        status_forcelist=(502, 503, 504),
        allowed_methods=frozenset({"GET"}),
        raise_on_status=False,
    )
    adapter = HTTPAdapter(max_retries=retry, pool_connections=1, pool_maxsize=4)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session


def _parse_balance(number: CardNumber | None, response: requests.Response) -> Balance:
    try:
        body = response.json()
        last4 = str(body["number_last4"])
        if len(last4) != 4 or not last4.isdigit() or (number is not None and last4 != number.last4):
            raise ValueError("number_last4")
        return Balance(
            number=number,
            status=CardStatus(body["status"]),
            fuel=int(body["pots"]["fuel"]),
            autogas=int(body["pots"]["autogas"]),
            holder_registered=bool(body["holder_registered"]),
            as_of=datetime.fromisoformat(body["as_of"]),
            number_last4=last4,
        )
    except (ValueError, KeyError, TypeError):
        raise RequestFailed(FailureKind.UNAVAILABLE, "the service answered with an unreadable balance") from None


def _failure_from(response: requests.Response) -> RequestFailed:
    code = ""
    try:
        code = response.json()["error"]["code"]
    except (ValueError, KeyError, TypeError):
        pass
    kind = _ERROR_CODES.get(code)
    if kind is None:
        kind = FailureKind.UNAUTHORIZED if response.status_code in (401, 403) else FailureKind.UNAVAILABLE
    return RequestFailed(kind, f"HTTP {response.status_code} {code or 'no error code'}")
