"""The kiosk's one way to the central service; the look-up, attendant and heartbeat clients
are thin layers on top of it.

One urllib3 pool of keep-alive connections (thread-safe) sends every request with this kiosk's
device token, verifies TLS against the configured CA and bounds each request with a timeout.
Retries are urllib3's ``Retry``: on a lost connection, a lost answer or a 502/503/504, a
request is sent again when sending it twice cannot do a thing twice — a GET (or another
idempotent method), or a POST that carries an ``Idempotency-Key`` (the service applies such a
request once). A POST without a key (a sign-in, a call for an attendant) is sent again only
when its connection could not be made, so nothing had reached the service.

Every request that gives no answer to use raises :class:`RequestFailed`; its ``kind`` comes
from the service's error code (:class:`opetcard.errors.ErrorCode`) or, without one, from the
HTTP status. No exception leaving this module carries the request's URL or body: they hold a
card number, a name, a PIN or a session token.

urllib3 is imported with the first request: the attract screen needs no HTTP
(bench.kiosk_cold_start).
"""
from __future__ import annotations

import enum
import json
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from opetcard.errors import ErrorCode

if TYPE_CHECKING:
    import urllib3

IDEMPOTENCY_HEADER = "Idempotency-Key"
RETRIED_STATUSES = (502, 503, 504)


class FailureKind(enum.Enum):
    """Why a request gave no answer to use; the driver's and the attendant's screens each say
    what it means for them."""

    UNAVAILABLE = "unavailable"  # no answer, an unreadable one, or the service failing
    UNAUTHORIZED = "unauthorized"  # this kiosk's token is refused, or the kiosk may not do this
    RATE_LIMITED = "rate_limited"
    REJECTED = "rejected"  # the service refused the request for a reason without its own kind
    UNKNOWN_CARD = "unknown_card"
    INVALID_NUMBER = "invalid_number"
    NOT_REGISTERED = "not_registered"
    ALREADY_REPLACED = "already_replaced"
    CARD_BLOCKED = "card_blocked"
    SAME_CARD = "same_card"
    NEW_CARD_TAKEN = "new_card_taken"
    WRONG_BIRTH_DATE = "wrong_birth_date"  # the birth date given is not the holder record's
    WRONG_NAME = "wrong_name"  # activation: the name given is not the holder record's
    WRONG_NAME_AND_BIRTH_DATE = "wrong_name_and_birth_date"
    ALREADY_REGISTERED = "already_registered"
    WRONG_PIN = "wrong_pin"
    LOCKED = "locked"
    SESSION_ENDED = "session_ended"


_KIND_OF_CODE = {
    ErrorCode.UNAUTHORIZED: FailureKind.UNAUTHORIZED,
    ErrorCode.FORBIDDEN: FailureKind.UNAUTHORIZED,
    ErrorCode.RATE_LIMITED: FailureKind.RATE_LIMITED,
    ErrorCode.UNKNOWN_CARD: FailureKind.UNKNOWN_CARD,
    ErrorCode.MALFORMED_NUMBER: FailureKind.INVALID_NUMBER,
    ErrorCode.MALFORMED_UID: FailureKind.INVALID_NUMBER,
    ErrorCode.NOT_REGISTERED: FailureKind.NOT_REGISTERED,
    ErrorCode.CARD_REPLACED: FailureKind.ALREADY_REPLACED,
    ErrorCode.CARD_BLOCKED: FailureKind.CARD_BLOCKED,
    ErrorCode.SAME_CARD: FailureKind.SAME_CARD,
    ErrorCode.NEW_CARD_NOT_BLANK: FailureKind.NEW_CARD_TAKEN,
    ErrorCode.WRONG_BIRTH_DATE: FailureKind.WRONG_BIRTH_DATE,
    ErrorCode.WRONG_NAME: FailureKind.WRONG_NAME,
    ErrorCode.WRONG_NAME_AND_BIRTH_DATE: FailureKind.WRONG_NAME_AND_BIRTH_DATE,
    ErrorCode.ALREADY_REGISTERED: FailureKind.ALREADY_REGISTERED,
    ErrorCode.BAD_ATTENDANT_PIN: FailureKind.WRONG_PIN,
    ErrorCode.ATTENDANT_LOCKED: FailureKind.LOCKED,
    ErrorCode.ATTENDANT_SESSION_INVALID: FailureKind.SESSION_ENDED,
}


class RequestFailed(Exception):
    """A request that gave no answer to use. ``status`` is None when no answer came, and then
    ``cause`` names why (urllib3's error, e.g. ``SSLError``); ``attempts_left`` and
    ``retry_after_seconds`` come with a wrong PIN and a lockout."""

    def __init__(
        self,
        kind: FailureKind,
        detail: str,
        status: int | None = None,
        attempts_left: int | None = None,
        retry_after_seconds: int | None = None,
        cause: str | None = None,
    ) -> None:
        super().__init__(f"{kind.value}: {detail}")
        self.kind = kind
        self.detail = detail
        self.status = status
        self.cause = cause
        self.attempts_left = attempts_left
        self.retry_after_seconds = retry_after_seconds


def unreadable(status: int | None = None) -> RequestFailed:
    """The failure for an answer the kiosk cannot read."""
    return RequestFailed(FailureKind.UNAVAILABLE, "the service answered with something unreadable", status)


@dataclass(frozen=True)
class Answer:
    """A successful answer: its status, its JSON body (None when empty) and its headers."""

    status: int
    body: Any
    headers: Mapping[str, str]

    def fields(self) -> dict[str, Any]:
        """The body as a JSON object, or :func:`unreadable`."""
        if not isinstance(self.body, dict):
            raise unreadable(self.status)
        return self.body


class ServiceTransport:
    """Requests to the central service from this kiosk (any thread). ``retries`` bounds how
    often one request is sent again; ``backoff_seconds`` spaces those tries out."""

    def __init__(
        self,
        base_url: str,
        token: str,
        timeout_seconds: float = 3.0,
        retries: int = 2,
        verify: bool | str = True,
        backoff_seconds: float = 0.1,
    ) -> None:
        self._base_url = base_url.rstrip("/")
        self._headers = {"Authorization": f"Bearer {token}", "Accept": "application/json", "User-Agent": "opet-kiosk"}
        self._timeout_seconds = timeout_seconds
        self._retries = max(0, retries)
        self._verify = verify
        self._backoff_seconds = backoff_seconds
        self._pool: urllib3.PoolManager | None = None
        self._lock = threading.Lock()

    def call(
        self,
        method: str,
        path: str,
        *,
        expect: tuple[int, ...] = (200,),
        query: Mapping[str, str] | None = None,
        body: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        idempotency_key: str | None = None,
        retry: bool = True,
    ) -> Answer:
        """Sends one request (retried as the module says unless ``retry`` is False) and returns
        its answer when the status is one of ``expect``; raises :class:`RequestFailed` otherwise."""
        import urllib3

        sent_headers = {**self._headers, **(headers or {})}
        if idempotency_key is not None:
            sent_headers[IDEMPOTENCY_HEADER] = idempotency_key
        url = self._base_url + path + (f"?{urlencode(query)}" if query else "")
        try:
            response = self._connections().request(
                method,
                url,
                body=None if body is None else json.dumps(body).encode(),
                headers={**sent_headers, "Content-Type": "application/json"} if body is not None else sent_headers,
                retries=self._retry_policy(method, idempotency_key is not None, retry),
                timeout=urllib3.Timeout(connect=self._timeout_seconds, read=self._timeout_seconds),
                redirect=False,
            )
        except urllib3.exceptions.HTTPError as exc:
            cause = type(getattr(exc, "reason", None) or exc).__name__  # what made the last try fail, e.g. SSLError
            raise RequestFailed(FailureKind.UNAVAILABLE, f"service unreachable ({cause})", cause=cause) from None
        parsed = _json_or_none(response.data)
        if response.status not in expect:
            raise _failure(response.status, parsed, response.headers)
        return Answer(response.status, parsed, response.headers)

    def close(self) -> None:
        """Closes the pooled connections (a later request opens new ones)."""
        with self._lock:
            if self._pool is not None:
                self._pool.clear()

    def _connections(self) -> urllib3.PoolManager:
        with self._lock:
            if self._pool is None:
                import urllib3

                tls: dict[str, Any] = {"cert_reqs": "CERT_REQUIRED" if self._verify else "CERT_NONE"}
                if isinstance(self._verify, str):
                    tls["ca_certs"] = self._verify
                # Up to five threads at once: the two workers, the watcher's early look-up, the
                # probe and the heartbeat; a full pool would close connections and log a warning.
                self._pool = urllib3.PoolManager(num_pools=2, maxsize=8, **tls)
            return self._pool

    def _retry_policy(self, method: str, keyed: bool, retry: bool) -> urllib3.Retry:
        from urllib3.util.retry import Retry

        if not retry:
            return Retry(total=0, redirect=0, raise_on_status=False)
        allowed = Retry.DEFAULT_ALLOWED_METHODS | ({"POST"} if keyed and method == "POST" else set())
        return Retry(
            total=self._retries,
            connect=self._retries,
            read=self._retries,
            status=self._retries,
            redirect=0,
            backoff_factor=self._backoff_seconds,
            status_forcelist=RETRIED_STATUSES,
            allowed_methods=allowed,
            raise_on_status=False,
        )


def _json_or_none(data: bytes) -> Any:
    if not data:
        return None
    try:
        return json.loads(data)
    except ValueError:
        return None


def _failure(status: int, body: Any, headers: Mapping[str, str]) -> RequestFailed:
    """The failure an error answer stands for: by its error code, else by its status."""
    error = body.get("error") if isinstance(body, dict) else None
    error = error if isinstance(error, dict) else {}
    code = str(error.get("code", ""))
    kind = _KIND_OF_CODE.get(code)  # type: ignore[call-overload]  (a StrEnum member is its string)
    if kind is None:
        if status in (401, 403):
            kind = FailureKind.UNAUTHORIZED
        elif status in (409, 422):
            kind = FailureKind.REJECTED
        else:
            kind = FailureKind.UNAVAILABLE
    return RequestFailed(
        kind,
        f"HTTP {status} {code or 'no error code'}",
        status,
        attempts_left=_optional_int(error.get("attempts_left")),
        retry_after_seconds=_optional_int(error.get("retry_after_seconds") or headers.get("Retry-After")),
    )


def _optional_int(value: object) -> int | None:
    try:
        return None if value is None else int(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
