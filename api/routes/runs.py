"""``/v1/runs``: submit, look up, list, fetch results of, cancel and delete jobs."""

from __future__ import annotations

import hashlib
import json
import logging
import math
import re
import shutil
import time
import uuid
from pathlib import Path
from typing import Annotated, Any

import pandas as pd
from fastapi import APIRouter, Header, HTTPException, Query, Request, Response, status
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import FileResponse, JSONResponse
from pydantic import ValidationError
from sqlalchemy import func, select

from api.db import ACTIVE, RunRecord, utcnow
from api.deps import OwnerDep, RunnerDep, SessionDep, SettingsDep
from api.intake import Upload, prepare, resolve_submission
from api.jobs import IdempotencyKeys, JobRunner
from api.kinds import check_options
from api.routes._body import (
    JSON_TYPES,
    MULTIPART,
    media_type,
    pydantic_errors,
    read_json,
    read_multipart,
    unsupported,
)
from api.schemas import ErrorBody, RunAccepted, RunCreate, RunKind, RunPage, RunPublic, RunStatus
from api.worker import RESULT, SCENARIO_FILE, write_json_atomic
from optimizer.errors import ScenarioError

log = logging.getLogger(__name__)

router = APIRouter(prefix="/runs", tags=["runs"])

_ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"model": ErrorBody, "description": "API key missing or wrong"},
    404: {"model": ErrorBody, "description": "no such run (or not this key's)"},
}

PARQUET = "application/vnd.apache.parquet"
_DISPATCH_TYPES = {
    "application/json": "json",
    "text/csv": "csv",
    PARQUET: "parquet",
    "application/x-parquet": "parquet",
    "application/parquet": "parquet",
    "application/octet-stream": "parquet",
}


def to_public(rec: RunRecord) -> RunPublic:
    return RunPublic.model_validate(rec, from_attributes=True)


def get_owned(session: SessionDep, run_id: str, owner: str | None) -> RunRecord:
    rec = session.get(RunRecord, run_id)
    if rec is None or (owner is not None and rec.owner != owner):
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=f"no run {run_id!r}")
    return rec


_RUN_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {"schema": {"$ref": "#/components/schemas/RunCreate"}},
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["scenario"],
                    "properties": {
                        "scenario": {
                            "type": "string",
                            "description": "the scenario, YAML or JSON (a file or text)",
                        },
                        "series": {
                            "type": "string",
                            "format": "binary",
                            "description": "the series, a CSV or Parquet file",
                        },
                        "kind": {"type": "string", "enum": ["run", "compare", "frontier"]},
                        "options": {"type": "string", "description": "RunOptions as JSON"},
                    },
                }
            },
        },
    }
}


_KEY = re.compile(r"^[\x21-\x7e]{1,255}$")
KEY_HEADER = "Idempotency-Key"


def _request_hash(create: RunCreate, upload: Upload | None) -> str:
    """What makes two submissions the same request: kind, scenario, options and upload."""
    h = hashlib.sha256()
    body = {
        "kind": create.kind,
        "scenario": create.scenario,
        "options": create.options.model_dump(mode="json"),
    }
    h.update(json.dumps(body, sort_keys=True, separators=(",", ":"), default=str).encode())
    if upload is not None:
        h.update(b"\0" + upload.fmt.encode() + b"\0" + hashlib.sha256(upload.data).digest())
    return h.hexdigest()


def _replay(
    runner: JobRunner,
    session_factory: Any,
    claim: dict[str, Any],
    request_hash: str,
    owner: str | None,
) -> RunRecord | None:
    """The run a key already names (its retry), ``None`` when that claim is stale."""
    if claim.get("request") != request_hash:
        raise ScenarioError.single(
            KEY_HEADER,
            f"was already used for a different request (run {claim.get('id')}); a retry must "
            "send the same body, a new request a new key",
        )
    run_id = str(claim.get("id", ""))
    deadline = time.monotonic() + runner.settings.idempotency_wait_seconds
    while True:
        with session_factory() as s:
            rec = s.get(RunRecord, run_id) if run_id else None
        if rec is not None and (owner is None or rec.owner == owner):
            return rec
        if not (run_id and runner.being_created(run_id)):
            return None  # the first request was refused or never saved: the key is free
        if time.monotonic() > deadline:
            raise HTTPException(
                status.HTTP_409_CONFLICT,
                detail=f"the first request with this {KEY_HEADER} is still being accepted; "
                "retry in a moment",
            )
        time.sleep(0.05)


def _accept(
    runner: JobRunner,
    session_factory: Any,
    create: RunCreate,
    upload: Upload | None,
    owner: str | None,
    key: str | None,
) -> tuple[RunRecord, bool]:
    """Check everything a job needs, save its input, queue it (runs in a thread).

    Returns the record and whether it is an earlier request's (a retry with the same
    ``Idempotency-Key``). The input is staged and committed by the runner so that a server
    kill never leaves a half-made job (see :mod:`api.jobs`).
    """
    settings = runner.settings
    keys = IdempotencyKeys(settings)
    key_file = IdempotencyKeys.file_name(owner, key) if key else None
    request_hash = _request_hash(create, upload) if key else ""
    run_id = uuid.uuid4().hex
    if key_file is not None:  # a retry is answered before any work is done again
        existing = keys.read(key_file)
        if existing is not None:
            rec = _replay(runner, session_factory, existing, request_hash, owner)
            if rec is not None:
                return rec, True
    extra = check_options(create.kind, create.options)
    raw = prepare(create.scenario, create.options.overrides, upload, settings)
    input_dir = runner.stage(run_id)
    claimed = False
    try:
        if key_file is not None:
            while True:
                existing = keys.claim(key_file, run_id, request_hash)
                if existing is None:
                    claimed = True
                    break
                rec = _replay(runner, session_factory, existing, request_hash, owner)
                if rec is not None:
                    runner.discard(run_id)
                    return rec, True
                keys.release(key_file, str(existing.get("id", "")))
        if upload is not None:
            (input_dir / upload.filename).write_bytes(upload.data)
        problem = resolve_submission(raw, input_dir, settings)
        write_json_atomic(input_dir / SCENARIO_FILE, raw)
        options = create.options.model_dump(
            mode="json", exclude={"overrides", "cfe", "emissions_tco2"}
        )
        options.update(extra)
        rec = runner.commit(
            {
                "id": run_id,
                "kind": create.kind,
                "owner": owner,
                "name": problem.scenario.name[:200],
                "options": options,
                "created_at": utcnow().isoformat(),
                "idempotency_file": key_file,
            }
        )
    except BaseException:
        runner.discard(run_id)
        if claimed and key_file is not None:
            keys.release(key_file, run_id)
        raise
    log.info("run %s (%s) queued: %s, %d steps", run_id, create.kind, rec.name, problem.periods)
    return rec, False


def _idempotency_key(request: Request) -> str | None:
    key = request.headers.get(KEY_HEADER)
    if key is None:
        return None
    if not _KEY.match(key):
        raise ScenarioError.single(
            KEY_HEADER, "must be 1 to 255 visible ASCII characters (e.g. a UUID)"
        )
    return key


@router.post(
    "",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=RunAccepted,
    openapi_extra=_RUN_BODY,
    responses={
        **_ERRORS,
        200: {
            "model": RunAccepted,
            "description": "a retry with the same Idempotency-Key and body: the first run",
        },
        409: {
            "model": ErrorBody,
            "description": "the first request with this Idempotency-Key is still being accepted",
        },
        413: {"model": ErrorBody, "description": "body too large"},
        415: {"model": ErrorBody, "description": "neither JSON nor multipart"},
        422: {
            "model": ErrorBody,
            "description": "scenario, options or Idempotency-Key refused; fields named",
        },
    },
    summary="Submit a run, compare or frontier job",
)
async def create_run(
    request: Request,
    response: Response,
    settings: SettingsDep,
    runner: RunnerDep,
    owner: OwnerDep,
    idempotency_key: Annotated[
        str | None,
        Header(
            alias=KEY_HEADER,
            description="any unique string (a UUID); a retry with the same key and body "
            "returns the first run (200) instead of creating another; 1 to 255 visible "
            "ASCII characters",
        ),
    ] = None,
) -> RunAccepted:
    """JSON (series inline) or multipart (scenario + CSV/Parquet series); 202 with the id."""
    key = _idempotency_key(request)
    kind = media_type(request)
    upload: Upload | None = None
    if kind in JSON_TYPES or kind.endswith("+json"):
        body: Any = await read_json(request, settings)
    elif kind == MULTIPART:
        body, upload = await read_multipart(request, settings)
    else:
        raise unsupported(request)
    try:
        create = RunCreate.model_validate(body)
    except ValidationError as exc:
        raise pydantic_errors(exc) from None
    rec, replayed = await run_in_threadpool(
        _accept, runner, request.app.state.sessions, create, upload, owner, key
    )
    response.headers["Location"] = f"/v1/runs/{rec.id}"
    if replayed:
        response.status_code = status.HTTP_200_OK
        response.headers["Idempotent-Replayed"] = "true"
    return RunAccepted(id=rec.id, status=rec.status, kind=rec.kind)  # type: ignore[arg-type]


@router.get("", response_model=RunPage, responses=_ERRORS, summary="List runs, newest first")
def list_runs(
    session: SessionDep,
    owner: OwnerDep,
    status_: Annotated[RunStatus | None, Query(alias="status")] = None,
    kind: RunKind | None = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    offset: Annotated[int, Query(ge=0, le=10**9)] = 0,
) -> RunPage:
    query = select(RunRecord)
    if owner is not None:
        query = query.where(RunRecord.owner == owner)
    if status_ is not None:
        query = query.where(RunRecord.status == status_)
    if kind is not None:
        query = query.where(RunRecord.kind == kind)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(
        query.order_by(RunRecord.created_at.desc(), RunRecord.id).limit(limit).offset(offset)
    ).all()
    return RunPage(items=[to_public(r) for r in rows], total=total, limit=limit, offset=offset)


@router.get("/{run_id}", response_model=RunPublic, responses=_ERRORS, summary="One run")
def get_run(run_id: str, session: SessionDep, owner: OwnerDep) -> RunPublic:
    return to_public(get_owned(session, run_id, owner))


def _finished_file(rec: RunRecord, runner: JobRunner, name: str, what: str) -> Path:
    if rec.status in ACTIVE:
        raise HTTPException(
            status.HTTP_409_CONFLICT, detail=f"run {rec.id} is {rec.status}; try again later"
        )
    path = runner.job_dir(rec.id) / RESULT / name
    if not path.is_file():
        raise HTTPException(
            status.HTTP_404_NOT_FOUND, detail=f"run {rec.id} ({rec.status}) has no {what}"
        )
    return path


def _choose(accept: str) -> str | None:
    """The dispatch format for an ``Accept`` header (JSON for ``*/*`` or none)."""
    if not accept.strip():
        return "json"
    best: tuple[float, int, str] | None = None
    for order, part in enumerate(accept.split(",")):
        pieces = [p.strip() for p in part.split(";")]
        media = pieces[0].lower()
        q = 1.0
        for param in pieces[1:]:
            if param.startswith("q="):
                try:
                    q = float(param[2:])
                except ValueError:
                    q = 0.0
        if q <= 0 or not math.isfinite(q):
            continue
        if media in _DISPATCH_TYPES:
            fmt = _DISPATCH_TYPES[media]
        elif media in ("*/*", "application/*"):
            fmt = "json"
        elif media == "text/*":
            fmt = "csv"
        else:
            continue
        if best is None or (q, -order) > (best[0], best[1]):
            best = (q, -order, fmt)
    return best[2] if best else None


def _dispatch_json(path: Path) -> dict[str, Any]:
    frame = pd.read_parquet(path)
    out: dict[str, Any] = {"timestamp": None, "columns": {}}
    for col in frame.columns:
        series = frame[col]
        if col == "timestamp":
            out["timestamp"] = [ts.isoformat() for ts in pd.DatetimeIndex(series)]
        elif series.dtype.kind in "iubfc":
            values = series.astype(float).tolist()
            out["columns"][str(col)] = [v if math.isfinite(v) else None for v in values]
        else:  # a study's ``scenario`` or ``year`` names (CONTRACT 9, 10)
            out["columns"][str(col)] = [None if pd.isna(v) else str(v) for v in series.tolist()]
    return out


@router.get(
    "/{run_id}/dispatch",
    responses={
        **_ERRORS,
        200: {
            "description": "the dispatch, one row a step, MW",
            "content": {
                "application/json": {},
                "text/csv": {"schema": {"type": "string"}},
                PARQUET: {"schema": {"type": "string", "format": "binary"}},
            },
        },
        406: {"model": ErrorBody, "description": "no acceptable format"},
        409: {"model": ErrorBody, "description": "the run is not finished"},
    },
    summary="The dispatch: Parquet, CSV or JSON by Accept",
)
def get_dispatch(
    run_id: str, request: Request, session: SessionDep, owner: OwnerDep, runner: RunnerDep
) -> Response:
    rec = get_owned(session, run_id, owner)
    path = _finished_file(rec, runner, "dispatch.parquet", "dispatch")
    fmt = _choose(request.headers.get("accept", ""))
    if fmt is None:
        raise HTTPException(
            status.HTTP_406_NOT_ACCEPTABLE,
            detail="the dispatch comes as application/json, text/csv or " + PARQUET,
        )
    if fmt == "parquet":
        return FileResponse(path, media_type=PARQUET, filename=f"{run_id}-dispatch.parquet")
    if fmt == "csv":
        frame = pd.read_parquet(path)
        if "timestamp" in frame.columns:
            frame["timestamp"] = [ts.isoformat() for ts in pd.DatetimeIndex(frame["timestamp"])]
        return Response(frame.to_csv(index=False), media_type="text/csv")
    return JSONResponse(_dispatch_json(path))


@router.get(
    "/{run_id}/report",
    responses={
        **_ERRORS,
        200: {"description": "report.html", "content": {"text/html": {}}},
        409: {"model": ErrorBody, "description": "the run is not finished"},
    },
    summary="The HTML report",
)
def get_report(run_id: str, session: SessionDep, owner: OwnerDep, runner: RunnerDep) -> Response:
    rec = get_owned(session, run_id, owner)
    path = _finished_file(rec, runner, "report.html", "report")
    return FileResponse(path, media_type="text/html; charset=utf-8")


@router.delete(
    "/{run_id}",
    responses={
        **_ERRORS,
        200: {"model": RunPublic, "description": "the run was queued or running: now cancelled"},
        204: {"description": "the run was finished: record and files deleted"},
        409: {"model": ErrorBody, "description": "finished while being cancelled"},
    },
    summary="Cancel a queued or running job; delete a finished one",
)
def delete_run(run_id: str, session: SessionDep, owner: OwnerDep, runner: RunnerDep) -> Response:
    rec = get_owned(session, run_id, owner)
    if rec.status in ACTIVE:
        if not runner.cancel(run_id):
            session.refresh(rec)
            raise HTTPException(
                status.HTTP_409_CONFLICT,
                detail=f"run {run_id} finished ({rec.status}) before it could be cancelled; "
                "DELETE again to delete it",
            )
        session.refresh(rec)
        return JSONResponse(json.loads(to_public(rec).model_dump_json()))
    # the folder goes to trash/ first: a kill in between leaves nothing a restart could take
    # for an unrecorded submission (the sweep finishes the DELETE)
    trashed = runner.trash(run_id)
    key_file = runner.idempotency_file(trashed)
    session.delete(rec)
    session.commit()
    if key_file is not None:
        IdempotencyKeys(runner.settings).release(key_file, run_id)
    if trashed is not None:
        shutil.rmtree(trashed, ignore_errors=True)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
