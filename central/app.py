"""The FastAPI application: routers, error handlers, access log, storage."""
from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from central.access_log import AccessLogMiddleware
from central.api import cards
from central.db import Database
from central.errors import install_error_handlers
from central.schemas import Health

API_TITLE = "Opet Kart central balance service"
API_VERSION = "1"


def create_app(database_url: str) -> FastAPI:
    """The service on ``database_url`` (the schema must already be migrated)."""
    database = Database.connect(database_url)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
        database.dispose()

    app = FastAPI(title=API_TITLE, version=API_VERSION, lifespan=lifespan)
    app.state.database = database
    install_error_handlers(app)
    app.add_middleware(AccessLogMiddleware)
    app.include_router(cards.router)

    @app.get("/healthz", response_model=Health, tags=["operations"])
    def healthz() -> Health:
        """Liveness: the process answers."""
        return Health()

    return app
