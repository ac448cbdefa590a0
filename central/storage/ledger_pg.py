"""PostgreSQL: a sale in one round trip, the function ``opet_sale`` of migration 0008.

The claim of the Idempotency-Key, the card's lock (or its creation), the earn rule, the sale,
the pot and its audit event, and the stored answer are one statement on a connection of the
event loop's write pool: no thread, no transaction held across ``await``s. A refusal raised
inside rolls all of it back and reaches the caller as :class:`SaleRefused` with the API's
error code.
"""
from __future__ import annotations

import datetime as dt
from typing import NamedTuple

import psycopg
from psycopg_pool import AsyncConnectionPool

_CALL = ("SELECT status, body, replayed, points FROM opet_sale("
         "%(token_hash)s, %(token_now)s, %(key)s, %(request_hash)s, %(number)s, %(fuel_type)s, %(pot)s, %(amount)s, %(station)s, "
         "%(sold_at)s, %(station_date)s, %(now)s)")


class SaleRefused(Exception):
    """``opet_sale`` refused: ``code`` is ``unauthorized``, ``forbidden`` (``detail``: the device's
    kind), ``card_replaced``, ``card_blocked`` or ``idempotency_key_reused``."""

    def __init__(self, code: str, detail: str | None = None) -> None:
        super().__init__(code)
        self.code = code
        self.detail = detail


class SaleAnswer(NamedTuple):
    """The stored answer of the sale, whether it was replayed, and the points it earned (None on a replay)."""

    status: int
    body: str
    replayed: bool
    points: int | None


def _naive_utc(moment: dt.datetime) -> dt.datetime:
    """How the ``UtcDateTime`` columns store a moment."""
    return moment.astimezone(dt.timezone.utc).replace(tzinfo=None)


async def book_sale(
    pool: AsyncConnectionPool, *, token_hash: str, token_now: dt.datetime, key: str, request_hash: str, number: str, fuel_type: str,
    pot: str, amount: int, station: str, sold_at: dt.datetime, station_date: dt.date, now: dt.datetime,
) -> SaleAnswer:
    """Calls ``opet_sale`` (see the module docstring)."""
    parameters = {
        "token_hash": token_hash, "token_now": _naive_utc(token_now), "key": key, "request_hash": request_hash, "number": number, "fuel_type": fuel_type,
        "pot": pot, "amount": amount, "station": station, "sold_at": _naive_utc(sold_at),
        "station_date": station_date, "now": _naive_utc(now),
    }
    async with pool.connection() as connection:
        try:
            cursor = await connection.execute(_CALL, parameters, prepare=True)
        except psycopg.errors.RaiseException as exc:
            raise SaleRefused(exc.diag.message_primary or "conflict", exc.diag.message_detail) from None
        row = await cursor.fetchone()
    assert row is not None
    return SaleAnswer(*row)
