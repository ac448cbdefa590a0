"""The kiosk's composition root: config in, a running session with its card watcher out.

The UI toolkit provides only ``dispatch`` (run on the UI thread) and a ``Scheduler``; this
module builds the API client, the background pool, the session and the card watcher, and
wires the watcher's events into the session.
"""
from __future__ import annotations

import logging

from hardware.watcher import CardWatcher
from kiosk.api_client import BalanceClient
from kiosk.card_events import CardEventBridge
from kiosk.config import KioskConfig
from kiosk.scheduling import BackgroundWork, Dispatch, Scheduler
from kiosk.session import KioskSession, SessionSettings

log = logging.getLogger(__name__)


class KioskRuntime:
    """Owns every long-lived part of a kiosk; ``start()`` once, ``stop()`` once."""

    def __init__(self, config: KioskConfig, dispatch: Dispatch, scheduler: Scheduler, watch_cards: bool = True) -> None:
        self.config = config
        self.client = BalanceClient(
            config.service.url,
            config.service.device_token(),
            timeout_seconds=config.service.timeout_seconds,
            retries=config.service.retries,
        )
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
        self.session = KioskSession(self.client.balance, self.background, scheduler, settings)
        self.watcher: CardWatcher | None = None
        if watch_cards:
            bridge = CardEventBridge(self.session, dispatch)
            self.watcher = CardWatcher(bridge, reader_filter=config.reader.name_filter or None)

    def start(self) -> None:
        if self.watcher is not None:
            self.watcher.start()
        log.info("kiosk started; service %s", self.config.service.url)

    def stop(self) -> None:
        if self.watcher is not None:
            self.watcher.stop()
        self.background.shutdown()
        self.client.close()
