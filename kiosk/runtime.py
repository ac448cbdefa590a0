"""The kiosk's composition root: config in, a running session with its card watcher out.

The UI toolkit provides only ``dispatch`` (run on the UI thread) and a ``Scheduler``; this
module builds the one transport to the service and its clients, the background pool, the
driver's session, attendant mode's desk, the card watcher and the fleet heartbeat, and wires
the watcher's events into the session and the heartbeat.

The app builds the runtime once its attract screen is drawn (issue 8's cold-start budget); the
card watcher (pyscard) is imported and started later still, in :meth:`KioskRuntime.start`.
"""
from __future__ import annotations

import logging
from functools import cached_property
from typing import TYPE_CHECKING

from hardware.card_number import CardNumber
from hardware.card_uid import CardUid
from kiosk.api_client import CentralClient
from kiosk.attendant_client import AttendantClient
from kiosk.attendant_desk import AttendantDesk, DeskSettings
from kiosk.balance import Balance, Entry
from kiosk.config import KioskConfig
from kiosk.connectivity import ServiceMonitor
from kiosk.heartbeat import FleetHealth, HeartbeatClient, HeartbeatSender, queue_for_environment
from kiosk.scheduling import BackgroundWork, Dispatch, Scheduler
from kiosk.self_test import DeliveryLog, ReaderLog, SelfTest
from kiosk.session import KioskSession, SessionSettings
from kiosk.speech import Speaker
from kiosk.transport import FailureKind, RequestFailed, ServiceTransport

if TYPE_CHECKING:
    from hardware.watcher import CardWatcher
    from kiosk.card_events import EarlyLookup

log = logging.getLogger(__name__)


class KioskRuntime:
    """Owns every long-lived part of a kiosk; ``start()`` once, ``stop()`` once."""

    def __init__(
        self,
        config: KioskConfig,
        dispatch: Dispatch,
        scheduler: Scheduler,
        watch_cards: bool = True,
        config_path: str | None = None,
    ) -> None:
        self.config = config
        self.config_path = config_path
        self._dispatch = dispatch
        self._watch_cards = watch_cards
        service = config.service
        self.transport = ServiceTransport(
            service.url, service.device_token(), service.timeout_seconds, service.retries, verify=service.tls_verify()
        )
        self.client = CentralClient(self.transport)
        self.background = BackgroundWork(dispatch)
        screen = config.screen
        settings = SessionSettings(
            idle_timeout_seconds=screen.idle_timeout_seconds,
            removal_linger_seconds=screen.removal_linger_seconds,
            default_language=screen.language,
            high_contrast=screen.high_contrast,
            require_luhn=screen.check_digit,
            typed_lookups_per_minute=screen.typed_lookups_per_minute,
        )
        self.speaker = Speaker(dispatch, config.speech.words_per_minute) if config.speech.enabled else None
        self.session = KioskSession(
            self._lookup, self.background, scheduler, settings, call_attendant=self.client.call_attendant,
            speaker=self.speaker, movements=self.client.recent_movements,
            activate=self.client.activate,
        )
        self.monitor = ServiceMonitor(
            self.client.healthy,
            self.session.service_reachability_changed,
            dispatch,
            up_interval=service.probe_seconds,
            down_interval=service.probe_when_down_seconds,
        )
        self.health = FleetHealth()
        self.session.subscribe(self.health.observe)
        # The technician's self-test reads the last delivery and the last reads from these logs.
        self.deliveries = DeliveryLog(HeartbeatClient(self.transport))
        self.reader_log: ReaderLog | None = None
        self.heartbeat = HeartbeatSender(
            self.health,
            self.deliveries,
            queue_for_environment(),
            interval_seconds=service.heartbeat_seconds,
        )
        self.desk = AttendantDesk(
            AttendantClient(self.transport),
            self.background,
            scheduler,
            DeskSettings(idle_timeout_seconds=config.attendant.idle_timeout_seconds, require_luhn=screen.check_digit),
            on_active_changed=self._attendant_mode_changed,
        )
        self.early_lookup: EarlyLookup | None = None
        self.watcher: CardWatcher | None = None

    def start(self) -> None:
        """Builds and starts the card watcher, then the service probe and the heartbeat."""
        from hardware.watcher import CardWatcher
        from kiosk.card_events import CardEventBridge, EarlyLookup

        self.early_lookup = EarlyLookup(self._lookup_now)
        self.early_lookup.enabled = not self.desk.state.active
        if self._watch_cards:
            reader = self.config.reader
            bridge = CardEventBridge(self.session, self._dispatch, self.health, self.early_lookup)
            self.reader_log = ReaderLog(bridge)
            self.watcher = CardWatcher(
                self.reader_log, reader.card_profiles(), reader_filter=reader.name_filter or None, tap_feedback=reader.feedback_command()
            )
            self.watcher.start()
        self.monitor.start()
        self.heartbeat.start()
        log.info("kiosk started; service %s", self.config.service.url)

    @cached_property
    def self_test(self) -> SelfTest:
        """The technician's checks of this station (run them on ``background``: they block)."""
        return SelfTest(self.config, self.transport, self.config_path, self.reader_log, self.deliveries)

    def _attendant_mode_changed(self, active: bool) -> None:
        """While attendant mode is open, tapped cards go to its desk, not to a driver's balance."""
        if self.early_lookup is not None:
            self.early_lookup.enabled = not active
        self.session.divert_cards(self.desk if active else None)

    def _lookup(self, card: CardNumber | CardUid, entry: Entry) -> Balance:
        """The session's look-up: the one the watcher's thread already started for this tap, if any."""
        early = self.early_lookup.take(card, entry) if self.early_lookup is not None else None
        return early.result() if early is not None else self._lookup_now(card, entry)

    def _lookup_now(self, card: CardNumber | CardUid, entry: Entry) -> Balance:
        """A balance look-up (by number or UID) that also tells the monitor when the service seems gone."""
        try:
            return self.client.look_up(card, entry)
        except RequestFailed as failure:
            if failure.kind is FailureKind.UNAVAILABLE:
                self.monitor.suspect()
            raise

    def stop(self) -> None:
        if self.speaker is not None:
            self.speaker.stop()
        if self.watcher is not None:
            self.watcher.stop()
        self.heartbeat.stop()
        self.monitor.stop()
        self.desk.close()
        if self.early_lookup is not None:
            self.early_lookup.shutdown()
        self.background.shutdown()
        self.transport.close()
