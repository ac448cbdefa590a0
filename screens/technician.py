"""The technician's self-test on screen: a panel over attendant mode, for a signed-in
attendant whose code is in ``[attendant] technician_codes``.

The checks (:mod:`kiosk.self_test`) run on the runtime's worker pool, never on the UI
thread; the panel says "Checking…" until the report arrives. In the kiosk's language like
every screen (texts: :mod:`screens.technician_texts`); commands and config keys stay as typed.
Nothing on it is a customer's.
"""
from __future__ import annotations

from pathlib import Path

from kivy.app import App
from kivy.lang import Builder
from kivy.properties import BooleanProperty, ColorProperty, StringProperty
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.modalview import ModalView

from kiosk.scheduling import Outcome
from kiosk.self_test import SelfTestReport, Status
from screens import technician_texts as texts

KV_FILE = Path(__file__).parent / "kv" / "technician.kv"
STATUS_COLOR = {
    Status.OK: (0.35, 0.85, 0.45, 1),
    Status.WARN: (1, 0.76, 0.2, 1),
    Status.FAIL: (1, 0.38, 0.33, 1),
}


class CheckRow(BoxLayout):
    """One check: its status word, title, value and what to do."""

    status_text = StringProperty("")
    status_color = ColorProperty((1, 1, 1, 1))
    title = StringProperty("")
    value = StringProperty("")
    advice = StringProperty("")


class SelfTestPanel(ModalView):
    """The self-test, over whatever screen is up; closed by its button or when attendant mode closes."""

    summary = StringProperty("")
    running = BooleanProperty(False)

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)
        self._outcome: Outcome[SelfTestReport] | None = None

    def run_checks(self) -> None:
        """Starts the checks on the worker pool; the rows are replaced when they finish."""
        runtime = App.get_running_app().runtime
        self.running = True
        self.summary = ""
        runtime.background.submit(runtime.self_test.run, self._shown)

    def on_open(self) -> None:
        App.get_running_app().tr.fbind("_", self._retranslate)

    def on_dismiss(self) -> None:
        App.get_running_app().tr.funbind("_", self._retranslate)

    def _retranslate(self, *_args: object) -> None:
        if self._outcome is not None:
            self._shown(self._outcome)

    def _shown(self, outcome: Outcome[SelfTestReport]) -> None:
        """Writes the report's rows in the current language (again when the language changes)."""
        self.running = False
        self._outcome = outcome
        tr = App.get_running_app().tr
        _ = tr._
        rows = self.ids.rows
        rows.clear_widgets()
        if outcome.value is None:
            self.summary = texts.self_test_failed_text(_, outcome.error)
            return
        report = outcome.value
        self.summary = texts.summary_text(_, report)
        for check in report.checks:
            rows.add_widget(CheckRow(
                status_text=texts.status_word(_, check.status), status_color=STATUS_COLOR[check.status],
                title=texts.title_text(_, check), value=texts.value_text(_, check, tr.language),
                advice=texts.advice_text(_, check),
            ))


_loaded = False


def open_self_test() -> SelfTestPanel:
    """Opens the panel (its .kv is loaded on first use) and starts the checks."""
    global _loaded
    if not _loaded:
        Builder.load_file(str(KV_FILE))
        _loaded = True
    panel = SelfTestPanel()
    panel.open()
    panel.run_checks()
    return panel
