"""Card profiles: how one kind of card yields the identity printed on it.

A profile's :meth:`~CardProfile.read_located` talks to the card through a
:class:`~hardware.apdu.CardConnection` and returns a :class:`CardNumber`, or for cards whose
number is not on the card, a :class:`CardUid`, with where on the card it was found
(:class:`Located`). It raises :class:`ProfileMismatch` when the card
is not of its kind (the watcher then tries the next profile) and an
:class:`~hardware.apdu.ApduError` when it is but cannot be read.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple, Protocol, TypeAlias

if TYPE_CHECKING:  # annotations only: the configuration check imports this package before the first frame
    from hardware.apdu import CardConnection
    from hardware.card_number import CardNumber
    from hardware.card_uid import CardUid

CardIdentity: TypeAlias = "CardNumber | CardUid"


class Located(NamedTuple):
    """A card's identity and where the profile found it (an ISO 7816 addressing such as
    ``current``, a MIFARE block...), for diagnostics."""

    identity: CardIdentity
    addressing: str


class ProfileMismatch(Exception):
    """The card is not of this profile's kind; another profile may read it."""


class CardProfile(Protocol):
    """One way of reading a card; ``name`` is what ``CardRead.profile`` reports."""

    @property
    def name(self) -> str: ...

    def read_located(self, connection: CardConnection) -> Located: ...
