"""Reading request bodies that may be JSON or multipart (scenario + uploaded series).

FastAPI parses no body here: each route takes the raw bytes and reads them with the limits of
:mod:`optimizer.scenario.safe` (UTF-8, nesting depth, number of values, duplicate keys), so a
hostile body is refused (422) before any object is built from it.
"""

from __future__ import annotations

from typing import Any

from fastapi import HTTPException, Request, status
from pydantic import ValidationError
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException as StarletteHTTPException

from api.intake import Upload, parse_scenario_text
from api.settings import Settings
from optimizer.errors import FieldError, ScenarioError
from optimizer.scenario.safe import decode_text, parse_json

JSON_TYPES = ("application/json",)
MULTIPART = "multipart/form-data"


def pydantic_errors(exc: ValidationError, prefix: str = "") -> ScenarioError:
    """A request model's errors as a ScenarioError (so every 422 has one shape)."""
    problems = []
    for err in exc.errors():
        loc = ".".join(str(p) for p in err["loc"] if p != "body")
        field = f"{prefix}.{loc}" if prefix and loc else (prefix or loc or "body")
        msg = str(err.get("msg", "invalid")).removeprefix("Value error, ")
        if err.get("type") == "extra_forbidden":
            msg = "unknown key"
        problems.append(FieldError(field, msg))
    return ScenarioError(problems)


def media_type(request: Request) -> str:
    return request.headers.get("content-type", "").split(";")[0].strip().lower()


async def read_json(request: Request, settings: Settings) -> Any:
    """The JSON body, read with the input limits (422 naming ``body`` when refused)."""
    body = await request.body()
    if not body.strip():
        raise ScenarioError.single("body", "is empty; send a JSON object")
    return parse_json(body, "the request body", "body", settings)


async def read_text(value: str | UploadFile | None) -> str | bytes | None:
    if value is None:
        return None
    if isinstance(value, UploadFile):
        return await value.read()
    return value


async def read_multipart(
    request: Request, settings: Settings
) -> tuple[dict[str, Any], Upload | None]:
    """Fields ``scenario`` (YAML/JSON, text or file), ``series`` (CSV/Parquet file, optional),
    ``kind`` and ``options`` (JSON text); returns them as a mapping and the upload."""
    try:
        form = await request.form(max_files=4, max_fields=16, max_part_size=settings.max_body_bytes)
    except StarletteHTTPException:
        raise
    except Exception:
        raise ScenarioError.single("body", "is not a readable multipart/form-data body") from None
    fields: dict[str, Any] = {}
    upload: Upload | None = None
    try:
        unknown = [k for k in form if k not in ("scenario", "series", "kind", "options")]
        if unknown:
            raise ScenarioError(
                [
                    FieldError(k, "unknown form field (scenario, series, kind, options)")
                    for k in unknown
                ]
            )
        scenario = await read_text(form.get("scenario"))
        if scenario is None:
            raise ScenarioError.single("scenario", "is required (a YAML or JSON scenario)")
        fields["scenario"] = parse_scenario_text(scenario, settings)
        series = form.get("series")
        if series is not None:
            if isinstance(series, UploadFile):
                upload = Upload.recognise(series.filename, await series.read())
            else:
                upload = Upload.recognise(None, series.encode("utf-8"))
        kind = await read_text(form.get("kind"))
        if kind is not None:
            fields["kind"] = (
                decode_text(kind, "the kind field", "kind") if isinstance(kind, bytes) else kind
            )
        options = await read_text(form.get("options"))
        if options is not None:
            raw = options.encode("utf-8") if isinstance(options, str) else options
            fields["options"] = parse_json(raw, "the options field", "options", settings)
    finally:
        await form.close()
    return fields, upload


def unsupported(request: Request) -> HTTPException:
    return HTTPException(
        status_code=status.HTTP_415_UNSUPPORTED_MEDIA_TYPE,
        detail=f"send application/json or multipart/form-data, not {media_type(request)!r}",
    )
