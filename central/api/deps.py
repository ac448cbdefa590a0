"""Request-scoped dependencies: the database.

Endpoints open their sessions themselves and close them before returning: a session held by a
dependency until FastAPI has validated the response (on another thread) could wait on a busy
connection pool while holding a connection (bench.central_load found that deadlock).
"""
from __future__ import annotations

from fastapi import Request

from central.storage.db import Database


def database(request: Request) -> Database:
    """The app's database."""
    return request.app.state.database
