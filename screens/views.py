"""The screen classes: each turns a KioskState into the properties its .kv rules show."""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Callable

from kivy.clock import Clock, ClockEvent
from kivy.lang import Builder
from kivy.properties import BooleanProperty, NumericProperty, ObjectProperty, StringProperty
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.screenmanager import Screen, ScreenManager
from kivy.uix.widget import Widget

from kiosk.formatting import format_as_of, format_points, group_digits
from kiosk.state import AttendantCall, KioskState
from screens import texts
from screens.i18n import Translator

if TYPE_CHECKING:
    from kiosk.attendant_desk import DeskState


class PotTile(BoxLayout):
    """One point pot: what it is, how much, what it can be spent on."""

    title = StringProperty("")
    amount = StringProperty("")
    note = StringProperty("")


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


class KioskRoot(BoxLayout):
    """Top bar, reader banner, the screens, and the demo bar (when there is one)."""

    banner = StringProperty("")
    other_language = StringProperty("en")
    other_language_name = StringProperty(texts.LANGUAGE_NAMES["en"])

    def show(self, state: KioskState, tr: Translator) -> None:
        self._show_top(state, tr)
        manager = self.ids.manager
        screen = screen_named(manager, state.screen.value)
        screen.show(state, tr)
        manager.current = state.screen.value

    def show_attendant(self, state: KioskState, desk: DeskState, tr: Translator) -> None:
        """Attendant mode instead of the driver's screens (built the first time it opens)."""
        from screens.attendant import attendant_screen

        self._show_top(state, tr)
        manager = self.ids.manager
        screen = attendant_screen(manager)
        screen.show_desk(state, desk, tr)
        manager.current = screen.name

    def _show_top(self, state: KioskState, tr: Translator) -> None:
        lines = (texts.service_banner(tr._, state.service_reachable), texts.reader_banner(tr._, state.reader))
        self.banner = "\n".join(line for line in lines if line)
        self.other_language = "en" if state.language == "tr" else "tr"
        self.other_language_name = texts.LANGUAGE_NAMES[self.other_language]


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


class BalanceScreen(KioskScreen):
    card_text = StringProperty("")
    fuel_text = StringProperty("")
    autogas_text = StringProperty("")
    status_text = StringProperty("")
    detail_text = StringProperty("")
    needs_activation = BooleanProperty(False)

    def show(self, state: KioskState, tr: Translator) -> None:
        balance = state.balance
        if balance is None:
            return
        language = state.language
        self.card_text = tr._("Card {number}").format(number=state.masked_number)
        self.fuel_text = f"{format_points(balance.fuel, language)} Paropuan"
        self.autogas_text = f"{format_points(balance.autogas, language)} Paropuan"
        self.status_text = texts.status_text(tr._, balance.status)
        self.needs_activation = not balance.can_spend and balance.status.value == "not_activated"
        as_of = tr._("Balance as of {time}").format(time=format_as_of(balance.as_of, language))
        registration = texts.registration_text(tr._, balance.holder_registered)
        self.detail_text = f"{registration}\n{as_of}" if registration else as_of


class ProblemScreen(KioskScreen):
    title = StringProperty("")
    hint = StringProperty("")
    masked_number = StringProperty("")

    def show(self, state: KioskState, tr: Translator) -> None:
        if state.problem is not None:
            self.title, self.hint = texts.problem_texts(tr._, state.problem)
        self.masked_number = state.masked_number


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


class LostCardScreen(KioskScreen):
    attendant_text = StringProperty("")
    calling = BooleanProperty(False)

    def show(self, state: KioskState, tr: Translator) -> None:
        self.attendant_text = texts.attendant_text(tr._, state.attendant_call)
        self.calling = state.attendant_call in (AttendantCall.CALLING, AttendantCall.CALLED)


KV_DIR = Path(__file__).parent / "kv"

_SCREEN_BUILDERS: dict[str, tuple[Callable[[], Screen], Path | None]] = {}


def register_screen(name: str, builder: Callable[[], Screen], kv_file: Path | None = None) -> None:
    """A screen built the first time it is shown, with its .kv rules (``kv_file``) loaded just
    before: only the attract screen is built at start-up (bench.kiosk_cold_start).
    ``builder()`` returns a screen named ``name``."""
    _SCREEN_BUILDERS[name] = (builder, kv_file)


def screen_named(manager: ScreenManager, name: str) -> Screen:
    """The screen ``name`` of ``manager``, built and added on first use."""
    if not manager.has_screen(name):
        builder, kv_file = _SCREEN_BUILDERS[name]
        if kv_file is not None and str(kv_file) not in Builder.files:
            Builder.load_file(str(kv_file))
        manager.add_widget(builder())
    return manager.get_screen(name)


for _name, _builder in (
    ("reading", ReadingScreen),
    ("balance", BalanceScreen),
    ("problem", ProblemScreen),
    ("keypad", KeypadScreen),
    ("activation_help", ActivationHelpScreen),
    ("lost_card", LostCardScreen),
):
    register_screen(_name, _builder, KV_DIR / f"{_name}.kv")
