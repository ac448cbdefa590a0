"""The floor of the central service on a machine: its two hot requests with no framework at all.

A yardstick for ``bench.central_load --floor``, not the service: a bare ASGI app that makes
exactly the service's database calls — a balance look-up as LoopReader's one statement (the
device by its token's hash, its look-up budget charged, the card), a sale as one call of
``opet_sale`` (migration 0008) on the same psycopg pools — and nothing else: no routing, no
middleware, no validation beyond ``json.loads``, no metrics, no error shapes. Whatever it cannot
carry on a machine, the service cannot either; the gap between the two runs is what FastAPI,
validation and the service's own checks cost per request there.

PostgreSQL only. ``python -m bench.floor_app --port P --workers N`` serves it as ``opet-central
serve --workers N`` serves the service (central.api.workers: uvicorn with uvloop and httptools,
a SO_REUSEPORT socket per worker), its database URL in ``$OPET_FLOOR_DATABASE``.
"""
from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import os
from typing import Any

from central.api.observe import configure_logging
from central.api.workers import serve_workers, uvicorn_options
from central.cli import KEEP_ALIVE_SECONDS
from central.domain.earning import station_date
from central.domain.settings import Settings
from central.domain.tokens import hash_token
from central.storage.db import Database
from central.storage.ledger_pg import book_sale
from central.storage.limits import Scope
from central.storage.loop_reads import LoopReader
from central.storage.models import POT_OF_FUEL, FuelType

DATABASE_ENVIRONMENT = "OPET_FLOOR_DATABASE"
_SETTINGS = Settings(tapped_lookups_per_minute=1_000_000)


class FloorApp:
    """The ASGI app (see the module docstring)."""

    def __init__(self) -> None:
        self.reads: LoopReader | None = None

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
        elif scope["type"] == "http":
            status, body = await self._answer(scope, receive)
            await send({"type": "http.response.start", "status": status,
                        "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]})
            await send({"type": "http.response.body", "body": body})

    async def _lifespan(self, receive: Any, send: Any) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                self.reads = LoopReader(Database.connect(os.environ[DATABASE_ENVIRONMENT]))
                await self.reads.open()
                await send({"type": "lifespan.startup.complete"})
            else:
                assert self.reads is not None
                await self.reads.aclose()
                await send({"type": "lifespan.shutdown.complete"})
                return

    async def _answer(self, scope: dict[str, Any], receive: Any) -> tuple[int, bytes]:
        assert self.reads is not None
        if scope["path"] == "/healthz":
            return 200, b'{"status":"ok"}'
        headers = dict(scope["headers"])
        token_hash = hash_token(headers[b"authorization"].decode().partition(" ")[2])
        now = _SETTINGS.clock()
        if scope["method"] == "GET":
            charge = _SETTINGS.tapped_lookups().parameters(Scope.TAPPED_LOOKUP, "", now)
            del charge["subject"]
            found = await self.reads.look_up(token_hash, "number", scope["path"].rpartition("/")[2], charge)
            if found.card is None:
                return 404, b'{"error":"unknown_card"}'
            card = found.card
            return 200, json.dumps({"number_last4": card.number[-4:], "status": card.status,
                                    "fuel_points": card.fuel_points, "autogas_points": card.autogas_points}).encode()
        body = await _body(receive)
        sale = json.loads(body)
        sold_at = dt.datetime.fromisoformat(sale["sold_at"])
        answer = await book_sale(
            self.reads.write_pool, token_hash=token_hash, token_now=now, key=headers[b"idempotency-key"].decode(),
            request_hash=hashlib.sha256(body).hexdigest(), number=sale["card_number"], fuel_type=sale["fuel_type"],
            pot=POT_OF_FUEL[FuelType(sale["fuel_type"])].value, amount=sale["amount"], station=sale["station"], sold_at=sold_at,
            station_date=station_date(sold_at), now=now)
        return answer.status, answer.body.encode()


async def _body(receive: Any) -> bytes:
    chunks = []
    while True:
        message = await receive()
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            return b"".join(chunks)


def main() -> None:
    """Serves :class:`FloorApp` with the service's uvicorn options until SIGTERM."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    configure_logging()
    serve_workers(args.workers, args.host, args.port, uvicorn_options(KEEP_ALIVE_SECONDS), app="bench.floor_app:FloorApp")


if __name__ == "__main__":
    main()
