"""Operations endpoints without device auth: ``GET /healthz``, ``GET /metrics``."""
from __future__ import annotations

from fastapi import APIRouter, Request, Response
from prometheus_client import CONTENT_TYPE_LATEST
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from central.api.deps import database
from central.api.errors import ApiError, error_responses
from central.api.schemas import Health

router = APIRouter(tags=["operations"])


@router.get("/healthz", response_model=Health, responses=error_responses(503))
def healthz(request: Request) -> Health:
    """Ready: the process answers and its database does too."""
    try:
        with database(request).reader() as session:
            session.execute(text("SELECT 1"))
    except SQLAlchemyError:
        raise ApiError(503, "database_unavailable", "the database does not answer") from None
    return Health()


@router.get("/metrics", response_class=Response, responses={200: {"content": {CONTENT_TYPE_LATEST: {}}}})
def metrics(request: Request) -> Response:
    """Prometheus metrics of this process (text exposition format)."""
    return Response(request.app.state.metrics.render(), media_type=CONTENT_TYPE_LATEST)
