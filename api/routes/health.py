"""``GET /health``: is the server up, is its database reachable, how busy is it."""

from __future__ import annotations

import logging
from importlib.metadata import PackageNotFoundError, version

from fastapi import APIRouter, Response, status
from sqlalchemy.exc import SQLAlchemyError

from api.deps import RunnerDep, SettingsDep
from api.kinds import available_kinds
from api.schemas import Health

log = logging.getLogger(__name__)

router = APIRouter(tags=["health"])


def _version() -> str:
    try:
        return version("dcopt")
    except PackageNotFoundError:
        return "unknown"


@router.get(
    "/health",
    response_model=Health,
    responses={503: {"model": Health, "description": "the database cannot be reached"}},
)
def health(response: Response, settings: SettingsDep, runner: RunnerDep) -> Health:
    try:
        counts = runner.counts()
        database = "ok"
    except SQLAlchemyError as exc:
        log.error("health: database unreachable: %s", type(exc).__name__)
        counts, database = {}, "unreachable"
        response.status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    return Health(
        status="ok" if database == "ok" else "degraded",
        version=_version(),
        database=database,
        workers=settings.max_workers,
        running=counts.get("running", 0),
        queued=counts.get("queued", 0),
        kinds=list(available_kinds()),
    )
