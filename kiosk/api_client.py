"""The driver's side of the central service: balance look-ups, health probes and calls for an
attendant, on the kiosk's one :class:`~kiosk.transport.ServiceTransport`.

Look-ups are GETs, so the transport retries them on a lost connection or a 502/503/504; a
failure is a :class:`~kiosk.transport.RequestFailed` whose kind the session turns into what
the driver is told.
"""
from __future__ import annotations

import datetime as dt
from datetime import datetime

from hardware.card_number import CardNumber
from hardware.card_uid import CardUid
from kiosk.balance import RECENT_MOVEMENTS, Balance, CardStatus, Entry, Movement, MovementKind, Pot
from kiosk.transport import Answer, RequestFailed, ServiceTransport, unreadable


class CentralClient:
    """Balance look-ups (by number or by chip UID), ``/healthz`` probes and attendant calls."""

    def __init__(self, transport: ServiceTransport) -> None:
        self._transport = transport

    def balance(self, number: CardNumber, entry: Entry) -> Balance:
        """The card's balance, or :class:`RequestFailed`."""
        return _balance(number, self._transport.call("GET", f"/v1/cards/{number.digits}", query={"entry": entry.value}))

    def balance_by_uid(self, uid: CardUid, entry: Entry) -> Balance:
        """The balance of the card whose chip has ``uid`` (its ``number`` then None), or :class:`RequestFailed`."""
        return _balance(None, self._transport.call("GET", f"/v1/cards/by-uid/{uid.hex}", query={"entry": entry.value}))

    def look_up(self, card: CardNumber | CardUid, entry: Entry) -> Balance:
        """The balance of a card read by its number or by its UID."""
        if isinstance(card, CardUid):
            return self.balance_by_uid(card, entry)
        return self.balance(card, entry)

    def recent_movements(self, card: CardNumber | CardUid, entry: Entry) -> tuple[Movement, ...]:
        """The card's last earnings and spendings, newest first (``GET .../movements``: masked,
        no holder data; it spends the device's look-up budget like a balance), or :class:`RequestFailed`."""
        path = f"/v1/cards/by-uid/{card.hex}/movements" if isinstance(card, CardUid) else f"/v1/cards/{card.digits}/movements"
        return _movements(card, self._transport.call("GET", path, query={"entry": entry.value}))
    def activate(self, number: CardNumber, full_name: str, birth_date: dt.date) -> Balance:
        """``POST /v1/cards/{number}/activation``: the holder's name and birth date activate the
        card; the answer is its balance, now active. Each attempt spends the card's activation
        budget at the service (shared with SMS activation; a success gives it back); a POST
        without an ``Idempotency-Key``, it is sent again only when it never reached the service."""
        answer = self._transport.call(
            "POST", f"/v1/cards/{number.digits}/activation",
            body={"full_name": full_name, "birth_date": birth_date.isoformat()},
        )
        return _balance(number, answer)

    def call_attendant(self, reason: str) -> None:
        """``POST /v1/assistance``: an attendant is asked to come to this kiosk. Sent again only
        when it could not be sent at all; a second press while a call is open is answered, not doubled."""
        self._transport.call("POST", "/v1/assistance", body={"reason": reason}, expect=(200, 201))

    def healthy(self) -> bool:
        """One quick ``GET /healthz`` (no retries): does the service answer, database included?"""
        try:
            self._transport.call("GET", "/healthz", retry=False)
        except RequestFailed:
            return False
        return True

    def close(self) -> None:
        """Closes the transport's connections."""
        self._transport.close()


def _balance(number: CardNumber | None, answer: Answer) -> Balance:
    body = answer.fields()
    try:
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
        raise unreadable(answer.status) from None


def _movements(card: CardNumber | CardUid, answer: Answer) -> tuple[Movement, ...]:
    body = answer.fields()
    try:
        last4 = str(body["number_last4"])
        if isinstance(card, CardNumber) and last4 != card.last4:
            raise ValueError("number_last4")
        movements = tuple(
            Movement(
                at=datetime.fromisoformat(item["at"]),
                kind=MovementKind(item["kind"]),
                station=str(item["station"]),
                pot=Pot(item["pot"]),
                points=int(item["points"]),
            )
            for item in body["movements"]
        )
        if len(movements) > RECENT_MOVEMENTS or any(movement.points < 0 for movement in movements):
            raise ValueError("movements")
        return movements
    except (ValueError, KeyError, TypeError):
        raise unreadable(answer.status) from None
