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
import os
import re
import sys
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path, PureWindowsPath
from typing import Any

from optimizer.errors import FieldError, ScenarioError
from optimizer.scenario import Problem, load_problem
from optimizer.scenario.limits import InputLimits
from optimizer.scenario.loader import check_periods
from optimizer.scenario.overrides import apply_overrides
from optimizer.scenario.safe import check_shape, decode_text, describe_bytes, parse_yaml

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
        shown = f"the uploaded series {filename!r}" if filename else "the uploaded series"
        what = describe_bytes(data.removeprefix(b"\xef\xbb\xbf"))
        if what is not None:
            raise ScenarioError.single(
                "series", f"{shown} is {what}; send UTF-8 CSV text or a Parquet file"
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
            if isinstance(value, (Mapping, list)):
                found.extend(find_path_keys(value, here))
    elif isinstance(node, list):
        for i, item in enumerate(node):
            if type(item) in _SCALARS:  # a list of numbers (a series) has no keys: fast
                continue
            if isinstance(item, (Mapping, list)):
                label = item.get("name", i) if isinstance(item, Mapping) else i
                found.extend(find_path_keys(item, f"{where}[{label}]"))
    return found


_SCALARS = frozenset({str, int, float, bool, type(None)})


def parse_scenario_text(text: str | bytes, limits: InputLimits | None = None) -> dict[str, Any]:
    """A scenario sent as text (a multipart field or file): JSON or YAML, UTF-8 (a byte-order
    mark allowed), with the input limits checked before it is built."""
    limits = limits or InputLimits()
    if isinstance(text, bytes):
        text = decode_text(text, "the scenario field", "scenario")
    data = parse_yaml(text.removeprefix("\ufeff"), "the scenario field", "scenario", limits)
    if not isinstance(data, dict):
        raise ScenarioError.single("scenario", "must be a mapping of keys")
    # a round trip through JSON keeps only JSON types (YAML dates become strings)
    try:
        return dict(json.loads(json.dumps(data, default=str)))
    except ValueError as exc:  # e.g. a mapping key that is a list
        raise ScenarioError.single("scenario", f"cannot be read as JSON data: {exc}") from None


def prepare(
    scenario: Mapping[str, Any],
    overrides: list[str],
    upload: Upload | None,
    limits: InputLimits | None = None,
) -> dict[str, Any]:
    """Apply overrides, refuse path keys, point ``series`` at the upload; return the raw mapping.

    With an upload, a ``series`` section naming a file (as in a scenario written for the
    command line) is replaced by the upload; the name given is never used.
    """
    limits = limits or InputLimits()
    check_shape(scenario, "the scenario", "scenario", limits)
    try:
        raw = apply_overrides(dict(scenario), overrides)
    except ScenarioError as exc:  # a malformed item is the CLI's "--set"; here it is an option
        raise ScenarioError(
            [
                FieldError("options.overrides", e.message, e.row, e.timestamp)
                if e.field == "--set"
                else e
                for e in exc.errors
            ]
        ) from None
    if overrides:
        check_shape(raw, "the scenario with its overrides", "scenario", limits)
    check_periods(raw, limits)  # before anything walks a series longer than the site
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


def resolve_submission(
    raw: Mapping[str, Any], input_dir: Path | None, limits: InputLimits | None = None
) -> Problem:
    """Validate and resolve fully (series too); ``input_dir`` holds the upload, if any.

    A refusal never names a path on the server: every message is scrubbed of the job folder,
    the installation's folders and any other absolute path (see :func:`scrub_paths`).
    """
    series = raw.get("series")
    has_file = isinstance(series, Mapping) and series.get("file") is not None
    try:
        return load_problem(raw, base_dir=input_dir if has_file else None, limits=limits)
    except ScenarioError as exc:
        raise ScenarioError(
            [
                FieldError(e.field, scrub_paths(e.message, input_dir), e.row, e.timestamp)
                for e in exc.errors
            ]
        ) from None


def _server_roots(input_dir: Path | None) -> list[tuple[str, str]]:
    """(folder, what to show instead) for the folders a message may name, longest first."""
    roots: list[tuple[str, str]] = []
    if input_dir is not None:
        roots += [(str(input_dir.resolve()), ""), (str(input_dir), "")]
    try:
        import pvlib

        roots.append((str(Path(pvlib.__file__).resolve().parent / "data"), "pvlib:"))
    except ImportError:  # pragma: no cover - pvlib is a dependency
        pass
    for folder in {sys.prefix, sys.base_prefix, sys.exec_prefix, tempfile.gettempdir()}:
        roots.append((str(Path(folder).resolve()), "<server>"))
    roots.append((os.getcwd(), "<server>"))
    return sorted(set(roots), key=lambda r: -len(r[0]))


# an absolute POSIX path of two parts or more, or a Windows one: what is left after the roots
_ABSOLUTE = re.compile(r"(?<![\w.:/])(?:/[\w.@+~-]+){2,}/?|\b[A-Za-z]:\\[^\s'\"]+")


def scrub_paths(message: str, input_dir: Path | None = None) -> str:
    """``message`` without paths of the server: the job folder goes (what is left is the file
    name the user knows), pvlib's data folder becomes ``pvlib:``, any other absolute path
    becomes its last part."""
    out = message
    for root, shown in _server_roots(input_dir):
        if root and root in out:
            out = out.replace(root + os.sep, shown if shown in ("", "pvlib:") else shown + "/")
            out = out.replace(root, shown or ".")
    return _ABSOLUTE.sub(_last_part, out)


def _last_part(match: re.Match[str]) -> str:
    path = match.group(0).rstrip("/")
    name = PureWindowsPath(path).name if "\\" in path else Path(path).name
    return name or "<server>"


def read_upload_columns(upload: Upload) -> list[str]:
    """Column names of an uploaded file (for messages and the validate answer)."""
    import pandas as pd

    if upload.fmt == "parquet":
        frame = pd.read_parquet(io.BytesIO(upload.data))
    else:
        frame = pd.read_csv(io.BytesIO(upload.data), nrows=1)
    return [str(c).strip() for c in frame.columns if str(c).strip() != "timestamp"]
