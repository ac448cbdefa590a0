"""Idempotent changes over HTTP: the ``Idempotency-Key`` header and the replayed answer.

The store (central.storage.idempotency) keeps the first answer of each (device, key) in the
same transaction as the change; here the answer is the response model of the domain's result,
and a replay says so in ``Idempotent-Replayed: true``.
"""
from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Annotated, Any, TypeVar

from fastapi import Header
from fastapi.responses import Response
from pydantic import BaseModel
from sqlalchemy.orm import Session

from central.domain.errors import Conflict, Invalid
from central.storage.db import Database
from central.storage.idempotency import Answer, KeyContended, KeyReused
from central.storage.idempotency import run_once as store_once

IdempotencyKey = Annotated[
    str,
    Header(
        alias="Idempotency-Key",
        pattern=r"^[\x21-\x7e]{1,128}$",
        description="Unique per intended change; a retry sends the same key and gets the first answer",
    ),
]
REPLAYED_HEADER = "Idempotent-Replayed"
Result = TypeVar("Result")


def request_hash(operation: str, request: BaseModel) -> str:
    """What a key's first request is remembered by."""
    return hashlib.sha256(f"{operation}\n{request.model_dump_json()}".encode()).hexdigest()


def answer_of(model: type[BaseModel], value: Any, status: int = 201) -> Answer:
    """The stored answer for a domain value: ``model``'s JSON of it."""
    return Answer(status, model.model_validate(value, from_attributes=True).model_dump_json())


def response(answer: Answer, replayed: bool) -> Response:
    """The HTTP response of a stored answer."""
    headers = {REPLAYED_HEADER: "true"} if replayed else None
    return Response(answer.body, status_code=answer.status, media_type="application/json", headers=headers)


def run_once(
    database: Database, device_id: int, key: str, operation: str, request: BaseModel,
    change: Callable[[Session], Result], model: type[BaseModel], status: int = 201,
) -> tuple[Response, Result | None]:
    """Runs the domain's ``change`` once per (device, key) and answers with ``model`` of its result;
    the result is None when the first answer was replayed."""
    def apply(session: Session) -> tuple[Answer, Result]:
        result = change(session)
        return answer_of(model, result, status), result

    try:
        answer, result = store_once(database, device_id, key, operation, request_hash(operation, request), apply)
    except KeyReused as exc:
        raise Invalid("idempotency_key_reused", str(exc)) from None
    except KeyContended as exc:
        raise Conflict("conflict", str(exc)) from None
    return response(answer, result is None), result
