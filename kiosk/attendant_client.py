"""HTTP client for attendant mode: sign-in, finding a holder's card, replacement, registration.

Separate from :mod:`kiosk.api_client` (the driver's look-ups) because every call here carries
an attendant session, and because its one non-idempotent change, the replacement, is retried
by hand with the same ``Idempotency-Key`` (urllib3 never retries a POST). No exception leaving
this module carries a card number, a name, a PIN or a session token.
"""
from __future__ import annotations

import datetime as dt
import enum
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

from hardware.card_number import CardNumber
from kiosk.balance import CardStatus
from kiosk.lazy_http import LazySession, new_session, request_error

if TYPE_CHECKING:
    import requests

SESSION_HEADER = "X-Attendant-Session"
REPLAYED_HEADER = "Idempotent-Replayed"


class AttendantFailureKind(enum.Enum):
    """Why an attendant request gave no answer to use; each has its own message on screen."""

    WRONG_PIN = "wrong_pin"
    LOCKED = "locked"
    SESSION_ENDED = "session_ended"
    UNKNOWN_CARD = "unknown_card"
    NOT_REGISTERED = "not_registered"
    ALREADY_REPLACED = "already_replaced"
    SAME_CARD = "same_card"
    NEW_CARD_TAKEN = "new_card_taken"
    WRONG_BIRTH_DATE = "wrong_birth_date"
    CARD_BLOCKED = "card_blocked"
    ALREADY_REGISTERED = "already_registered"
    REJECTED = "rejected"
    KIOSK_NOT_AUTHORIZED = "kiosk_not_authorized"
    UNAVAILABLE = "unavailable"


class AttendantRequestFailed(Exception):
    """``kind`` says what to tell the attendant; ``attempts_left`` and ``retry_after_seconds``
    come with a wrong PIN and a lockout."""

    def __init__(
        self,
        kind: AttendantFailureKind,
        detail: str,
        attempts_left: int | None = None,
        retry_after_seconds: int | None = None,
    ) -> None:
        super().__init__(f"{kind.value}: {detail}")
        self.kind = kind
        self.detail = detail
        self.attempts_left = attempts_left
        self.retry_after_seconds = retry_after_seconds


_ERROR_CODES = {
    "bad_attendant_pin": AttendantFailureKind.WRONG_PIN,
    "attendant_locked": AttendantFailureKind.LOCKED,
    "attendant_session_invalid": AttendantFailureKind.SESSION_ENDED,
    "unknown_card": AttendantFailureKind.UNKNOWN_CARD,
    "not_registered": AttendantFailureKind.NOT_REGISTERED,
    "card_replaced": AttendantFailureKind.ALREADY_REPLACED,
    "same_card": AttendantFailureKind.SAME_CARD,
    "new_card_not_blank": AttendantFailureKind.NEW_CARD_TAKEN,
    "wrong_birth_date": AttendantFailureKind.WRONG_BIRTH_DATE,
    "card_blocked": AttendantFailureKind.CARD_BLOCKED,
    "card_retired": AttendantFailureKind.CARD_BLOCKED,
    "already_registered": AttendantFailureKind.ALREADY_REGISTERED,
    "unauthorized": AttendantFailureKind.KIOSK_NOT_AUTHORIZED,
}


@dataclass(frozen=True)
class SignedIn:
    """An open attendant session; ``token`` goes only into request headers."""

    token: str
    code: str
    name: str


@dataclass(frozen=True)
class MaskedHolder:
    """A holder's details as the service masks them, for comparing with an ID document
    (``phone`` is empty for an old record without one)."""

    name: str
    birth_date: str
    phone: str


@dataclass(frozen=True)
class HolderCard:
    """A card found by number or by identity; ``card_ref`` names it in this session only."""

    card_ref: str
    number_last4: str
    status: CardStatus
    fuel: int
    autogas: int
    holder: MaskedHolder | None


@dataclass(frozen=True)
class ReplacementDone:
    """What the service did: both pots moved, the old card closed. ``replayed`` is True when
    the answer is the stored one of an earlier try with the same key."""

    confirmation_code: str
    old_last4: str
    new_last4: str
    moved_fuel: int
    moved_autogas: int
    new_fuel: int
    new_autogas: int
    replayed: bool


@dataclass(frozen=True)
class RegistrationDone:
    number_last4: str
    status: CardStatus


@dataclass(frozen=True)
class HolderDetails:
    """The customer information form as the attendant filled it in."""

    full_name: str
    birth_date: dt.date
    phone: str
    consent: bool

    def as_json(self) -> dict[str, object]:
        return {
            "full_name": self.full_name,
            "birth_date": self.birth_date.isoformat(),
            "phone": self.phone,
            "consent": self.consent,
        }


class AttendantClient:
    """This kiosk's attendant calls, with its device token."""

    def __init__(
        self,
        base_url: str,
        token: str,
        timeout_seconds: float = 3.0,
        change_tries: int = 3,
        verify: bool | str = True,
        retry_pause_seconds: float = 0.3,
    ) -> None:
        self._base_url = base_url.rstrip("/")
        self._timeout = timeout_seconds
        self._change_tries = max(1, change_tries)
        self._retry_pause = retry_pause_seconds
        self._verify = verify
        self._http = LazySession(lambda: new_session(token))

    def sign_in(self, code: str, pin: str) -> SignedIn:
        body = self._call("POST", "/v1/attendant-sessions", None, {"code": code, "pin": pin}, expect=201)
        try:
            return SignedIn(str(body["session_token"]), str(body["attendant"]["code"]), str(body["attendant"]["name"]))
        except (KeyError, TypeError):
            raise _unreadable() from None

    def sign_out(self, session: SignedIn) -> None:
        self._call("DELETE", "/v1/attendant-sessions/current", session, None, expect=204)

    def find_by_number(self, session: SignedIn, number: CardNumber) -> HolderCard:
        body = self._call("POST", "/v1/attendant/card-lookups", session, {"card_number": number.digits})
        return _holder_card(body)

    def find_by_identity(self, session: SignedIn, full_name: str, birth_date: dt.date, phone: str) -> list[HolderCard]:
        body = self._call(
            "POST",
            "/v1/attendant/holder-searches",
            session,
            {"full_name": full_name, "birth_date": birth_date.isoformat(), "phone": phone},
        )
        try:
            return [_holder_card(card) for card in body["cards"]]
        except (KeyError, TypeError):
            raise _unreadable() from None

    def replace(
        self, session: SignedIn, old_card_ref: str, new_number: CardNumber, birth_date: dt.date, key: str
    ) -> ReplacementDone:
        """Move both pots to ``new_number``; ``birth_date`` is the one the attendant read off the
        holder's ID (the service checks it against the holder record). Tried up to
        ``change_tries`` times with the same ``key`` when the answer is lost; the service
        applies it once whatever happens."""
        payload = {"old_card_ref": old_card_ref, "new_card_number": new_number.digits,
                   "birth_date": birth_date.isoformat()}
        body, replayed = self._change("/v1/replacements", session, payload, key)
        try:
            return ReplacementDone(
                confirmation_code=str(body["confirmation_code"]),
                old_last4=str(body["old_card"]["number_last4"]),
                new_last4=str(body["new_card"]["number_last4"]),
                moved_fuel=int(body["moved"]["fuel"]),
                moved_autogas=int(body["moved"]["autogas"]),
                new_fuel=int(body["new_card"]["pots"]["fuel"]),
                new_autogas=int(body["new_card"]["pots"]["autogas"]),
                replayed=replayed,
            )
        except (KeyError, TypeError, ValueError):
            raise _unreadable() from None

    def register(self, session: SignedIn, number: CardNumber, details: HolderDetails, key: str) -> RegistrationDone:
        """Store the customer information form of ``number`` (retried with the same ``key``)."""
        body, _replayed = self._change("/v1/registrations", session, {"card_number": number.digits, **details.as_json()}, key)
        try:
            return RegistrationDone(str(body["number_last4"]), CardStatus(body["status"]))
        except (KeyError, TypeError, ValueError):
            raise _unreadable() from None

    def close(self) -> None:
        self._http.close()

    def _change(self, path: str, session: SignedIn, payload: dict[str, object], key: str) -> tuple[dict, bool]:
        last_failure: AttendantRequestFailed | None = None
        for attempt in range(self._change_tries):
            if attempt:
                time.sleep(self._retry_pause * attempt)
            try:
                response = self._send("POST", path, session, payload, {"Idempotency-Key": key})
            except AttendantRequestFailed as failure:
                last_failure = failure
                continue
            if response.status_code in (502, 503, 504):
                last_failure = _failure_from(response)
                continue
            if response.status_code != 201:
                raise _failure_from(response)
            return _json(response), response.headers.get(REPLAYED_HEADER) == "true"
        assert last_failure is not None
        raise last_failure

    def _call(
        self, method: str, path: str, session: SignedIn | None, payload: dict[str, object] | None, expect: int = 200
    ) -> dict:
        response = self._send(method, path, session, payload, {})
        if response.status_code != expect:
            raise _failure_from(response)
        return _json(response) if expect != 204 else {}

    def _send(
        self, method: str, path: str, session: SignedIn | None, payload: dict[str, object] | None, headers: dict[str, str]
    ) -> requests.Response:
        if session is not None:
            headers = {**headers, SESSION_HEADER: session.token}
        try:
            return self._http.get().request(
                method, self._base_url + path, json=payload, headers=headers, timeout=self._timeout, verify=self._verify
            )
        except request_error() as exc:
            raise AttendantRequestFailed(
                AttendantFailureKind.UNAVAILABLE, f"service unreachable ({type(exc).__name__})"
            ) from None


def _holder_card(body: dict) -> HolderCard:
    try:
        holder = body.get("holder")
        return HolderCard(
            card_ref=str(body["card_ref"]),
            number_last4=str(body["number_last4"]),
            status=CardStatus(body["status"]),
            fuel=int(body["pots"]["fuel"]),
            autogas=int(body["pots"]["autogas"]),
            holder=None
            if holder is None
            else MaskedHolder(
                str(holder["name_masked"]), str(holder["birth_date_masked"]), str(holder.get("phone_masked") or "")
            ),
        )
    except (KeyError, TypeError, ValueError, AttributeError):
        raise _unreadable() from None


def _json(response: requests.Response) -> dict:
    try:
        body = response.json()
    except ValueError:
        raise _unreadable() from None
    if not isinstance(body, dict):
        raise _unreadable()
    return body


def _unreadable() -> AttendantRequestFailed:
    return AttendantRequestFailed(AttendantFailureKind.UNAVAILABLE, "the service answered with something unreadable")


def _failure_from(response: requests.Response) -> AttendantRequestFailed:
    error: dict = {}
    try:
        found = response.json()["error"]
        if isinstance(found, dict):
            error = found
    except (ValueError, KeyError, TypeError):
        pass
    code = str(error.get("code", ""))
    kind = _ERROR_CODES.get(code)
    if kind is None:
        if response.status_code in (401, 403):
            kind = AttendantFailureKind.KIOSK_NOT_AUTHORIZED
        elif response.status_code in (409, 422):
            kind = AttendantFailureKind.REJECTED
        else:
            kind = AttendantFailureKind.UNAVAILABLE
    return AttendantRequestFailed(
        kind,
        f"HTTP {response.status_code} {code or 'no error code'}",
        attempts_left=_optional_int(error.get("attempts_left")),
        retry_after_seconds=_optional_int(error.get("retry_after_seconds") or response.headers.get("Retry-After")),
    )


def _optional_int(value: object) -> int | None:
    try:
        return None if value is None else int(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
