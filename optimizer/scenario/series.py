"""Reading the series (CSV, Parquet or inline columns) and checking it against the time grid."""

from __future__ import annotations

import csv
import io
import logging
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from optimizer.errors import FieldError, ScenarioError
from optimizer.scenario.limits import InputLimits, env_name
from optimizer.scenario.safe import decode_text, describe_bytes
from optimizer.scenario.schema import SeriesSpec
from optimizer.scenario.timeindex import TimeGrid

log = logging.getLogger(__name__)

_OFFSET = r"\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}(?::?\d{2})?)$"


@dataclass
class SeriesTable:
    """Columns of the series, one value a step, and the steps' timestamps for messages."""

    frame: pd.DataFrame
    source: str
    index: pd.DatetimeIndex
    """The grid's steps; :meth:`label` writes one as ISO text when a message needs it
    (writing all 8,760 of a year up front took 40 ms of every load)."""

    def label(self, i: int) -> str:
        """Step ``i``'s timestamp in ISO form."""
        return str(self.index[i].isoformat())

    def has(self, column: str) -> bool:
        return column in self.frame.columns

    def numeric(self, column: str, field: str) -> np.ndarray:
        """The column as floats; text or a missing value is an error naming the first bad row."""
        raw = self.frame[column]
        values = pd.to_numeric(raw, errors="coerce")
        arr = np.asarray(values, dtype=float)
        bad = ~np.isfinite(arr)
        if bad.any():
            i = int(np.argmax(bad))
            original = raw.iloc[i]
            if original is None or (isinstance(original, float) and np.isnan(original)):
                what = "missing value (NaN)"
            elif isinstance(original, (int, float, np.floating)):
                what = f"value {original} is not finite"
            else:
                what = f"text {str(original)!r} in a numeric column"
            raise ScenarioError(
                FieldError(
                    field,
                    f"column {column!r} of {self.source}: {what}",
                    row=i + 1,
                    timestamp=self.label(i),
                )
            )
        return arr


def _check_timestamps(values: pd.Series, grid: TimeGrid, source: str) -> None:
    """The timestamps must name exactly the steps of the grid (local, or with UTC offset)."""
    n = len(values)
    expected_local = grid.index.tz_localize(None)
    if pd.api.types.is_datetime64_any_dtype(values.dtype):
        parsed = pd.DatetimeIndex(values)
        if parsed.tz is not None:
            got = parsed.tz_convert("UTC")
            want = grid.index.tz_convert("UTC")
        else:
            got, want = parsed, expected_local
    else:
        text = values.astype(str).str.strip()
        has_offset = text.str.contains(_OFFSET)
        try:
            if has_offset.all():
                got = pd.DatetimeIndex(pd.to_datetime(text, format="ISO8601", utc=True))
                want = grid.index.tz_convert("UTC")
            elif not has_offset.any():
                got = pd.DatetimeIndex(pd.to_datetime(text, format="ISO8601"))
                want = expected_local
            else:
                i = int(np.argmax(has_offset.to_numpy() != has_offset.iloc[0]))
                raise ScenarioError(
                    FieldError(
                        "series.timestamp",
                        f"{source}: timestamps mix values with and without a UTC offset",
                        row=i + 1,
                        timestamp=str(text.iloc[i]),
                    )
                )
        except (ValueError, TypeError):
            parsed_each = pd.to_datetime(text, format="ISO8601", errors="coerce", utc=True)
            i = int(np.argmax(parsed_each.isna().to_numpy()))
            raise ScenarioError(
                FieldError(
                    "series.timestamp",
                    f"{source}: {text.iloc[i]!r} is not an ISO 8601 timestamp",
                    row=i + 1,
                    timestamp=str(text.iloc[i]),
                )
            ) from None
    m = min(n, len(want))
    differ = np.asarray(got[:m].asi8 != want[:m].asi8)
    if differ.any():
        i = int(np.argmax(differ))
        raise ScenarioError(
            FieldError(
                "series.timestamp",
                f"{source}: timestamp {values.iloc[i]} differs from the step the site defines "
                f"({grid.index[i].isoformat()})",
                row=i + 1,
                timestamp=str(values.iloc[i]),
            )
        )


def read_series(spec: SeriesSpec, base_dir: Path | None, grid: TimeGrid) -> SeriesTable:
    """Read and check the series; ``base_dir`` is the scenario file's folder (None: no files)."""
    if spec.columns is not None:
        source = "series.columns"
        for name, col in spec.columns.items():
            if len(col) != grid.periods:
                raise ScenarioError.single(
                    f"series.columns.{name}",
                    f"has {len(col)} values, site.periods is {grid.periods}",
                )
        frame = pd.DataFrame({k: pd.Series(v, dtype=object) for k, v in spec.columns.items()})
        if spec.timestamp is not None:
            if len(spec.timestamp) != grid.periods:
                raise ScenarioError.single(
                    "series.timestamp",
                    f"has {len(spec.timestamp)} values, site.periods is {grid.periods}",
                )
            _check_timestamps(pd.Series(spec.timestamp), grid, source)
        return SeriesTable(frame, source, grid.index)

    assert spec.file is not None
    if base_dir is None:
        raise ScenarioError.single(
            "series.file", "files are not read here; give the series inline as 'columns'"
        )
    path = (base_dir / spec.file).resolve()
    source = spec.file
    if not path.is_file():
        raise ScenarioError.single(
            "series.file", f"no such file: {spec.file} (relative to the scenario file's folder)"
        )
    frame = _read_file(path, spec.file)
    frame.columns = [str(c).strip() for c in frame.columns]
    if "timestamp" not in frame.columns:
        raise ScenarioError.single(
            "series.file", f"{spec.file} has no 'timestamp' column (columns: {list(frame.columns)})"
        )
    stamps = frame["timestamp"]
    _check_timestamps(stamps, grid, source)
    if len(frame) != grid.periods:
        raise ScenarioError.single(
            "series.file",
            f"{spec.file} has {len(frame)} rows, site.periods is {grid.periods}",
        )
    frame = frame.drop(columns=["timestamp"]).reset_index(drop=True)
    log.debug("read %d rows x %d columns from %s", len(frame), frame.shape[1], path)
    return SeriesTable(frame, source, grid.index)


def read_series_file(path: Path, name: str) -> pd.DataFrame:
    """A series file as a frame, read with the checks of :func:`read_series` (encoding, BOM,
    format); ``name`` is how the scenario names it, for messages."""
    return _read_file(path, name)


def _read_file(path: Path, name: str) -> pd.DataFrame:
    """A CSV (UTF-8, a byte-order mark allowed) or Parquet series file as a frame.

    Messages name the file as the scenario does (``name``), never the path it resolved to.
    """
    suffix = path.suffix.lower()
    try:
        if suffix in (".parquet", ".pq"):
            with path.open("rb") as fh:
                head = fh.read(4096)
            if head[:4] != b"PAR1":
                what = describe_bytes(head) or "text"
                raise ScenarioError.single(
                    "series.file", f"{name} is not a Parquet file (it is {what})"
                )
            return pd.read_parquet(path)
        if suffix not in (".csv", ".txt"):
            raise ScenarioError.single("series.file", f"{name}: expected a .csv or .parquet file")
        limits = InputLimits()
        size = path.stat().st_size
        if size > limits.max_series_bytes:
            raise ScenarioError.single(
                "series.file",
                f"{name} is {size} bytes; at most {limits.max_series_bytes} "
                f"({env_name('max_series_bytes')}); a Parquet file is smaller",
            )
        data = path.read_bytes()
        if data.startswith(b"PAR1"):
            raise ScenarioError.single("series.file", f"{name} is a Parquet file; name it .parquet")
        text = decode_text(data, name, "series.file")
        del data
        frame = pd.read_csv(io.StringIO(text), dtype={"timestamp": str}, skipinitialspace=True)
        header = [h.strip() for h in next(csv.reader(io.StringIO(text.partition("\n")[0])), [])]
        dups = sorted({h for h in header if header.count(h) > 1})  # pandas renames duplicates
        if dups:
            raise ScenarioError.single(
                "series.file", f"{name}: column {dups[0]!r} appears more than once"
            )
        return frame
    except ScenarioError:
        raise
    except Exception as exc:
        detail = str(exc).replace(str(path), name).replace(str(path.parent), ".")
        raise ScenarioError.single("series.file", f"cannot read {name}: {detail}") from None
