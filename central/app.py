"""The FastAPI application: routers, error handlers, request observer, storage, limits."""
from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from central.api import assistance, attendant, cards, holders, kiosks, ledger, operations, sms
from central.db import Database
from central.error_handlers import install_error_handlers
from central.loop_reads import LoopReader
from central.metrics import Metrics
from central.observe import RequestObserver
from central.rate_limit import RateLimiter
from central.settings import Settings

API_TITLE = "Opet Kart central balance service"
API_VERSION = "1"


def create_app(database_url: str, settings: Settings | None = None) -> FastAPI:
    """The service on ``database_url`` (the schema must already be migrated)."""
    settings = settings or Settings()
    database = Database.connect(database_url)
    loop_reads = LoopReader(database.read_engine)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
        loop_reads.close()
        database.dispose()

    app = FastAPI(title=API_TITLE, version=API_VERSION, lifespan=lifespan)
    app.state.database = database
    app.state.loop_reads = loop_reads
    app.state.settings = settings
    app.state.metrics = Metrics(database, settings.kiosk_silent_after)
    app.state.typed_limiter = RateLimiter(settings.typed_lookups_per_minute, 60)
    app.state.activation_limiter = RateLimiter(settings.activation_failures_per_hour, 3600)
    install_error_handlers(app)
    app.add_middleware(RequestObserver, metrics=app.state.metrics)
    for module in (cards, ledger, holders, attendant, sms, kiosks, assistance, operations):
        app.include_router(module.router)
    return app
