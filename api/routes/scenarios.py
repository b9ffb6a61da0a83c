"""``POST /v1/scenarios/validate``: check a scenario (and its series) without solving it."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool

from api.deps import OwnerDep, SettingsDep
from api.intake import Upload, prepare, resolve_submission
from api.routes._body import (
    JSON_TYPES,
    MULTIPART,
    media_type,
    read_json,
    read_multipart,
    unsupported,
)
from api.schemas import ErrorBody, ScenarioValid
from api.settings import Settings
from optimizer.errors import ScenarioError

router = APIRouter(prefix="/scenarios", tags=["scenarios"])

_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {
                "schema": {
                    "type": "object",
                    "description": "a scenario (CONTRACT section 2), series inline",
                }
            },
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["scenario"],
                    "properties": {
                        "scenario": {"type": "string", "description": "YAML or JSON"},
                        "series": {"type": "string", "format": "binary"},
                    },
                }
            },
        },
    }
}


def _check(scenario: Any, upload: Upload | None, settings: Settings) -> ScenarioValid:
    if not isinstance(scenario, dict):
        raise ScenarioError.single("scenario", "must be a JSON object (the scenario's keys)")
    raw = prepare(scenario, [], upload, settings)
    with tempfile.TemporaryDirectory(prefix="dcopt-validate-") as tmp:
        folder = Path(tmp)
        if upload is not None:
            (folder / upload.filename).write_bytes(upload.data)
        problem = resolve_submission(raw, folder, settings)
    s = problem.scenario
    normalised = s.model_dump(mode="json")
    if upload is not None:
        normalised["series"] = {"file": None, "columns": None, "timestamp": None, "uploaded": True}
    series = raw.get("series")
    columns = (
        sorted(series["columns"])
        if isinstance(series, dict) and isinstance(series.get("columns"), dict)
        else []
    )
    return ScenarioValid(
        scenario=normalised,
        periods=problem.periods,
        resolution_minutes=s.site.resolution_minutes,
        start=problem.time.index[0].isoformat(),
        end=problem.time.index[-1].isoformat(),
        columns=columns,
    )


@router.post(
    "/validate",
    response_model=ScenarioValid,
    openapi_extra=_BODY,
    responses={
        401: {"model": ErrorBody, "description": "API key missing or wrong"},
        413: {"model": ErrorBody, "description": "body too large"},
        415: {"model": ErrorBody, "description": "neither JSON nor multipart"},
        422: {"model": ErrorBody, "description": "the fields at fault, rows for series"},
    },
    summary="Validate a scenario",
)
async def validate_scenario(
    request: Request, settings: SettingsDep, owner: OwnerDep
) -> ScenarioValid:
    """200 with the normalised scenario (every default filled in), or 422 naming the fields."""
    kind = media_type(request)
    upload: Upload | None = None
    if kind in JSON_TYPES or kind.endswith("+json"):
        scenario: Any = await read_json(request, settings)
    elif kind == MULTIPART:
        fields, upload = await read_multipart(request, settings)
        if set(fields) - {"scenario"}:
            raise ScenarioError.single("kind", "only 'scenario' and 'series' are read here")
        scenario = fields["scenario"]
    else:
        raise unsupported(request)
    return await run_in_threadpool(_check, scenario, upload, settings)
