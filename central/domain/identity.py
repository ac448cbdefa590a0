"""Checking a person's name and birth date against a card's holder record."""
from __future__ import annotations

import datetime as dt
import enum

from central.storage.models import Holder
from opetcard.turkish import names_match


class IdentityCheck(str, enum.Enum):
    """How given details compare with a holder record."""

    MATCH = "match"
    WRONG_NAME = "wrong_name"
    WRONG_BIRTH_DATE = "wrong_birth_date"
    WRONG_NAME_AND_BIRTH_DATE = "wrong_name_and_birth_date"


def check_identity(holder: Holder, full_name: str, birth_date: dt.date) -> IdentityCheck:
    """Compares ``full_name`` (Turkish-folded, see opetcard.turkish) and ``birth_date`` with ``holder``."""
    name_ok = names_match(full_name, holder.full_name)
    date_ok = birth_date == holder.birth_date
    if name_ok and date_ok:
        return IdentityCheck.MATCH
    if name_ok:
        return IdentityCheck.WRONG_BIRTH_DATE
    if date_ok:
        return IdentityCheck.WRONG_NAME
    return IdentityCheck.WRONG_NAME_AND_BIRTH_DATE


IDENTITY_MESSAGES = {
    IdentityCheck.WRONG_NAME: "the name does not match the holder record; check its spelling",
    IdentityCheck.WRONG_BIRTH_DATE: "the birth date does not match the holder record",
    IdentityCheck.WRONG_NAME_AND_BIRTH_DATE: "neither the name nor the birth date matches the holder record",
}
