"""The Kivy application: draws the attract screen, then builds the kiosk runtime and shows
its session state.

Only what the attract screen needs is imported before the first frame: the runtime (session,
API client, worker pool, heartbeat) is imported and built on the clock's turn after that
frame's buffer swap, with the card watcher (issue 8's cold-start budget).
"""
from __future__ import annotations

import enum
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from kivy.app import App
from kivy.clock import Clock, ClockEvent
from kivy.core.window import Window
from kivy.metrics import mm
from kivy.properties import BooleanProperty, ColorProperty, NumericProperty, ObjectProperty
from kivy.uix.button import Button

from kiosk import systemd_notify
from kiosk.config import KioskConfig
from kiosk.state import KioskState
from screens.gestures import LongPressLabel  # noqa: F401  (registers the class kiosk.kv uses)
from screens.frame_pacing import FramePacer
from screens.i18n import Translator
from screens.root import KioskRoot
from screens.views import AttractScreen  # noqa: F401  (registers the class kiosk.kv uses)

if TYPE_CHECKING:
    from kivy.uix.modalview import ModalView

    from kiosk.attendant_desk import AttendantDesk
    from kiosk.scheduling import Scheduler, Timer
    from kiosk.runtime import KioskRuntime
    from kiosk.session import KioskSession

KV_FILE = Path(__file__).parent / "kv" / "kiosk.kv"
TOUCH_TARGET_MM = 15.0

# (background, panel, accent, text on accent, text, muted text)
NORMAL_PALETTE = ((0.04, 0.16, 0.36, 1), (0.09, 0.25, 0.50, 1), (0.97, 0.58, 0.11, 1),
                  (0.04, 0.16, 0.36, 1), (1, 1, 1, 1), (0.80, 0.87, 1, 1))
HIGH_CONTRAST_PALETTE = ((0, 0, 0, 1), (0.12, 0.12, 0.12, 1), (1, 0.92, 0, 1),
                         (0, 0, 0, 1), (1, 1, 1, 1), (1, 1, 1, 1))


class CardInput(enum.Enum):
    """Where taps come from."""

    READER = "reader"  # the PC/SC card watcher: a station kiosk
    DEMO_PCSC = "demo-pcsc"  # the watcher, plus buttons that tap emulated cards through pcscd
    DEMO_READER = "demo-reader"  # no PC/SC: buttons feed a named stand-in reader
    KEYPAD_ONLY = "keypad-only"  # no reader at all: typed numbers only


class ClockScheduler:
    """The core's :class:`kiosk.scheduling.Scheduler` on Kivy's Clock."""

    def call_later(self, delay: float, callback: Callable[[], None]) -> Timer:
        return Clock.schedule_once(lambda _dt: callback(), delay)


def run_on_ui_thread(call: Callable[[], None]) -> None:
    """The core's dispatcher: Clock.schedule_once is safe to call from any thread."""
    Clock.schedule_once(lambda _dt: call(), 0)


class KioskApp(App):
    """The kiosk: the session's state on screen, taps from ``card_input``."""

    kv_file = str(KV_FILE)
    title = "OPET Kart"

    tr = ObjectProperty(None)
    touch_min = NumericProperty(0)
    bg_color = ColorProperty(NORMAL_PALETTE[0])
    panel_color = ColorProperty(NORMAL_PALETTE[1])
    accent_color = ColorProperty(NORMAL_PALETTE[2])
    accent_text_color = ColorProperty(NORMAL_PALETTE[3])
    text_color = ColorProperty(NORMAL_PALETTE[4])
    muted_color = ColorProperty(NORMAL_PALETTE[5])
    technician = BooleanProperty(False)  # the attendant signed in is one of [attendant] technician_codes

    def __init__(
        self,
        kiosk_config: KioskConfig,
        card_input: CardInput = CardInput.READER,
        config_path: str | None = None,
        scheduler: Scheduler | None = None,
        **kwargs: object,
    ) -> None:
        """``scheduler`` runs the core's timers (idle timeouts, the removal linger); Kivy's
        Clock unless given (the UI tests give one that notes which timer fired)."""
        super().__init__(**kwargs)
        self.kiosk_config = kiosk_config
        self.config_path = config_path
        self.self_test_panel: ModalView | None = None  # open while the technician looks at it
        self._card_input = card_input
        self._scheduler = scheduler if scheduler is not None else ClockScheduler()
        # Built once the attract screen is on the glass (_start_behind_attract).
        self.runtime: KioskRuntime | None = None
        self.session: KioskSession | None = None
        self.tr = Translator(kiosk_config.screen.language)
        self.touch_min = mm(TOUCH_TARGET_MM)
        self._behind_attract: ClockEvent | None = None

    def build(self) -> KioskRoot:
        root = KioskRoot()
        Window.bind(on_touch_down=self._on_any_touch)
        screen = self.kiosk_config.screen
        # The state a session starts in (KioskSession's defaults, from the same settings).
        resting = KioskState(language=screen.language, high_contrast=screen.high_contrast)
        self._apply_palette(resting.high_contrast)
        root.show(resting, self.tr)
        return root

    def on_start(self) -> None:
        # The card watcher, the service probe and the heartbeat start once the attract screen is
        # on the glass: their threads (and the HTTP library they import) would delay it otherwise.
        Window.bind(on_flip=self._attract_shown)
        self.pacer = FramePacer(Window)  # started after the first frame: finding libX11 runs ldconfig
        # systemd's watchdog is fed from Kivy's own clock: a frozen UI stops the pings and
        # systemd restarts the kiosk. Outside systemd these calls do nothing.
        interval = systemd_notify.watchdog_interval()
        if interval:
            Clock.schedule_interval(self._feed_watchdog, interval)

    def _attract_shown(self, *_args: object) -> None:
        """The first frame is drawn; its buffer swap comes next (a window's on_flip handlers
        run before the swap itself), so the rest starts at the clock's next turn, after it."""
        Window.unbind(on_flip=self._attract_shown)
        self._behind_attract = Clock.schedule_once(self._start_behind_attract, 0)

    def _start_behind_attract(self, _dt: float) -> None:
        """The attract screen is on the glass: build the runtime, pace frames, start reading
        cards, and tell systemd we are up."""
        from kiosk.runtime import KioskRuntime

        watch_cards = self._card_input in (CardInput.READER, CardInput.DEMO_PCSC)
        self.runtime = KioskRuntime(
            self.kiosk_config, run_on_ui_thread, self._scheduler, watch_cards=watch_cards, config_path=self.config_path
        )
        self.session = self.runtime.session
        if self._card_input in (CardInput.DEMO_PCSC, CardInput.DEMO_READER):
            self._add_demo_bar(self.root, self.session)
        self.pacer.start()
        # A new state redraws at once (the interrupt clock); staying at the busy pace a moment
        # lets layouts settle and the touch that often follows be taken without a wait.
        for source in (self.session, self.desk):  # the driver's session and attendant mode
            source.subscribe(self._show)
            source.subscribe(lambda _state: self.pacer.busy())
        self._show(None)
        self.runtime.start()
        systemd_notify.ready("attract screen shown")

    def _feed_watchdog(self, _dt: float) -> None:
        # Returns None on purpose: a callback returning False (a failed send) would
        # unschedule the interval, and the pings would stop for good.
        systemd_notify.watchdog()

    def on_stop(self) -> None:
        if self._behind_attract is not None:
            self._behind_attract.cancel()  # stopped before the first frame was swapped
        self.pacer.stop()
        systemd_notify.stopping()
        if self.runtime is not None:
            self.runtime.stop()

    @property
    def desk(self) -> AttendantDesk:
        """Attendant mode's core (built after the first frame: the attract screen does not need it)."""
        assert self.runtime is not None, "the runtime is built after the first frame"
        return self.runtime.desk

    def _show(self, _changed: object) -> None:
        """Either state changed: show attendant mode while it is open, else the driver's screens."""
        assert self.session is not None
        state = self.session.state
        self.tr.switch(state.language)
        self._apply_palette(state.high_contrast)
        self.technician = self.desk.signed_in_code in self.kiosk_config.attendant.technician_codes
        if not self.technician and self.self_test_panel is not None:
            self.self_test_panel.dismiss()  # attendant mode closed (signed out, or idle) under the panel
            self.self_test_panel = None
        if self.desk.state.active:
            self.root.show_attendant(state, self.desk.state, self.tr)
        else:
            self.root.show(state, self.tr)

    def open_self_test(self) -> None:
        """The technician's self-test (attendant menu, technician codes only)."""
        if self.technician:
            from screens.technician import open_self_test

            self.self_test_panel = open_self_test()

    def open_attendant_mode(self) -> None:
        """The hidden gesture (hold the title at the top left): attendant sign-in."""
        self.desk.open()

    def _apply_palette(self, high_contrast: bool) -> None:
        palette = HIGH_CONTRAST_PALETTE if high_contrast else NORMAL_PALETTE
        (self.bg_color, self.panel_color, self.accent_color,
         self.accent_text_color, self.text_color, self.muted_color) = palette
        Window.clearcolor = palette[0]

    def _on_any_touch(self, _window: object, _touch: object) -> bool:
        if self.session is not None:  # else: the first frame is not even swapped yet
            self.session.user_activity()
            self.desk.activity()
        return False

    def _add_demo_bar(self, root: KioskRoot, session: KioskSession) -> None:
        """Operator-facing buttons (English) that tap the configured demo cards (the card
        emulator is imported only here: a station kiosk never loads it)."""
        from hardware.card_number import CardNumber
        from kiosk.card_events import CardEventBridge
        from kiosk.demo import DemoReader, EmulatedTap

        if self._card_input is CardInput.DEMO_PCSC:
            tapper = EmulatedTap(self.kiosk_config.demo.emulator_port)
            label = "Demo taps via pcscd"
        else:
            tapper = DemoReader(CardEventBridge(session, run_on_ui_thread))
            label = "Demo reader (no PC/SC)"
        bar = root.ids.demo_bar
        bar.height = max(self.touch_min, 64)
        bar.add_widget(Button(text=label, disabled=True, font_size=18))
        for digits in self.kiosk_config.demo.cards:
            number = CardNumber.parse(digits)
            button = Button(text=f"Tap card …{number.last4}", font_size=22)
            button.bind(on_release=lambda _button, card=number: tapper.tap(card))
            bar.add_widget(button)
