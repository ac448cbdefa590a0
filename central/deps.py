"""Request-scoped dependencies: the database and its sessions.

They are ``async`` although the sessions are used synchronously: making a session and closing
it do no real work, and async dependencies run on the event loop instead of costing a hop
through the thread pool each. The queries themselves run in the endpoint's worker thread.
"""
from __future__ import annotations

from collections.abc import AsyncIterator

from fastapi import Request
from sqlalchemy.orm import Session

from central.db import Database


def database(request: Request) -> Database:
    """The app's database."""
    return request.app.state.database


async def reader_session(request: Request) -> AsyncIterator[Session]:
    """A look-up session, closed after the request."""
    with database(request).reader() as session:
        yield session
