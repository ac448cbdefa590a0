"""The driver's screen classes: each turns a KioskState into the properties its .kv rules show
(screens.registry says which class and .kv file each screen name has)."""
from __future__ import annotations

from kivy.app import App
from kivy.clock import Clock, ClockEvent
from kivy.properties import BooleanProperty, NumericProperty, ObjectProperty, StringProperty
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.screenmanager import Screen
from kivy.uix.widget import Widget

from kiosk.formatting import format_as_of, format_day, format_points, format_signed_points, group_digits
from kiosk.holder_form import shown_birth_date
from kiosk.state import ActivationField, AttendantCall, KioskState
from screens import texts
from screens.i18n import Translator


class PotTile(BoxLayout):
    """One point pot: what it is, how much, what it can be spent on."""

    title = StringProperty("")
    amount = StringProperty("")
    note = StringProperty("")


class MovementRow(BoxLayout):
    """One recent movement of the card on the balance screen."""

    day = StringProperty("")
    station = StringProperty("")
    pot = StringProperty("")
    amount = StringProperty("")


class TapHint(Widget):
    """A card with a ring that swings between near and wide, only while the attract screen is shown.

    Two slow steps, not an animation: every change redraws the whole window, ~25 ms of CPU
    under software rendering (no GPU). A continuous animation at the frame cap cost a full
    core, four steps every 1.6 s 10-25 %; a step every 3 s keeps the attract screen under 1 %
    of a core (bench.kiosk_idle_cpu).
    """

    STEPS = (0.0, 0.6)
    STEP_SECONDS = 3.0

    pulse = NumericProperty(0.0)
    _ticker: ClockEvent | None = None
    _step = 0

    def start(self) -> None:
        if self._ticker is None:
            self._ticker = Clock.schedule_interval(self._advance, self.STEP_SECONDS)

    def stop(self) -> None:
        if self._ticker is not None:
            self._ticker.cancel()
            self._ticker = None
            self._step = 0
            self.pulse = 0.0

    def _advance(self, _dt: float) -> None:
        self._step = (self._step + 1) % len(self.STEPS)
        self.pulse = self.STEPS[self._step]


class KioskScreen(Screen):
    def show(self, state: KioskState, tr: Translator) -> None:
        """Take what this screen shows from ``state``; the default shows nothing variable."""


class AttractScreen(KioskScreen):
    """The tap animation runs only while this screen is shown (idle CPU elsewhere)."""

    def on_kv_post(self, _base_widget: object) -> None:
        if self.manager is None or self.manager.current == self.name:
            self.ids.tap_hint.start()

    def on_enter(self, *_args: object) -> None:
        if "tap_hint" in self.ids:
            self.ids.tap_hint.start()

    def on_leave(self, *_args: object) -> None:
        self.ids.tap_hint.stop()


class ReadingScreen(KioskScreen):
    masked_number = StringProperty("")

    def show(self, state: KioskState, tr: Translator) -> None:
        self.masked_number = state.masked_number


class AttendantCallMixin:
    """A "Call an attendant" button and what became of the call, on every problem screen."""

    attendant_text = StringProperty("")
    calling = BooleanProperty(False)

    def show_call(self, state: KioskState, tr: Translator) -> None:
        self.attendant_text = texts.attendant_text(tr._, state.attendant_call)
        self.calling = state.attendant_call in (AttendantCall.CALLING, AttendantCall.CALLED)


class BalanceScreen(AttendantCallMixin, KioskScreen):
    """Both pots and the card's status; its buttons are the next step the status calls for:
    activate here (or other ways), register first, or call an attendant for a blocked card."""

    card_text = StringProperty("")
    fuel_text = StringProperty("")
    autogas_text = StringProperty("")
    status_text = StringProperty("")
    detail_text = StringProperty("")
    needs_activation = BooleanProperty(False)
    speaking = BooleanProperty(False)
    movements_note = StringProperty("")
    _spoken = ""
    _movements_shown: tuple[object, ...] | None = None
    activate_here = BooleanProperty(False)
    needs_registration = BooleanProperty(False)
    blocked = BooleanProperty(False)

    def show(self, state: KioskState, tr: Translator) -> None:
        from kiosk.balance import CardStatus
        from kiosk.session import can_activate_here

        balance = state.balance
        self.speaking = state.speaking
        if balance is None:
            return
        language = state.language
        from screens.speech_texts import balance_speech

        self._spoken = balance_speech(tr._, balance, language)
        self.card_text = tr._("Card {number}").format(number=state.masked_number)
        self.fuel_text = f"{format_points(balance.fuel, language)} Paropuan"
        self.autogas_text = f"{format_points(balance.autogas, language)} Paropuan"
        self.status_text = texts.status_text(tr._, balance.status)
        self.needs_activation = balance.needs_activation
        self.needs_registration = balance.needs_activation and not balance.holder_registered
        self.activate_here = can_activate_here(balance)
        self.blocked = balance.status is CardStatus.BLOCKED
        self.show_call(state, tr)
        as_of = tr._("Balance as of {time}").format(time=format_as_of(balance.as_of, language))
        registration = texts.registration_text(tr._, balance.holder_registered)
        self.detail_text = f"{registration}\n{as_of}" if registration else as_of
        self._show_movements(state, tr)
        self._arrange_buttons()

    def _show_movements(self, state: KioskState, tr: Translator) -> None:
        """The last earnings and spendings, one row each (date, station, pot, amount)."""
        if state.movements_unavailable:
            self.movements_note = tr._("Recent movements cannot be shown right now.")
        elif state.movements == ():
            self.movements_note = tr._("No earnings or spendings yet.")
        else:
            self.movements_note = ""
        shown = (state.language, state.movements)
        if shown == self._movements_shown:
            return
        self._movements_shown = shown
        rows = self.ids.movement_rows
        rows.clear_widgets()
        for movement in state.movements or ():
            rows.add_widget(MovementRow(
                day=format_day(movement.at, state.language),
                station=movement.station,
                pot=texts.pot_name(tr._, movement.pot),
                amount=format_signed_points(movement.signed_points, state.language),
            ))

    def read_aloud(self) -> None:
        """The "Read aloud" button: this balance, read in the screen's language (again: stop)."""
        from kivy.app import App

        App.get_running_app().session.read_aloud(self._spoken)

    _BUTTONS = ("activate_here_button", "activation_button", "registration_button", "call_button", "ok_button")

    def _arrange_buttons(self) -> None:
        """The row holds only the next steps this card's status calls for, then OK."""
        if not hasattr(self, "_buttons"):  # the widgets themselves: ids hold weak references
            self._buttons = {name: self.ids[name].__self__ for name in self._BUTTONS}
        wanted = {
            "activate_here_button": self.activate_here,
            "activation_button": self.needs_activation and not self.needs_registration,
            "registration_button": self.needs_registration,
            "call_button": self.blocked or self.needs_registration,
            "ok_button": True,
        }
        row = self.ids.button_row
        shown = [self._buttons[name] for name in self._BUTTONS if wanted[name]]
        if list(reversed(row.children)) != shown:
            row.clear_widgets()
            for button in shown:
                row.add_widget(button)


class ProblemScreen(AttendantCallMixin, KioskScreen):
    title = StringProperty("")
    hint = StringProperty("")
    masked_number = StringProperty("")

    def show(self, state: KioskState, tr: Translator) -> None:
        if state.problem is not None:
            self.title, self.hint = texts.problem_texts(tr._, state.problem)
        self.masked_number = state.masked_number
        self.show_call(state, tr)


class KeypadScreen(KioskScreen):
    grouped_digits = StringProperty("")
    error_text = StringProperty("")

    def show(self, state: KioskState, tr: Translator) -> None:
        self.grouped_digits = group_digits(state.typed_digits)
        self.error_text = texts.keypad_error_text(tr._, state.keypad_error, len(state.typed_digits))


class ActivationHelpScreen(KioskScreen):
    sms_text = StringProperty("")
    digits_hint = StringProperty("")
    example_text = StringProperty("")
    qr_texture = ObjectProperty(None, allownone=True)

    def show(self, state: KioskState, tr: Translator) -> None:
        last10 = state.balance.last10 if state.balance is not None else None
        self.sms_text = texts.sms_template(tr._, last10)
        self.digits_hint = texts.sms_digits_hint(tr._, last10)
        self.example_text = tr._("Example: {example}").format(example=texts.SMS_EXAMPLE)
        from screens.qr import sms_qr_texture  # qrcode is imported only when this screen is shown

        # The message itself is always in the SMS rule's Turkish form.
        self.qr_texture = sms_qr_texture(f"PARO {last10} AD SOYAD GG.AA.YYYY" if last10 else "PARO ")


class LostCardScreen(AttendantCallMixin, KioskScreen):
    def show(self, state: KioskState, tr: Translator) -> None:
        self.show_call(state, tr)


class RegistrationHelpScreen(AttendantCallMixin, KioskScreen):
    """How to register a card, then activate it: in that order."""

    def show(self, state: KioskState, tr: Translator) -> None:
        self.show_call(state, tr)


class ActivateHereScreen(KioskScreen):
    """The holder's name (Turkish keyboard) and birth date (keypad) for the service's online
    activation. Shows only what the session's state holds: when the driver leaves, the state
    drops the form and these properties are emptied with it."""

    name_text = StringProperty("")
    birth_text = StringProperty("")
    focus = StringProperty("name")
    notice = StringProperty("")
    busy = BooleanProperty(False)
    card_text = StringProperty("")

    def on_kv_post(self, _base_widget: object) -> None:
        from screens.keyboard import OnScreenKeyboard

        keyboard = OnScreenKeyboard(size_hint_y=None)
        keyboard.bind(on_key=lambda _keyboard, key: App.get_running_app().session.activation_key(key),
                      on_erase=lambda _keyboard: App.get_running_app().session.activation_erase())
        self.bind(focus=lambda _screen, focus: setattr(keyboard, "letters", focus == ActivationField.NAME.value))
        keyboard.key_min = App.get_running_app().touch_min
        self.ids.keyboard_column.add_widget(keyboard)
        self.ids["keyboard"] = keyboard

    def on_leave(self, *_args: object) -> None:
        """The driver left this screen (OK, back, timeout): what was typed leaves the widgets too.
        A Kivy label keeps its last laid-out words until it lays out others, and an empty text
        lays out nothing: the fields lay out a blank first, so the name leaves that cache too."""
        self.name_text = self.birth_text = " "
        for field in (self.ids.name_field, self.ids.birth_field):
            field.texture_update()
        self.name_text = self.birth_text = self.notice = self.card_text = ""

    def show(self, state: KioskState, tr: Translator) -> None:
        form = state.activation
        self.card_text = tr._("Card {number}").format(number=state.masked_number) if form is not None else ""
        self.name_text = form.name if form is not None else ""
        self.birth_text = shown_birth_date(form.birth_digits) if form is not None else ""
        self.focus = form.focus.value if form is not None else ActivationField.NAME.value
        self.busy = form.busy if form is not None else False
        self.notice = texts.activation_notice_text(tr._, form.notice if form is not None else None)

