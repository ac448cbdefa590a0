"""The attendant desk and the driver's session wired as the runtime wires them, with the
attendant's taps as methods; the rule tests give it scripted answers, the contract tests the
real client over HTTP."""
from __future__ import annotations

from typing import Any

from hardware.card_number import CardNumber
from kiosk.attendant_desk import AttendantDesk, DeskSettings, DeskState
from kiosk.holder_form import FormField
from kiosk.scheduling import BackgroundWork
from kiosk.session import KioskSession, Lookup, SessionSettings
from tests.kiosk.ui_thread import ManualScheduler, UiQueue

CODE, PIN = "1001", "1234"
IDLE = 90.0


class DeskDriver:
    """``client`` answers the desk (an AttendantClient or a scripted double), ``lookup`` the
    driver's session; the clock is a :class:`ManualScheduler` the test advances."""

    def __init__(self, client: Any, lookup: Lookup) -> None:
        self.ui = UiQueue()
        self.clock = ManualScheduler()
        self.background = BackgroundWork(self.ui.dispatch)
        self.session = KioskSession(lookup, self.background, self.clock, SessionSettings())
        self.desk = AttendantDesk(
            client, self.background, self.clock, DeskSettings(idle_timeout_seconds=IDLE),
            on_active_changed=lambda active: self.session.divert_cards(self.desk if active else None),
        )
        self.seen: list[DeskState] = []
        self.desk.subscribe(self.seen.append)

    def type(self, form_field: FormField, text: str) -> None:
        self.desk.focus(form_field)
        for key in text:
            self.desk.type_key(key)

    def settle(self) -> DeskState:
        self.ui.pump_until(lambda: not self.desk.state.busy)
        return self.desk.state

    def sign_in(self, code: str = CODE, pin: str = PIN) -> DeskState:
        self.desk.open()
        self.type(FormField.ATTENDANT_CODE, code)
        self.type(FormField.PIN, pin)
        self.desk.sign_in()
        return self.settle()

    def find_by_number(self, number: CardNumber) -> DeskState:
        self.desk.start_replacement()
        self.type(FormField.CARD_NUMBER, number.digits)
        self.desk.find()
        return self.settle()

    def find_by_identity(self, full_name: str, birth: str, phone: str) -> DeskState:
        """Signed in: start a replacement and search by the holder's name, birth date and mobile."""
        self.desk.start_replacement()
        self.desk.find_by_identity_instead()
        self.type(FormField.FULL_NAME, full_name)
        self.type(FormField.BIRTH_DATE, birth)
        self.type(FormField.PHONE, phone)
        self.desk.find()
        return self.settle()

    def confirm_identity(self, birth: str) -> DeskState:
        """The attendant checked the ID and types its birth date (GGAAYYYY) on the date keypad."""
        self.type(FormField.BIRTH_DATE, birth)
        self.desk.identity_confirmed()
        return self.desk.state
