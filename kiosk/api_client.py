"""HTTP client for the central balance service.

One ``requests`` session with connection pooling, a timeout on every call and bounded
retries (urllib3 ``Retry``) for idempotent look-ups. Failures become the small set of
:class:`LookupFailed` kinds the screens know how to explain; no exception leaving this
module carries the request URL, because the URL holds the full card number.
"""
from __future__ import annotations

import enum
from datetime import datetime

import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from hardware.card_number import CardNumber
from kiosk.balance import Balance, CardStatus, Entry


class FailureKind(enum.Enum):
    UNKNOWN_CARD = "unknown_card"
    INVALID_NUMBER = "invalid_number"
    RATE_LIMITED = "rate_limited"
    UNAUTHORIZED = "unauthorized"
    UNAVAILABLE = "unavailable"


class LookupFailed(Exception):
    """A look-up that produced no balance. ``kind`` decides what the driver is told."""

    def __init__(self, kind: FailureKind, detail: str) -> None:
        super().__init__(f"{kind.value}: {detail}")
        self.kind = kind
        self.detail = detail


_ERROR_CODES = {
    "unknown_card": FailureKind.UNKNOWN_CARD,
    "malformed_number": FailureKind.INVALID_NUMBER,
    "rate_limited": FailureKind.RATE_LIMITED,
    "unauthorized": FailureKind.UNAUTHORIZED,
}


class BalanceClient:
    """Talks to ``GET /v1/cards/{number}`` with this kiosk's device token."""

    def __init__(
        self, base_url: str, token: str, timeout_seconds: float = 3.0, retries: int = 2, verify: bool | str = True
    ) -> None:
        self._base_url = base_url.rstrip("/")
        self._timeout = timeout_seconds
        self._session = requests.Session()
        self._session.verify = verify
        self._session.headers["Authorization"] = f"Bearer {token}"
        self._session.headers["Accept"] = "application/json"
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
        self._session.mount("http://", adapter)
        self._session.mount("https://", adapter)
        self._probe_session = requests.Session()  # health probes: one try, no retries
        self._probe_session.verify = verify

    def balance(self, number: CardNumber, entry: Entry) -> Balance:
        """The card's balance, or :class:`LookupFailed`."""
        url = f"{self._base_url}/v1/cards/{number.digits}"
        try:
            response = self._session.get(url, params={"entry": entry.value}, timeout=self._timeout)
        except requests.RequestException as exc:
            raise LookupFailed(FailureKind.UNAVAILABLE, f"service unreachable ({type(exc).__name__})") from None
        if response.status_code == 200:
            return _parse_balance(number, response)
        raise _failure_from(response)

    def healthy(self) -> bool:
        """One quick ``GET /healthz`` (no retries): does the service answer, database included?"""
        try:
            return self._probe_session.get(f"{self._base_url}/healthz", timeout=self._timeout).status_code == 200
        except requests.RequestException:
            return False

    def close(self) -> None:
        self._session.close()
        self._probe_session.close()


def _parse_balance(number: CardNumber, response: requests.Response) -> Balance:
    try:
        body = response.json()
        return Balance(
            number=number,
            status=CardStatus(body["status"]),
            fuel=int(body["pots"]["fuel"]),
            autogas=int(body["pots"]["autogas"]),
            holder_registered=bool(body["holder_registered"]),
            as_of=datetime.fromisoformat(body["as_of"]),
        )
    except (ValueError, KeyError, TypeError):
        raise LookupFailed(FailureKind.UNAVAILABLE, "the service answered with an unreadable balance") from None


def _failure_from(response: requests.Response) -> LookupFailed:
    code = ""
    try:
        code = response.json()["error"]["code"]
    except (ValueError, KeyError, TypeError):
        pass
    kind = _ERROR_CODES.get(code)
    if kind is None:
        kind = FailureKind.UNAUTHORIZED if response.status_code in (401, 403) else FailureKind.UNAVAILABLE
    return LookupFailed(kind, f"HTTP {response.status_code} {code or 'no error code'}")
