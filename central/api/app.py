"""The FastAPI application: routers, error handlers, request observer, storage, limits."""
from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.telemetry import TelemetryConfig

from central.api import (
    assistance,
    attendant,
    cards,
    console,
    heap,
    holders,
    kiosks,
    ledger,
    operations,
    sms,
)
from central.api.body_guard import BodyGuard
from central.api.errors import install_error_handlers
from central.api.metrics import Metrics
from central.api.observe import RequestObserver, configure_logging
from central.clock import FileClock, system_clock
from central.domain.settings import Settings
from central.storage.db import Database
from central.storage.limits import Leases
from central.storage.loop_reads import LoopReader

API_TITLE = "Opet Kart central balance service"
API_VERSION = "1"
NO_TELEMETRY: TelemetryConfig = {"tracing": False, "metrics": False, "logs": False, "operation_spans": False}
"""FastAPI's own OpenTelemetry, off: its spans and logs would carry full card numbers (the look-ups'
paths, request bodies, validation errors) wherever a global provider is set, and it asks the
environment whether one is on every request (~2 % of a look-up's CPU). The service's metrics
are its own (central.api.metrics), with paths cut to their last four digits."""
SERVE_ENVIRONMENT = "OPET_CENTRAL_SERVE"
"""How ``serve --workers N`` hands the database URL and settings to its worker processes."""


def create_app(database_url: str, settings: Settings | None = None) -> FastAPI:
    """The service on ``database_url`` (the schema must already be migrated)."""
    settings = settings or Settings()
    database = Database.connect(database_url)
    loop_reads = LoopReader(database)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        await loop_reads.open()
        heap.freeze_start_up()
        yield
        heap.thaw()
        await loop_reads.aclose()
        database.dispose()

    docs = {} if settings.api_docs else {"openapi_url": None, "docs_url": None, "redoc_url": None}
    app = FastAPI(title=API_TITLE, version=API_VERSION, lifespan=lifespan, telemetry=NO_TELEMETRY, **docs)
    app.state.database = database
    app.state.loop_reads = loop_reads
    app.state.settings = settings
    app.state.metrics = Metrics(database, settings.kiosk_silent_after, settings.clock)
    app.state.leases = Leases()
    install_error_handlers(app)
    app.add_middleware(BodyGuard)  # inside the observer, which logs its 413s and 422s
    app.add_middleware(RequestObserver, metrics=app.state.metrics, log_every_request=settings.log_every_request)
    app.include_router(cards.lookups)
    for module in (cards, ledger, holders, attendant, sms, kiosks, assistance, operations):
        app.include_router(module.router)
    console.install(app)
    return app


def serve_environment(database_url: str, settings: Settings) -> str:
    """The value of :data:`SERVE_ENVIRONMENT` for :func:`app_from_environment`.

    The clock goes as the path of its file (``serve --clock-file``), or none for the system's.
    """
    fields = {name: value.total_seconds() if isinstance(value, dt.timedelta) else value
              for name, value in dataclasses.asdict(settings).items() if name != "clock"}
    clock_file = str(settings.clock.path) if isinstance(settings.clock, FileClock) else None
    return json.dumps({"database_url": database_url, "settings": fields, "clock_file": clock_file})


def app_from_environment() -> FastAPI:
    """The app of one worker process of ``serve --workers N`` (uvicorn imports it by name)."""
    configure_logging()
    config = json.loads(os.environ[SERVE_ENVIRONMENT])
    defaults = Settings()
    settings = Settings(**{
        name: dt.timedelta(seconds=value) if isinstance(getattr(defaults, name), dt.timedelta) else value
        for name, value in config["settings"].items()
    })
    clock_file = config["clock_file"]
    settings = dataclasses.replace(settings, clock=FileClock(clock_file) if clock_file else system_clock)
    return create_app(config["database_url"], settings)
