"""Run a change at most once per (device, Idempotency-Key), replaying the first answer.

The key's record is inserted in the same transaction as the change and holds its response.
A retry finds the record and gets the stored answer; a concurrent twin blocks on the key's
primary key (PostgreSQL) or on the write lock (SQLite) and then does the same. A request that
failed left nothing behind, so retrying it runs it afresh. Reusing a key for a different
request is refused.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple, TypeVar

from sqlalchemy import Row, bindparam, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from central.storage.db import Database
from central.storage.models import IdempotencyRecord, utcnow

Result = TypeVar("Result")


class Answer(NamedTuple):
    """An answer as stored with its key: the status and the JSON body."""

    status: int
    body: str


class KeyReused(Exception):
    """The key already answered a different operation or request."""


class KeyContended(Exception):
    """A concurrent change kept getting in the way of claiming the key."""


_FIND_RECORD = select(
    IdempotencyRecord.operation, IdempotencyRecord.request_hash,
    IdempotencyRecord.response_status, IdempotencyRecord.response_body,
).where(IdempotencyRecord.device_id == bindparam("device_id"), IdempotencyRecord.key == bindparam("key"))

_CLAIM_KEY = insert(IdempotencyRecord)
_STORE_ANSWER = (
    update(IdempotencyRecord)
    .where(IdempotencyRecord.device_id == bindparam("record_device"), IdempotencyRecord.key == bindparam("record_key"))
    .values(response_status=bindparam("status"), response_body=bindparam("body"))
)


def _replay(record: Row[tuple[str, str, int | None, str | None]], operation: str, request_hash: str) -> Answer:
    if record.operation != operation or record.request_hash != request_hash:
        raise KeyReused("this Idempotency-Key was used for a different request")
    assert record.response_status is not None and record.response_body is not None
    return Answer(record.response_status, record.response_body)


def _attempt(
    database: Database, record_key: tuple[int, str], operation: str, request_hash: str,
    change: Callable[[Session], tuple[Answer, Result]],
) -> tuple[Answer, Result | None]:
    device_id, key = record_key
    with database.transaction() as session:
        connection = session.connection()
        record = connection.execute(_FIND_RECORD, {"device_id": device_id, "key": key}).first()
        if record is not None:
            return _replay(record, operation, request_hash), None
        # Claimed first, so a concurrent twin waits on this key (PostgreSQL) before changing anything.
        connection.execute(_CLAIM_KEY, {"device_id": device_id, "key": key, "operation": operation,
                                        "request_hash": request_hash, "created_at": utcnow()})
        answer, result = change(session)
        connection.execute(_STORE_ANSWER, {"record_device": device_id, "record_key": key,
                                           "status": answer.status, "body": answer.body})
    return answer, result


def run_once(
    database: Database, device_id: int, key: str, operation: str, request_hash: str,
    change: Callable[[Session], tuple[Answer, Result]],
) -> tuple[Answer, Result | None]:
    """Runs ``change`` in one transaction unless ``key`` already has an answer.

    ``change`` returns the answer to store and its result. Returns the answer and the new result
    (None when the first answer was replayed); :class:`KeyReused` for another request's key.
    """
    try:
        return _attempt(database, (device_id, key), operation, request_hash, change)
    except IntegrityError:
        pass  # a concurrent twin committed first: its record answers now
    try:
        return _attempt(database, (device_id, key), operation, request_hash, change)
    except IntegrityError:
        raise KeyContended("a concurrent change got in the way; retry") from None
