"""Fixtures shared by the kiosk core's tests."""
from __future__ import annotations

import logging
import sys
import threading
from collections.abc import Iterator

import pytest

from kiosk import log_privacy


@pytest.fixture
def kiosk_log_redaction() -> Iterator[None]:
    """The log redaction opet-kiosk installs, for one test; logging's and the exception hooks restored after."""
    saved = logging.getLogRecordFactory(), sys.excepthook, threading.excepthook
    log_privacy.install()
    yield
    logging.setLogRecordFactory(saved[0])
    sys.excepthook, threading.excepthook = saved[1], saved[2]
