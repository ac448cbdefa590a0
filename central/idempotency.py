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
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from central.db import Database
from central.errors import ApiError
from central.models import IdempotencyRecord

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


def _replay(record: IdempotencyRecord, operation: str, request_hash: str) -> JSONResponse:
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
    with database.transaction() as session:
        record = session.get(IdempotencyRecord, record_key)
        if record is not None:
            return _replay(record, operation, request_hash), None
        record = IdempotencyRecord(
            device_id=record_key[0], key=record_key[1], operation=operation, request_hash=request_hash
        )
        session.add(record)
        session.flush()
        result = change(session)
        body = result.model_dump(mode="json")
        record.response_status = status
        record.response_body = json.dumps(body)
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
