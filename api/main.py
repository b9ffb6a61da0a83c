"""The app factory: ``create_app(settings) -> FastAPI`` (``dcopt serve`` runs it with uvicorn).

The database engine and the job runner are made with the app; the lifespan recovers jobs a
stopped server left behind, starts the dispatcher loop and, on shutdown, stops the workers.
Errors have one JSON shape (:class:`api.schemas.ErrorBody`); a failure inside the server is
logged with its traceback and answered with a bare 500, never the traceback.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import AsyncIterator
from typing import Any

import anyio
from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from api.db import init_db, make_engine, session_factory
from api.deps import get_owner
from api.docs import add_docs
from api.jobs import JobRunner
from api.middleware import BodySizeLimit
from api.routes import health, runs, scenarios
from api.schemas import RunCreate
from api.settings import Settings
from optimizer.errors import ScenarioError

log = logging.getLogger(__name__)

DESCRIPTION = """
dcopt over HTTP (CONTRACT section 8). Submit a scenario as a job (`POST /v1/runs`, 202 with
an id), poll it (`GET /v1/runs/{id}`), then fetch its dispatch and report. Series come
inline (`series.columns`) or as an uploaded CSV/Parquet file (multipart); the server never
reads a path named in a scenario. With `DCOPT_API_KEYS` set, every `/v1` route needs
`Authorization: Bearer KEY` and each key sees only its own runs.
"""


def _scenario_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ScenarioError)
    detail = "scenario refused" if exc.errors else "request refused"
    return JSONResponse(
        status_code=422,
        content={"detail": detail, "errors": [e.to_dict() for e in exc.errors]},
    )


def _request_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = []
    for err in exc.errors():
        loc = [str(p) for p in err.get("loc", ())]
        field = ".".join(loc[1:] if loc and loc[0] in ("body", "query", "path") else loc)
        errors.append({"field": field or "request", "message": str(err.get("msg", "invalid"))})
    return JSONResponse(status_code=422, content={"detail": "request refused", "errors": errors})


def _internal_error(request: Request, exc: Exception) -> JSONResponse:
    ref = uuid.uuid4().hex[:12]
    log.error("internal error %s on %s %s", ref, request.method, request.url.path, exc_info=exc)
    return JSONResponse(
        status_code=500, content={"detail": f"internal error (reference {ref} in the server log)"}
    )


def create_app(settings: Settings | None = None) -> FastAPI:
    """A ready app: database migrated to this version's schema, job runner made (its loop
    starts with the app), API docs at ``/docs`` (no CDN)."""
    settings = settings or Settings()
    settings.jobs_dir.mkdir(parents=True, exist_ok=True)
    engine = make_engine(settings.resolved_database_url)
    init_db(engine)
    factory = session_factory(engine)
    runner = JobRunner(settings, factory)

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        recovered = await anyio.to_thread.run_sync(runner.recover)
        if recovered:
            log.warning("%d jobs were running when the server last stopped", recovered)
        await anyio.to_thread.run_sync(runner.warm_up)
        task = asyncio.create_task(runner.run_forever(), name="dcopt-dispatcher")
        try:
            yield
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
            await anyio.to_thread.run_sync(runner.shutdown)
            engine.dispose()

    app = FastAPI(
        title="dcopt",
        summary="Datacenter energy sourcing optimizer",
        description=DESCRIPTION,
        version=_version(),
        lifespan=lifespan,
        docs_url=None,  # served by add_docs, with local assets (FastAPI's pages use a CDN)
        redoc_url=None,  # ReDoc fetches its logo from a CDN (api/docs.py)
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.sessions = factory
    app.state.runner = runner

    app.add_exception_handler(ScenarioError, _scenario_error)
    app.add_exception_handler(RequestValidationError, _request_error)
    app.add_exception_handler(Exception, _internal_error)
    app.add_middleware(BodySizeLimit, max_bytes=settings.max_body_bytes)

    v1 = APIRouter(prefix="/v1", dependencies=[Depends(get_owner)])
    v1.include_router(scenarios.router)
    v1.include_router(runs.router)
    app.include_router(v1)
    app.include_router(health.router)
    _define_schemas(app, RunCreate)
    add_docs(app)
    return app


def _define_schemas(app: FastAPI, *models: type[BaseModel]) -> None:
    """Put ``models`` in the OpenAPI document's ``components.schemas``.

    A route that reads its body itself (JSON or multipart, ``POST /v1/runs``) describes it
    with ``openapi_extra`` and a ``$ref`` to its model; FastAPI defines only the models that
    its routes take as parameters, so without this the reference dangles (Swagger UI shows a
    resolver error, ReDoc cannot render the page, clients cannot generate code).
    """
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is not None:
            return app.openapi_schema
        spec = build()
        schemas = spec.setdefault("components", {}).setdefault("schemas", {})
        for model in models:
            schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
            for name, sub in schema.pop("$defs", {}).items():
                schemas.setdefault(name, sub)
            schemas.setdefault(model.__name__, schema)
        app.openapi_schema = spec
        return spec

    app.openapi = openapi  # type: ignore[method-assign]


def _version() -> str:
    from api.routes.health import _version as v

    return v()
