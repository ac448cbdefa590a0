"""HTTP sessions built at their first request, so that ``requests`` is not imported at start-up.

The attract screen needs no HTTP, and importing ``requests`` (with urllib3, charset_normalizer,
idna and certifi) was about 0.1 s of the kiosk's cold start (``python -X importtime -c 'import
screens.app'``; issue 8 asks the kiosk to import nothing the attract screen does not need).
The clients build a :class:`LazySession` instead of a session, and catch :func:`request_error`.
"""
from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Callable

if TYPE_CHECKING:
    import requests


def request_error() -> type[Exception]:
    """``requests.RequestException``, for ``except request_error():`` (evaluated only when
    something was raised, by which time requests is imported)."""
    import requests

    return requests.RequestException


def new_session(token: str) -> requests.Session:
    """A session that sends this kiosk's device token and asks for JSON."""
    import requests

    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {token}"
    session.headers["Accept"] = "application/json"
    return session


class LazySession:
    """The session ``build`` makes, made once at the first :meth:`get`, from any thread."""

    def __init__(self, build: Callable[[], requests.Session]) -> None:
        self._build = build
        self._session: requests.Session | None = None
        self._lock = threading.Lock()

    def get(self) -> requests.Session:
        with self._lock:
            if self._session is None:
                self._session = self._build()
            return self._session

    def close(self) -> None:
        with self._lock:
            if self._session is not None:
                self._session.close()
