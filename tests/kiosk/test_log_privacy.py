"""The kiosk's log redaction, asserted on the text that real logging calls produce: urllib3's
own retry warnings against a refusing port and a server that hangs up, and tracebacks of
exceptions that carry a full number. (The whole process, under Kivy's log modes:
tests/screens/test_kiosk_logs.py.)"""
from __future__ import annotations

import logging
import socket
import socketserver
import threading
from collections.abc import Iterator

import pytest
import urllib3
from urllib3.util.retry import Retry

NUMBER = "7000070012806566"
UID = "04A1B2C3D4E5F6"
LOOK_UPS = [(f"/v1/cards/by-uid/{UID}", "/v1/cards/by-uid/…E5F6?entry=tapped"),
            (f"/v1/cards/{NUMBER}", "/v1/cards/•••• •••• •••• 6566?entry=tapped")]


@pytest.fixture
def refusing_port() -> Iterator[str]:
    """A port bound but never listening: every connection is refused, and nobody else can take it."""
    with socket.socket() as bound:
        bound.bind(("127.0.0.1", 0))
        yield f"http://127.0.0.1:{bound.getsockname()[1]}"


class _HangUp(socketserver.BaseRequestHandler):
    def handle(self) -> None:
        """Accept, read nothing, answer nothing: the connection closes."""


@pytest.fixture
def hanging_up_server() -> Iterator[str]:
    """A server that accepts every connection and closes it without an answer."""
    with socketserver.ThreadingTCPServer(("127.0.0.1", 0), _HangUp) as server:
        serving = threading.Thread(target=server.serve_forever, daemon=True)
        serving.start()
        yield f"http://127.0.0.1:{server.server_address[1]}"
        server.shutdown()
        serving.join(timeout=10)


@pytest.mark.parametrize("unreachable", ["refusing_port", "hanging_up_server"])
@pytest.mark.parametrize(("path", "shown"), LOOK_UPS, ids=["by-uid", "by-number"])
def test_urllib3_retry_warnings_and_their_failure_show_neither_uid_nor_number(
    kiosk_log_redaction: None, caplog: pytest.LogCaptureFixture, request: pytest.FixtureRequest,
    unreachable: str, path: str, shown: str,
) -> None:
    base_url = request.getfixturevalue(unreachable)
    pool = urllib3.PoolManager(retries=Retry(total=2, backoff_factor=0))
    with caplog.at_level(logging.WARNING):
        try:
            pool.request("GET", f"{base_url}{path}?entry=tapped")
        except urllib3.exceptions.MaxRetryError:
            logging.getLogger("kiosk.look_up").exception("look-up failed")
        else:
            pytest.fail("the look-up reached a server")
    retries = [record for record in caplog.records if record.name.startswith("urllib3") and "Retrying" in record.msg]
    assert len(retries) == 2, caplog.text  # urllib3's own warnings, both redacted
    assert NUMBER not in caplog.text and UID not in caplog.text
    assert caplog.text.count(shown) == 3  # in both retry warnings and in the traceback's MaxRetryError
    assert "Traceback (most recent call last)" in caplog.text


def _read_card(digits: str) -> None:
    raise ValueError(f"no profile could read card {digits}")


def _tap(digits: str) -> None:
    try:
        _read_card(digits)
    except ValueError as exc:
        raise RuntimeError(f"tap of {digits[:4]} {digits[4:8]} {digits[8:12]} {digits[12:]} failed") from exc


def test_a_logged_traceback_shows_the_last_four_digits_only(kiosk_log_redaction: None, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.ERROR):
        try:
            _tap(NUMBER)
        except RuntimeError:
            logging.getLogger("kiosk.session").exception("the tap was not read")
    assert NUMBER not in caplog.text and "7000 0700 1280 6566" not in caplog.text
    assert "the tap was not read\nTraceback (most recent call last)" in caplog.text
    assert "ValueError: no profile could read card •••• •••• •••• 6566" in caplog.text  # the cause
    assert "RuntimeError: tap of •••• •••• •••• 6566 failed" in caplog.text
    assert "in _read_card" in caplog.text  # the traceback is all there, only the number is masked


def test_a_stack_and_arguments_are_redacted_too(kiosk_log_redaction: None, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO):
        logging.getLogger("kiosk.reader").info("read %s from %s", NUMBER, f"/by-uid/{UID.lower()}", stack_info=True)
    assert NUMBER not in caplog.text and UID.lower() not in caplog.text
    assert "read •••• •••• •••• 6566 from /by-uid/…e5f6\nStack (most recent call last)" in caplog.text


def test_text_without_a_number_is_left_alone(kiosk_log_redaction: None, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO):
        logging.getLogger("kiosk.session").info("port %d, %s", 35963, "17 digits 12345678901234567 /by-uid/{uid}")
    [record] = caplog.records
    assert (record.msg, record.args) == ("port %d, %s", (35963, "17 digits 12345678901234567 /by-uid/{uid}"))


def test_arguments_that_do_not_fit_are_shown_redacted_and_never_raise(
    kiosk_log_redaction: None, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO):
        logging.getLogger("kiosk.session").info("card %(number)s", {"digits": NUMBER})  # KeyError in logging's hands
    assert NUMBER not in caplog.text and "•••• •••• •••• 6566" in caplog.text
