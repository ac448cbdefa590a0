"""Request bodies are read whole, within a size limit, and JSON ones parsed for repeated keys,
before any route sees them.

- A body larger than :data:`MAX_BODY_BYTES` is 413 ``body_too_large``: at once when its
  ``Content-Length`` says so, else as soon as the chunks received pass the limit (a chunked
  body has no length), so nothing larger is ever held or parsed.
- A JSON body that repeats a key in any object is 422 ``duplicate_key``: ``json.loads`` would
  silently keep the last value, and a proxy, a log or a signature check upstream may have
  seen the first.

The body is then handed to the app unchanged. The largest legitimate body, a kiosk heartbeat
with its readers and error counts, is under 4 KiB.
"""
from __future__ import annotations

import json
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from central.api.errors import error_response

MAX_BODY_BYTES = 16 * 1024


class _TooLarge(Exception):
    pass


class _DuplicateKey(ValueError):
    pass


def _refuse_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    keys = [key for key, _value in pairs]
    if len(set(keys)) != len(keys):
        raise _DuplicateKey
    return dict(pairs)


def repeats_a_key(body: bytes) -> bool:
    """True when ``body`` is JSON with a key repeated in one of its objects (invalid JSON: False,
    the route's own parsing refuses it)."""
    try:
        json.loads(body, object_pairs_hook=_refuse_duplicates)
    except _DuplicateKey:
        return True
    except ValueError:
        return False
    return False


class BodyGuard:
    """ASGI middleware: the size limit and the repeated-key check of every request body."""

    def __init__(self, app: ASGIApp, max_body_bytes: int = MAX_BODY_BYTES) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        declared = headers.get(b"content-length", b"").strip()
        if declared.isdigit() and int(declared) > self.max_body_bytes:
            await self._too_large(scope, receive, send)
            return
        try:
            body = await self._read(receive)
        except _TooLarge:
            await self._too_large(scope, receive, send)
            return
        if body is None:  # the client went away mid-body: nothing to answer
            return
        if b"json" in headers.get(b"content-type", b"").lower() and repeats_a_key(body):
            response = error_response(422, "duplicate_key", "the JSON body repeats a key in one object")
            await response(scope, receive, send)
            return
        await self.app(scope, _replay(body, receive), send)

    async def _read(self, receive: Receive) -> bytes | None:
        """The whole body; None if the client disconnected first; :class:`_TooLarge` past the limit."""
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return None
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_body_bytes:
                raise _TooLarge
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        return b"".join(chunks)

    async def _too_large(self, scope: Scope, receive: Receive, send: Send) -> None:
        response = error_response(413, "body_too_large", f"the request body may hold at most {self.max_body_bytes} bytes",
                                  headers={"Connection": "close"})
        await response(scope, receive, send)


def _replay(body: bytes, receive: Receive) -> Receive:
    """A ``receive`` that hands the app the body already read, then waits as the original would."""
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay
