"""Attendant mode on screen: one Kivy screen whose panels show the desk's state.

Built on first use by screens.registry (its .kv file is loaded then), so a kiosk that never
opens attendant mode pays nothing for it at start-up. Every button calls the desk
(``app.desk``); what is shown comes only from :class:`kiosk.attendant_desk.DeskState`.
"""
from __future__ import annotations

from kivy.app import App
from kivy.factory import Factory
from kivy.metrics import dp
from kivy.properties import BooleanProperty, NumericProperty, StringProperty
from kivy.uix.anchorlayout import AnchorLayout
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.screenmanager import Screen, ScreenManager

from kiosk.attendant_desk import DeskState, DeskStep
from kiosk.holder_form import FormField
from kiosk.state import KioskState
from screens import attendant_texts as texts
from screens.i18n import Translator

# The Turkish Q keyboard's letter rows. Where twelve keys of the touch-target size do not fit,
# the letters wrap in alphabetical order instead (Q, W and X included for foreign names)
# rather than shrinking the keys.
LETTER_ROWS = ("QWERTYUIOPĞÜ", "ASDFGHJKLŞİ", "ZXCVBNMÖÇ")
ALPHABET = "ABCÇDEFGĞHIİJKLMNOÖPQRSŞTUÜVWXYZ"
DIGIT_ROWS = ("123", "456", "789")

_PANEL_OF_STEP = {
    DeskStep.SIGN_IN: "sign_in",
    DeskStep.MENU: "menu",
    DeskStep.FIND_BY_NUMBER: "card_number",
    DeskStep.TAP_NEW_CARD: "card_number",
    DeskStep.TAP_CARD_TO_REGISTER: "card_number",
    DeskStep.FIND_BY_IDENTITY: "identity",
    DeskStep.REGISTRATION_FORM: "identity",
    DeskStep.CHOOSE_CARD: "choose",
    DeskStep.CONFIRM_IDENTITY: "confirm_identity",
    DeskStep.CONFIRM_MOVE: "confirm_move",
    DeskStep.MOVE_DONE: "outcome",
    DeskStep.MOVE_UNCERTAIN: "outcome",
    DeskStep.MOVE_REFUSED: "outcome",
    DeskStep.REGISTERED: "outcome",
}
_OUTCOME_STEPS = (DeskStep.MOVE_DONE, DeskStep.MOVE_UNCERTAIN, DeskStep.MOVE_REFUSED, DeskStep.REGISTERED)


class OnScreenKeyboard(BoxLayout):
    """Capital Turkish letters (every letter of the alphabet, Ç Ğ I İ Ö Ş Ü included) or
    digits; fires ``on_key`` with the character and ``on_erase``. Keys are never narrower than
    ``key_min`` (the touch-target size): rows wrap when the keyboard is narrow."""

    letters = BooleanProperty(True)
    key_min = NumericProperty(dp(60))
    spacing_px = NumericProperty(dp(4))
    __events__ = ("on_key", "on_erase")

    def __init__(self, **kwargs: object) -> None:
        super().__init__(orientation="vertical", **kwargs)
        self._layout: tuple[bool, int] | None = None
        self.bind(letters=self._rebuild, width=self._rebuild, key_min=self._rebuild)

    def on_key(self, key: str) -> None:
        """Default handler."""

    def on_erase(self) -> None:
        """Default handler."""

    def _rows(self, per_row: int) -> list[str]:
        if not self.letters:
            return list(DIGIT_ROWS)
        if per_row >= max(len(row) for row in LETTER_ROWS):
            return list(LETTER_ROWS)
        return [ALPHABET[i : i + per_row] for i in range(0, len(ALPHABET), per_row)]

    def _rebuild(self, *_args: object) -> None:
        spacing = self.spacing_px
        per_row = max(3, int((self.width + spacing) // (self.key_min + spacing)))
        if self._layout == (self.letters, per_row):
            return
        self._layout = (self.letters, per_row)
        self.clear_widgets()
        self.spacing = spacing
        rows = self._rows(per_row)
        widest = max(len(row) for row in rows)
        key_width = max(self.key_min, min(dp(140), (self.width - spacing * (widest - 1)) / widest))
        for row in rows:
            self.add_widget(self._row([self._key(char, key_width) for char in row]))
        self.add_widget(self._row(self._last_row(key_width, widest)))
        self.height = len(self.children) * self.key_min + (len(self.children) - 1) * spacing

    def _last_row(self, key_width: float, widest: int) -> list:
        """As wide as the widest row: ``-``, space and delete for letters; ``0`` and delete for digits."""
        spacing = self.spacing_px
        row_width = widest * key_width + (widest - 1) * spacing
        erase_width = 2 * key_width + spacing
        if not self.letters:
            return [self._key("0", row_width - erase_width - spacing), self._erase_key(erase_width)]
        space_width = row_width - key_width - erase_width - 2 * spacing
        return [self._key("-", key_width), self._key(" ", space_width, label_id="Space"), self._erase_key(erase_width)]

    def _row(self, keys: list) -> AnchorLayout:
        row = BoxLayout(size_hint=(None, None), spacing=self.spacing_px, height=self.key_min)
        for key in keys:
            row.add_widget(key)
        row.width = sum(key.width for key in keys) + self.spacing_px * (len(keys) - 1)
        holder = AnchorLayout(size_hint_y=None, height=self.key_min)
        holder.add_widget(row)
        return holder

    def _key(self, char: str, width: float, label_id: str = "") -> object:
        key = Factory.KeyboardKey(width=width, height=self.key_min)
        key.char = char
        key.label_id = label_id
        key.bind(on_release=lambda _key: self.dispatch("on_key", char))
        return key

    def _erase_key(self, width: float) -> object:
        key = Factory.KeyboardKey(width=width, height=self.key_min)
        key.label_id = "Delete"
        key.bind(on_release=lambda _key: self.dispatch("on_erase"))
        return key


class AttendantScreen(Screen):
    """The whole of attendant mode; its panels (an inner ScreenManager) follow the desk's step."""

    title = StringProperty("")
    attendant_line = StringProperty("")
    notice = StringProperty("")
    busy = BooleanProperty(False)
    signed_in = BooleanProperty(False)
    focus = StringProperty("")
    keyboard_letters = BooleanProperty(False)
    code_text = StringProperty("")
    pin_text = StringProperty("")
    number_text = StringProperty("")
    name_text = StringProperty("")
    birth_text = StringProperty("")
    phone_text = StringProperty("")
    consent = BooleanProperty(False)
    is_registration = BooleanProperty(False)
    card_prompt = StringProperty("")
    is_number_search = BooleanProperty(False)
    chosen_line = StringProperty("")
    holder_name = StringProperty("")
    holder_birth = StringProperty("")
    holder_phone = StringProperty("")
    can_confirm_identity = BooleanProperty(False)
    move_cards = StringProperty("")
    move_amounts = StringProperty("")
    outcome_title = StringProperty("")
    outcome_detail = StringProperty("")
    confirmation_code = StringProperty("")
    can_retry = BooleanProperty(False)
    choices = StringProperty("")  # one line per card; the buttons are rebuilt when it changes

    def show_desk(self, kiosk: KioskState, desk: DeskState, tr: Translator) -> None:
        _ = tr._
        language = kiosk.language
        step = desk.step
        self.title = texts.step_title(_, step)
        self.signed_in = step is not DeskStep.SIGN_IN
        self.attendant_line = _("Signed in: {name}").format(name=desk.attendant_name) if desk.attendant_name else ""
        self.notice = "" if step in _OUTCOME_STEPS else texts.notice_text(_, desk)
        self.busy = desk.busy
        self.focus = desk.focus.value if desk.focus is not None else ""
        self.keyboard_letters = desk.focus is FormField.FULL_NAME
        self.code_text = desk.text(FormField.ATTENDANT_CODE)
        self.pin_text = texts.field_text(desk, FormField.PIN)
        self.number_text = texts.field_text(desk, FormField.CARD_NUMBER)
        self.name_text = texts.field_text(desk, FormField.FULL_NAME)
        self.birth_text = texts.field_text(desk, FormField.BIRTH_DATE)
        self.phone_text = texts.field_text(desk, FormField.PHONE)
        self.consent = desk.consent
        self.is_registration = step is DeskStep.REGISTRATION_FORM
        self.is_number_search = step is DeskStep.FIND_BY_NUMBER
        self.card_prompt = _card_prompt(_, desk)
        self._show_chosen(desk, tr, language)
        self.move_cards, self.move_amounts = texts.move_summary(_, desk, language)
        self.outcome_title, self.outcome_detail = texts.outcome_texts(_, desk, language)
        self.confirmation_code = desk.moved.confirmation_code if step is DeskStep.MOVE_DONE and desk.moved else ""
        self.can_retry = step is DeskStep.MOVE_UNCERTAIN
        self._show_choices(desk, tr, language)
        panels: ScreenManager = self.ids.panels
        panels.current = _PANEL_OF_STEP.get(step, "sign_in")

    def _show_chosen(self, desk: DeskState, tr: Translator, language: str) -> None:
        chosen = desk.chosen
        if chosen is None:
            self.chosen_line = self.holder_name = self.holder_birth = self.holder_phone = ""
            self.can_confirm_identity = False
            return
        self.chosen_line = texts.card_line(tr._, chosen, language)
        self.holder_name, self.holder_birth, self.holder_phone = texts.holder_lines(tr._, chosen)
        self.can_confirm_identity = chosen.why_not_replaceable is None

    def _show_choices(self, desk: DeskState, tr: Translator, language: str) -> None:
        lines = [texts.card_line(tr._, card, language) for card in desk.cards] if desk.step is DeskStep.CHOOSE_CARD else []
        joined = "\n".join(lines)
        if joined == self.choices:
            return
        self.choices = joined
        box = self.ids.choice_list
        box.clear_widgets()
        for index, line in enumerate(lines):
            button = Factory.ChoiceButton(text=line)
            button.bind(on_release=lambda _button, i=index: App.get_running_app().desk.choose(i))
            box.add_widget(button)


def _card_prompt(_: texts.Gettext, desk: DeskState) -> str:
    if desk.step is DeskStep.TAP_NEW_CARD:
        return _("Hold the new card near the reader, or type the number printed on it.")
    if desk.step is DeskStep.TAP_CARD_TO_REGISTER:
        return _("Hold the card to register near the reader, or type the number printed on it.")
    return _("Type the number of the lost card (it is on the holder's receipts and in the app), or search by the holder's details.")

