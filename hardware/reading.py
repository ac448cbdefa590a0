"""Reading one card: the configured profiles tried in order on one connection."""
from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import NamedTuple

from hardware.apdu import CardConnection
from hardware.profiles import CardIdentity, CardProfile, ProfileMismatch
from hardware.profiles.iso7816 import Iso7816Profile

log = logging.getLogger(__name__)

DEFAULT_PROFILES: tuple[CardProfile, ...] = (Iso7816Profile(),)


class Identified(NamedTuple):
    """What a read found: the identity, the profile that read it and where on the card."""

    identity: CardIdentity
    profile: str
    addressing: str


class UnsupportedCard(Exception):
    """No configured profile recognises the card."""


def read_identity(connection: CardConnection, profiles: Sequence[CardProfile]) -> Identified:
    """The card's number (or UID), the name of the profile that read it and its addressing.

    Raises :class:`UnsupportedCard` when every profile says the card is not of its kind;
    transport and :class:`~hardware.apdu.ApduError` exceptions pass through.
    """
    for profile in profiles:
        try:
            identity, addressing = profile.read_located(connection)
            return Identified(identity, profile.name, addressing)
        except ProfileMismatch as exc:
            log.debug("profile %s does not fit: %s", profile.name, exc)
    raise UnsupportedCard(f"no profile reads this card (tried {', '.join(p.name for p in profiles)})")
