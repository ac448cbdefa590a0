"""The app's root widget: the top bar, the reader and service banners, the screens (driver's
or attendant mode's) and the demo bar."""
from __future__ import annotations

from typing import TYPE_CHECKING

from kivy.properties import StringProperty
from kivy.uix.boxlayout import BoxLayout

from kiosk.state import KioskState
from screens import texts
from screens.i18n import Translator
from screens.registry import ATTENDANT, screen_named

if TYPE_CHECKING:
    from kiosk.attendant_desk import DeskState


class KioskRoot(BoxLayout):
    """Top bar, reader banner, the screens, and the demo bar (when there is one)."""

    banner = StringProperty("")
    other_language = StringProperty("en")
    other_language_name = StringProperty(texts.LANGUAGE_NAMES["en"])

    def show(self, state: KioskState, tr: Translator) -> None:
        """The driver's screen for ``state``."""
        self._show_top(state, tr)
        manager = self.ids.manager
        screen_named(manager, state.screen.value).show(state, tr)
        manager.current = state.screen.value

    def show_attendant(self, state: KioskState, desk: DeskState, tr: Translator) -> None:
        """Attendant mode instead of the driver's screens."""
        self._show_top(state, tr)
        manager = self.ids.manager
        screen_named(manager, ATTENDANT).show_desk(state, desk, tr)
        manager.current = ATTENDANT

    def _show_top(self, state: KioskState, tr: Translator) -> None:
        lines = (texts.service_banner(tr._, state.service_reachable), texts.reader_banner(tr._, state.reader))
        self.banner = "\n".join(line for line in lines if line)
        self.other_language = "en" if state.language == "tr" else "tr"
        self.other_language_name = texts.LANGUAGE_NAMES[self.other_language]
