"""Reading a submitted scenario safely: no path on the server's disk is ever read.

A scenario sent over the API carries its series inline (``series.columns``) or as an uploaded
CSV/Parquet file, which is saved in the job's own folder under a fixed name. Any key that
names a file or folder (``series.file``, or any ``file``/``path``/``*_file``/``*_path``/
``*_dir`` key a future schema may add) is refused with 422 before the library sees it (the one
exception: ``weather.file: pvlib:NAME``, a plain name of a file bundled with pvlib), and
overrides are applied here, before that check, so ``--set series.file=...`` cannot sneak one in.
"""

from __future__ import annotations

import io
import json
import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from optimizer.errors import FieldError, ScenarioError
from optimizer.scenario import Problem, load_problem
from optimizer.scenario.overrides import apply_overrides

log = logging.getLogger(__name__)

_PATH_KEYS = ("file", "path", "dir", "folder", "directory")
_PVLIB_NAME = re.compile(r"^pvlib:[A-Za-z0-9_][A-Za-z0-9_.-]{0,100}$")
SERIES_NAMES = {"csv": "series.csv", "parquet": "series.parquet"}


@dataclass
class Upload:
    """An uploaded series file: its bytes and the format they were recognised as."""

    data: bytes
    fmt: str  # "csv" | "parquet"

    @classmethod
    def recognise(cls, filename: str | None, data: bytes) -> Upload:
        name = (filename or "").lower()
        if data[:4] == b"PAR1" or name.endswith((".parquet", ".pq")):
            if data[:4] != b"PAR1":
                raise ScenarioError.single("series", "the uploaded file is not a Parquet file")
            return cls(data, "parquet")
        if name and not name.endswith((".csv", ".txt")):
            raise ScenarioError.single(
                "series", f"the uploaded series {filename!r} must be a .csv or .parquet file"
            )
        return cls(data, "csv")

    @property
    def filename(self) -> str:
        return SERIES_NAMES[self.fmt]


def _is_path_key(key: str) -> bool:
    k = key.lower()
    return k in _PATH_KEYS or any(k.endswith("_" + p) for p in _PATH_KEYS)


def _safe_weather(raw: Mapping[str, Any]) -> bool:
    """``weather.file: pvlib:NAME`` names a file shipped inside the pvlib package: allowed
    when NAME is a plain file name (no folder, no ``..``)."""
    weather = raw.get("weather")
    if not isinstance(weather, Mapping):
        return False
    file = weather.get("file")
    return isinstance(file, str) and bool(_PVLIB_NAME.match(file)) and ".." not in file


def find_path_keys(node: Any, where: str = "") -> list[str]:
    """Dotted paths of every key in ``node`` that names a file or folder."""
    found: list[str] = []
    if isinstance(node, Mapping):
        for key, value in node.items():
            here = f"{where}.{key}" if where else str(key)
            if _is_path_key(str(key)) and value is not None:
                found.append(here)
            found.extend(find_path_keys(value, here))
    elif isinstance(node, list):
        for i, item in enumerate(node):
            label = item.get("name", i) if isinstance(item, Mapping) else i
            found.extend(find_path_keys(item, f"{where}[{label}]"))
    return found


def parse_scenario_text(text: str | bytes) -> dict[str, Any]:
    """A scenario sent as text (a multipart field or file): JSON or YAML."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ScenarioError.single("scenario", f"not valid YAML/JSON: {exc}") from None
    if not isinstance(data, dict):
        raise ScenarioError.single("scenario", "must be a mapping of keys")
    # a round trip through JSON keeps only JSON types (YAML dates become strings)
    return json.loads(json.dumps(data, default=str))


def prepare(
    scenario: Mapping[str, Any],
    overrides: list[str],
    upload: Upload | None,
) -> dict[str, Any]:
    """Apply overrides, refuse path keys, point ``series`` at the upload; return the raw mapping.

    With an upload, a ``series`` section naming a file (as in a scenario written for the
    command line) is replaced by the upload; the name given is never used.
    """
    raw = apply_overrides(dict(scenario), overrides)
    if upload is not None:
        series = raw.get("series")
        if isinstance(series, Mapping) and series.get("columns") is not None:
            raise ScenarioError.single(
                "series", "give the series inline as 'columns' or as an uploaded file, not both"
            )
        raw["series"] = {"file": upload.filename}
    allowed = {"series.file"} if upload is not None else set()
    if _safe_weather(raw):
        allowed.add("weather.file")
    bad = [p for p in find_path_keys(raw) if p not in allowed]
    if bad:
        raise ScenarioError(
            [
                FieldError(
                    p,
                    "files on the server are never read over the API; give the series inline "
                    "as series.columns or upload it as a CSV/Parquet file (multipart)",
                )
                for p in bad
            ]
        )
    return raw


def resolve_submission(raw: Mapping[str, Any], input_dir: Path | None) -> Problem:
    """Validate and resolve fully (series too); ``input_dir`` holds the upload, if any."""
    series = raw.get("series")
    has_file = isinstance(series, Mapping) and series.get("file") is not None
    return load_problem(raw, base_dir=input_dir if has_file else None)


def read_upload_columns(upload: Upload) -> list[str]:
    """Column names of an uploaded file (for messages and the validate answer)."""
    import pandas as pd

    if upload.fmt == "parquet":
        frame = pd.read_parquet(io.BytesIO(upload.data))
    else:
        frame = pd.read_csv(io.BytesIO(upload.data), nrows=1)
    return [str(c).strip() for c in frame.columns if str(c).strip() != "timestamp"]
