"""Run a change at most once per (device, Idempotency-Key), replaying the first answer.

The key's record is inserted in the same transaction as the change and holds its response.
A retry finds the record and gets the stored answer; a concurrent twin blocks on the key's
primary key (PostgreSQL) or on the write lock (SQLite) and then does the same. A request that
failed left nothing behind, so retrying it runs it afresh. Reusing a key for a different
request is refused.
"""
from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Annotated, TypeVar

from fastapi import Header
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy import Row, bindparam, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from central.db import Database
from central.errors import ApiError
from central.models import IdempotencyRecord, utcnow

IdempotencyKey = Annotated[
    str,
    Header(
        alias="Idempotency-Key",
        pattern=r"^[\x21-\x7e]{1,128}$",
        description="Unique per intended change; a retry sends the same key and gets the first answer",
    ),
]
REPLAYED_HEADER = "Idempotent-Replayed"
Result = TypeVar("Result", bound=BaseModel)


def _request_hash(operation: str, request: BaseModel) -> str:
    return hashlib.sha256(f"{operation}\n{request.model_dump_json()}".encode()).hexdigest()


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


def _replay(record: Row[tuple[str, str, int | None, str | None]], operation: str, request_hash: str) -> JSONResponse:
    if record.operation != operation or record.request_hash != request_hash:
        raise ApiError(422, "idempotency_key_reused", "this Idempotency-Key was used for a different request")
    assert record.response_status is not None and record.response_body is not None
    return JSONResponse(
        json.loads(record.response_body), status_code=record.response_status, headers={REPLAYED_HEADER: "true"}
    )


def _attempt(
    database: Database,
    record_key: tuple[int, str],
    operation: str,
    request_hash: str,
    change: Callable[[Session], Result],
    status: int,
) -> tuple[JSONResponse, Result | None]:
    device_id, key = record_key
    with database.transaction() as session:
        connection = session.connection()
        record = connection.execute(_FIND_RECORD, {"device_id": device_id, "key": key}).first()
        if record is not None:
            return _replay(record, operation, request_hash), None
        # Claimed first, so a concurrent twin waits on this key (PostgreSQL) before changing anything.
        connection.execute(_CLAIM_KEY, {"device_id": device_id, "key": key, "operation": operation,
                                        "request_hash": request_hash, "created_at": utcnow()})
        result = change(session)
        body = result.model_dump(mode="json")
        connection.execute(_STORE_ANSWER, {"record_device": device_id, "record_key": key, "status": status,
                                           "body": json.dumps(body)})
    return JSONResponse(body, status_code=status), result


def run_once(
    database: Database,
    device_id: int,
    key: str,
    operation: str,
    request: BaseModel,
    change: Callable[[Session], Result],
    status: int = 201,
) -> tuple[JSONResponse, Result | None]:
    """Runs ``change`` in one transaction unless ``key`` already has an answer.

    Returns the response and the new result (None when the first answer was replayed).
    """
    request_hash = _request_hash(operation, request)
    try:
        return _attempt(database, (device_id, key), operation, request_hash, change, status)
    except IntegrityError:
        pass  # a concurrent twin committed first: its record answers now
    try:
        return _attempt(database, (device_id, key), operation, request_hash, change, status)
    except IntegrityError:
        raise ApiError(409, "conflict", "a concurrent change got in the way; retry") from None
