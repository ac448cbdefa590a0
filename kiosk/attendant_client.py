"""Attendant mode's side of the central service: sign-in, finding a holder's card, replacement,
registration, on the kiosk's one :class:`~kiosk.transport.ServiceTransport`.

Every call but the sign-in carries the attendant session. The two changes, a replacement and a
registration, carry an ``Idempotency-Key``: the transport sends them again when their answer is
lost, and the service applies them once whatever happens. Failures are the transport's
:class:`~kiosk.transport.RequestFailed`; no exception leaving this module carries a card
number, a name, a PIN or a session token.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from hardware.card_number import CardNumber
from kiosk.balance import CardStatus
from kiosk.transport import Answer, FailureKind, ServiceTransport, unreadable

SESSION_HEADER = "X-Attendant-Session"
REPLAYED_HEADER = "Idempotent-Replayed"


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

    @property
    def why_not_replaceable(self) -> FailureKind | None:
        """Why this card cannot be replaced (None when it can): the service's own refusals,
        known before asking it. A card without a holder record cannot be checked against an ID.
        A blocked card (reported lost) can: that is what replacing a lost card is for."""
        if self.status is CardStatus.REPLACED:
            return FailureKind.ALREADY_REPLACED
        if self.holder is None:
            return FailureKind.NOT_REGISTERED
        return None


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
    done_at: dt.datetime | None = None
    """When the service answered (the new card's ``as_of``): the time on the holder's receipt."""


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
    """This kiosk's attendant calls."""

    def __init__(self, transport: ServiceTransport) -> None:
        self._transport = transport

    def sign_in(self, code: str, pin: str) -> SignedIn:
        body = self._transport.call("POST", "/v1/attendant-sessions", body={"code": code, "pin": pin}, expect=(201,)).fields()
        try:
            return SignedIn(str(body["session_token"]), str(body["attendant"]["code"]), str(body["attendant"]["name"]))
        except (KeyError, TypeError):
            raise unreadable() from None

    def sign_out(self, session: SignedIn) -> None:
        self._transport.call("DELETE", "/v1/attendant-sessions/current", headers=_session(session), expect=(204,))

    def find_by_number(self, session: SignedIn, number: CardNumber) -> HolderCard:
        answer = self._transport.call(
            "POST", "/v1/attendant/card-lookups", body={"card_number": number.digits}, headers=_session(session)
        )
        return _holder_card(answer.fields())

    def find_by_identity(
        self, session: SignedIn, full_name: str, birth_date: dt.date, phone: str | None
    ) -> list[HolderCard]:
        """The holder's cards by name and birth date, and by phone too when one is given (an old
        holder record has none)."""
        body: dict[str, str] = {"full_name": full_name, "birth_date": birth_date.isoformat()}
        if phone is not None:
            body["phone"] = phone
        answer = self._transport.call("POST", "/v1/attendant/holder-searches", body=body, headers=_session(session))
        try:
            return [_holder_card(card) for card in answer.fields()["cards"]]
        except (KeyError, TypeError):
            raise unreadable() from None

    def replace(
        self, session: SignedIn, old_card_ref: str, new_number: CardNumber, birth_date: dt.date, key: str
    ) -> ReplacementDone:
        """Move both pots to ``new_number``; ``birth_date`` is the one the attendant read off the
        holder's ID (the service checks it against the holder record). Sent again with the same
        ``key`` when the answer is lost; the service applies it once whatever happens."""
        payload = {"old_card_ref": old_card_ref, "new_card_number": new_number.digits,
                   "birth_date": birth_date.isoformat()}
        answer = self._change("/v1/replacements", session, payload, key)
        body = answer.fields()
        try:
            return ReplacementDone(
                confirmation_code=str(body["confirmation_code"]),
                old_last4=str(body["old_card"]["number_last4"]),
                new_last4=str(body["new_card"]["number_last4"]),
                moved_fuel=int(body["moved"]["fuel"]),
                moved_autogas=int(body["moved"]["autogas"]),
                new_fuel=int(body["new_card"]["pots"]["fuel"]),
                new_autogas=int(body["new_card"]["pots"]["autogas"]),
                replayed=answer.headers.get(REPLAYED_HEADER) == "true",
                done_at=dt.datetime.fromisoformat(body["new_card"]["as_of"]),
            )
        except (KeyError, TypeError, ValueError):
            raise unreadable() from None

    def register(self, session: SignedIn, number: CardNumber, details: HolderDetails, key: str) -> RegistrationDone:
        """Store the customer information form of ``number`` (sent again with the same ``key``)."""
        body = self._change("/v1/registrations", session, {"card_number": number.digits, **details.as_json()}, key).fields()
        try:
            return RegistrationDone(str(body["number_last4"]), CardStatus(body["status"]))
        except (KeyError, TypeError, ValueError):
            raise unreadable() from None

    def close(self) -> None:
        """Closes the transport's connections."""
        self._transport.close()

    def _change(self, path: str, session: SignedIn, payload: dict[str, object], key: str) -> Answer:
        return self._transport.call(
            "POST", path, body=payload, headers=_session(session), idempotency_key=key, expect=(201,)
        )


def _session(session: SignedIn) -> dict[str, str]:
    return {SESSION_HEADER: session.token}


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
        raise unreadable() from None
