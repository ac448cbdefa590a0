"""The technician's self-test on screen: a panel over attendant mode, for a signed-in
attendant whose code is in ``[attendant] technician_codes``.

The checks (:mod:`kiosk.self_test`) run on the runtime's worker pool, never on the UI
thread; the panel says "Checking…" until the report arrives. Technician-facing, in English
(like ``opet-reader``); nothing on it is a customer's.
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

KV_FILE = Path(__file__).parent / "kv" / "technician.kv"
STATUS_LOOK = {  # what the status column says, and its colour
    Status.OK: ("OK", (0.35, 0.85, 0.45, 1)),
    Status.WARN: ("CHECK", (1, 0.76, 0.2, 1)),
    Status.FAIL: ("FAULT", (1, 0.38, 0.33, 1)),
}
SUMMARY = {
    Status.OK: "Everything checked is working.",
    Status.WARN: "Working, with something to look at below.",
    Status.FAIL: "Something is wrong: see the lines marked FAULT and what to do.",
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

    def run_checks(self) -> None:
        """Starts the checks on the worker pool; the rows are replaced when they finish."""
        runtime = App.get_running_app().runtime
        self.running = True
        self.summary = "Checking…"
        runtime.background.submit(runtime.self_test.run, self._shown)

    def _shown(self, outcome: Outcome[SelfTestReport]) -> None:
        self.running = False
        rows = self.ids.rows
        rows.clear_widgets()
        if outcome.value is None:
            self.summary = f"The self-test itself failed ({type(outcome.error).__name__}): run `opet-reader list` and check the kiosk's log."
            return
        report = outcome.value
        self.summary = f"{SUMMARY[report.worst]}  (checked at {report.finished_at.astimezone():%H:%M:%S})"
        for check in report.checks:
            text, color = STATUS_LOOK[check.status]
            rows.add_widget(CheckRow(status_text=text, status_color=color, title=check.title, value=check.value, advice=check.advice))


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
