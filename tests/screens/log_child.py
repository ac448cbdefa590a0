"""Run by test_kiosk_logs.py in a fresh process: logging set up as ``opet-kiosk`` sets it up
(Kivy configured, then the redaction), then a full number and a chip UID sent through each way
a line reaches the journal: urllib3's retry warning, a logged traceback, an uncaught exception
in a thread and in the main thread. Arguments: the number and the UID."""
from __future__ import annotations

import logging
import socket
import sys
import threading

import urllib3
from urllib3.util.retry import Retry

from kiosk import log_privacy
from screens.kivy_setup import configure_kivy


def fail(text: str) -> None:
    raise ValueError(text)


def main(number: str, uid: str) -> None:
    configure_kivy(800, 480, 10.1, fullscreen=False)
    log_privacy.install()
    with socket.socket() as refusing:  # bound, never listening: every connection is refused
        refusing.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{refusing.getsockname()[1]}/v1/cards/by-uid/{uid}?entry=tapped"
        try:
            urllib3.PoolManager(retries=Retry(total=1, backoff_factor=0)).request("GET", url)
        except urllib3.exceptions.MaxRetryError:
            logging.getLogger("kiosk.look_up").exception("look-up failed")
    worker = threading.Thread(target=fail, args=(f"thread read card {number}",), name="card-watcher")
    worker.start()
    worker.join()
    fail(f"main thread read card {number}")


if __name__ == "__main__":
    main(*sys.argv[1:])
