"""Contactless UID profile: the PC/SC GET DATA pseudo-APDU ``FF CA 00 00 00``.

For cards whose number cannot be read from the card: the UID is reported instead, and the
kiosk resolves it to a number through the central service.
"""
from __future__ import annotations

from dataclasses import dataclass

from hardware.apdu import MAX_SHORT_LE, CardChannel, CardConnection, CommandApdu, InvalidCardData, StatusWordError
from hardware.card_uid import CardUid, InvalidCardUid
from hardware.profiles import Located, ProfileMismatch

GET_UID = CommandApdu(0xFF, 0xCA, 0x00, 0x00, le=MAX_SHORT_LE, name="GET DATA (UID)")
# What readers answer when the card in the field has no UID to give (a contact card, say).
_NO_UID = {0x6A81, 0x6A82, 0x6D00, 0x6E00, 0x6B00}


@dataclass(frozen=True)
class UidProfile:
    """Reports the contactless UID."""

    name: str = "uid"

    def read(self, connection: CardConnection) -> CardUid:
        return self.read_located(connection).identity  # type: ignore[return-value]

    def read_located(self, connection: CardConnection) -> Located:
        response = CardChannel(connection).exchange(GET_UID)
        if response.sw in _NO_UID:
            raise ProfileMismatch(f"reader gives no UID ({response.sw:04X})")
        if response.sw != 0x9000:
            raise StatusWordError(GET_UID.name, response.sw)
        try:
            return Located(CardUid(response.data), "FF CA")
        except InvalidCardUid as exc:
            raise InvalidCardData(str(exc)) from None
