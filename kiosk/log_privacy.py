"""A last line of defence: no kiosk log line ever holds a full 16-digit card number or chip UID.

The kiosk's own code logs only masked values (``CardNumber`` and ``CardUid`` mask themselves),
but libraries log request URLs (urllib3's retry warnings carry ``/v1/cards/<number>`` and
``/v1/cards/by-uid/<uid>``) and exceptions carry them into tracebacks. :func:`install` redacts
every log record as it is made, before any handler sees it, with its traceback and stack.

Not a handler filter: on a station (Kivy's ``MIXED`` log mode) the root logger has no handler,
so library warnings go to Python's last-resort handler; Kivy's console handler ignores handler
filters; and Kivy's formatter renders a traceback again from a copy of the record.
"""
from __future__ import annotations

import logging
import re
import sys
import threading
from collections.abc import Callable
from types import TracebackType
from typing import Any

from opetcard.masking import masked_number

_CARD_NUMBER = re.compile(r"(?<!\d)(?:\d{4}[ -]?){3}(\d{4})(?!\d)")
_UID_IN_PATH = re.compile(r"(/by-uid/)[0-9A-Fa-f]*([0-9A-Fa-f]{4})(?![0-9A-Fa-f])")
_TRACEBACKS = logging.Formatter()
_UNCAUGHT = logging.getLogger("kiosk.uncaught")


def redact(text: str) -> str:
    """Replace every 16-digit number in ``text`` by ``•••• •••• •••• 1234`` and every
    ``/by-uid/<hex>`` by ``/by-uid/…<last four>``."""
    text = _UID_IN_PATH.sub("\\1…\\2", text)
    return _CARD_NUMBER.sub(lambda match: masked_number(match.group(1)), text)


def redact_record(record: logging.LogRecord) -> None:
    """When ``record`` shows a number or UID anywhere, make its message the whole text a
    formatter would show (message, traceback, stack), redacted, and leave nothing else to render."""
    try:
        message = record.getMessage()
    except Exception:  # arguments that do not fit the format: shown, not formatted (logging never raises)
        message = f"{record.msg} % {record.args!r}"
    if record.exc_info and not record.exc_text:
        record.exc_text = _TRACEBACKS.formatException(record.exc_info)
    whole = "\n".join(part for part in (message, record.exc_text, record.stack_info) if part)
    redacted = redact(whole)
    if redacted != whole:
        record.msg, record.args = redacted, None
        record.exc_info, record.exc_text, record.stack_info = None, None, None


class _RedactingRecordFactory:
    """The previous record factory, with every record it makes redacted."""

    def __init__(self, make: Callable[..., logging.LogRecord]) -> None:
        self._make = make

    def __call__(self, *args: Any, **kwargs: Any) -> logging.LogRecord:
        record = self._make(*args, **kwargs)
        redact_record(record)
        return record


def _log_uncaught(
    exc_type: type[BaseException], exc_value: BaseException, exc_traceback: TracebackType | None
) -> None:
    _UNCAUGHT.critical("uncaught exception", exc_info=(exc_type, exc_value, exc_traceback))


def _log_uncaught_in_thread(args: threading.ExceptHookArgs) -> None:
    if args.exc_type is SystemExit:  # as the default hook: a thread's sys.exit() is no error
        return
    name = args.thread.name if args.thread is not None else "?"
    _UNCAUGHT.critical(
        "uncaught exception in thread %s", name, exc_info=(args.exc_type, args.exc_value, args.exc_traceback)
    )


def install() -> None:
    """Redact every log record of this process from now on, and send uncaught exceptions
    (main thread and others) through logging instead of straight to stderr."""
    factory = logging.getLogRecordFactory()
    if not isinstance(factory, _RedactingRecordFactory):
        logging.setLogRecordFactory(_RedactingRecordFactory(factory))
    sys.excepthook = _log_uncaught
    threading.excepthook = _log_uncaught_in_thread
