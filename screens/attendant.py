"""Attendant mode on screen: one Kivy screen whose panels show the desk's state.

Built on first use by screens.registry (its .kv file is loaded then), so a kiosk that never
opens attendant mode pays nothing for it at start-up. Every button calls the desk
(``app.desk``); what is shown comes only from :class:`kiosk.attendant_desk.DeskState`.
"""
from __future__ import annotations

from kivy.app import App
from kivy.factory import Factory
from kivy.properties import BooleanProperty, ObjectProperty, StringProperty
from kivy.uix.screenmanager import Screen, ScreenManager

from kiosk.attendant_desk import DeskState, DeskStep
from kiosk.holder_form import FormField
from kiosk.state import KioskState
from screens import attendant_texts as texts
from screens.i18n import Translator
from screens.keyboard import OnScreenKeyboard  # noqa: F401  (registers the class attendant.kv uses)

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


class AttendantScreen(Screen):
    """The whole of attendant mode; its panels (an inner ScreenManager) follow the desk's step."""

    _receipt = ""

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
    receipt_texture = ObjectProperty(None, allownone=True)
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
        self._show_receipt(desk, tr, language)
        self.can_retry = step is DeskStep.MOVE_UNCERTAIN
        self._show_choices(desk, tr, language)
        panels: ScreenManager = self.ids.panels
        panels.current = _PANEL_OF_STEP.get(step, "sign_in")

    def _show_receipt(self, desk: DeskState, tr: Translator, language: str) -> None:
        """The QR code of the replacement's receipt, while its outcome is on screen."""
        done = desk.moved if desk.step is DeskStep.MOVE_DONE else None
        text = texts.receipt_text(tr._, done, language) if done is not None else ""
        if text != self._receipt:
            from screens.qr import text_qr_texture  # qrcode is imported only when a receipt is shown

            self._receipt = text
            self.receipt_texture = text_qr_texture(text) if text else None

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
    return _("Tap the old card, or type the number printed on it if the reader cannot read it, or search by the holder's name and birth date.")

