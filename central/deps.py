"""Request-scoped dependencies: the database and its sessions."""
from __future__ import annotations

from collections.abc import Iterator

from fastapi import Request
from sqlalchemy.orm import Session

from central.db import Database


def database(request: Request) -> Database:
    """The app's database."""
    return request.app.state.database


def reader_session(request: Request) -> Iterator[Session]:
    """A look-up session, closed after the request."""
    with database(request).reader() as session:
        yield session


def writer_session(request: Request) -> Iterator[Session]:
    """A session for changes (callers begin and commit the transaction), closed after the request."""
    with database(request).writer() as session:
        yield session
