"""Attendant mode's texts: every notice the desk can show has its own words."""
from __future__ import annotations

import typing

from kiosk.attendant_desk import DeskState, Notice
from screens.attendant_texts import notice_text


def test_every_notice_has_a_text() -> None:
    kinds = typing.get_args(Notice)
    notices = [member for kind in kinds for member in kind]
    assert len(kinds) == 4 and len(notices) > 25
    missing = [notice for notice in notices if not notice_text(lambda message: message, DeskState(notice=notice))]
    assert missing == []
