"""Reading typical-year weather files (TMY3, TMY2, EPW) with pvlib.iotools, and mapping their
hours onto a scenario's steps.

A typical meteorological year stitches months of different real years together, so the
years in the file mean nothing here. Every supported file has 8760 rows, one an hour, in
order from 1 January 00:00-01:00 to 31 December 23:00-24:00 of the site's *local standard
time* (the offset is in the file's header). Row ``i`` therefore covers standard-time hour
``i`` of a non-leap year, whatever label the reader gives it (TMY3 labels the end of the
hour, TMY2 and EPW as pvlib reads them the start). We use the row order, not the labels.

A step of a scenario is mapped to the row of the standard-time hour in which it starts,
through absolute time: a site in ``America/New_York`` (with daylight saving) and one in
``Etc/GMT+5`` get the same weather at the same instant. 29 February reuses 28 February;
15- and 30-minute steps repeat their hour's value.
"""

from __future__ import annotations

import functools
import logging
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from optimizer.errors import ScenarioError
from optimizer.profiles.spec import WeatherFormat

log = logging.getLogger(__name__)

HOURS_PER_YEAR = 8760
_CUM_DAYS = np.concatenate([[0], np.cumsum([31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])])


@dataclass(frozen=True, eq=False)
class Weather:
    """8760 hourly rows in local standard time, in SI units, with the site's location."""

    frame: pd.DataFrame
    """Columns ghi, dni, dhi (W/m²), temp_air (°C), wind_speed (m/s at the measurement
    height), pressure (Pa), albedo (0..1, may be NaN). A RangeIndex 0..8759."""
    latitude: float
    longitude: float
    altitude_m: float
    utc_offset_hours: float
    """Offset of the file's standard time from UTC (Greensboro TMY3: -5)."""
    source: str

    @property
    def temperature_c(self) -> np.ndarray:
        return np.asarray(self.frame["temp_air"], dtype=float)


def bundled_pvlib_file(name: str) -> Path:
    """A data file shipped with pvlib (e.g. ``723170TYA.CSV``, Greensboro NC TMY3)."""
    import pvlib

    return Path(pvlib.__file__).parent / "data" / name


def locate(file: str, base_dir: Path | None, field: str = "weather.file") -> Path:
    """The weather file's path: ``pvlib:NAME`` (a plain file name in pvlib's data folder) or
    relative to ``base_dir``. With ``base_dir=None`` (a scenario that came as a mapping, e.g.
    over the API) no path on disk is read, only pvlib's bundled files."""
    if file.startswith("pvlib:"):
        name = file.removeprefix("pvlib:")
        if not name or Path(name).name != name or name in (".", ".."):
            raise ScenarioError.single(
                field, f"'pvlib:' takes the plain name of a file pvlib ships, got {name!r}"
            )
        path = bundled_pvlib_file(name)
    else:
        if base_dir is None:
            raise ScenarioError.single(
                field, "files are not read here; use a 'pvlib:NAME' weather file"
            )
        path = base_dir / file
    if not path.is_file():
        raise ScenarioError.single(field, f"no such weather file: {path}")
    return path.resolve()


def detect_format(path: Path) -> WeatherFormat:
    """TMY3 (CSV, header line of 7 fields), TMY2 (.tm2) or EPW (.epw)."""
    suffix = path.suffix.lower()
    if suffix == ".epw":
        return "epw"
    if suffix == ".tm2":
        return "tmy2"
    if suffix == ".csv":
        return "tmy3"
    with path.open(encoding="utf-8", errors="replace") as fh:
        first = fh.readline()
    if first.upper().startswith("LOCATION,"):
        return "epw"
    if first.count(",") == 6:
        return "tmy3"
    return "tmy2"


def read_weather(
    file: str | Path, fmt: WeatherFormat = "auto", field: str = "weather.file"
) -> Weather:
    """Read a TMY3, TMY2 or EPW file into a :class:`Weather` (cached by path and mtime)."""
    path = Path(file).resolve()
    if not path.is_file():
        raise ScenarioError.single(field, f"no such weather file: {path}")
    return _read_cached(str(path), path.stat().st_mtime_ns, fmt, field)


@functools.lru_cache(maxsize=8)
def _read_cached(path_str: str, mtime_ns: int, fmt: WeatherFormat, field: str) -> Weather:
    from pvlib import iotools

    path = Path(path_str)
    kind = detect_format(path) if fmt == "auto" else fmt
    try:
        if kind == "tmy3":
            data, meta = iotools.read_tmy3(path, map_variables=True)
            frame = pd.DataFrame(
                {
                    "ghi": data["ghi"],
                    "dni": data["dni"],
                    "dhi": data["dhi"],
                    "temp_air": data["temp_air"],
                    "wind_speed": data["wind_speed"],
                    "pressure": data["pressure"] * 100.0,  # mbar -> Pa
                    "albedo": data.get("albedo", np.nan),
                }
            )
            lat, lon, alt, tz = meta["latitude"], meta["longitude"], meta["altitude"], meta["TZ"]
        elif kind == "tmy2":
            data, meta = iotools.read_tmy2(path)
            frame = pd.DataFrame(
                {
                    "ghi": data["GHI"],
                    "dni": data["DNI"],
                    "dhi": data["DHI"],
                    "temp_air": data["DryBulb"] / 10.0,  # tenths of °C
                    "wind_speed": data["Wspd"] / 10.0,  # tenths of m/s
                    "pressure": data["Pressure"] * 100.0,  # mbar -> Pa
                    "albedo": np.nan,
                }
            )
            lat, lon, alt, tz = meta["latitude"], meta["longitude"], meta["altitude"], meta["TZ"]
        else:
            data, meta = iotools.read_epw(path)
            frame = pd.DataFrame(
                {
                    "ghi": data["ghi"],
                    "dni": data["dni"],
                    "dhi": data["dhi"],
                    "temp_air": data["temp_air"],
                    "wind_speed": data["wind_speed"],
                    "pressure": data["atmospheric_pressure"],  # Pa
                    "albedo": data.get("albedo", np.nan),
                }
            )
            lat, lon, alt, tz = meta["latitude"], meta["longitude"], meta["altitude"], meta["TZ"]
    except ScenarioError:
        raise
    except Exception as exc:
        raise ScenarioError.single(
            field, f"cannot read {path.name} as {kind.upper()}: {type(exc).__name__}: {exc}"
        ) from exc
    if len(frame) != HOURS_PER_YEAR:
        raise ScenarioError.single(
            field, f"{path.name} has {len(frame)} hourly rows; a typical year has {HOURS_PER_YEAR}"
        )
    frame = frame.reset_index(drop=True).astype(float)
    albedo = frame["albedo"].to_numpy()
    frame["albedo"] = np.where((albedo > 0) & (albedo < 1), albedo, np.nan)
    for col in ("ghi", "dni", "dhi", "temp_air", "wind_speed", "pressure"):
        bad = ~np.isfinite(frame[col].to_numpy())
        if bad.any():
            i = int(np.argmax(bad))
            raise ScenarioError.single(field, f"{path.name}: column {col} is missing", row=i + 1)
    log.info("read %s weather %s (lat %.3f, lon %.3f, UTC%+g)", kind, path.name, lat, lon, tz)
    return Weather(frame, float(lat), float(lon), float(alt), float(tz), str(path))


def hour_of_year(index: pd.DatetimeIndex, utc_offset_hours: float) -> np.ndarray:
    """Row of a typical-year file (0..8759) for every instant of a tz-aware index.

    The instant is read in the file's standard time (UTC + offset); the row is
    ``24·(day of a non-leap year − 1) + hour``, with 29 February read as 28 February.
    """
    if index.tz is None:
        raise ValueError("index must be tz-aware")
    std = index.tz_convert("UTC") + pd.Timedelta(hours=utc_offset_hours)
    month = np.asarray(std.month) - 1
    day = np.minimum(np.asarray(std.day), np.where(month == 1, 28, 31))
    hour = np.asarray(std.hour)
    rows = (_CUM_DAYS[month] + day - 1) * 24 + hour
    return rows.astype(np.int64)


def reference_times(weather: Weather, year: int) -> pd.DatetimeIndex:
    """Midpoints of the 8760 hours in standard time, stamped with a non-leap ``year``
    (a leap year uses the one before: solar geometry differs by a fraction of a degree)."""
    if pd.Timestamp(year=year, month=1, day=1).is_leap_year:
        year -= 1
    tz = (
        f"Etc/GMT{-int(weather.utc_offset_hours):+d}" if weather.utc_offset_hours % 1 == 0 else None
    )
    start = pd.Timestamp(year=year, month=1, day=1, minute=30)
    idx = pd.date_range(start, periods=HOURS_PER_YEAR, freq="h")
    if tz is not None:
        return idx.tz_localize(tz)
    offset = pd.Timedelta(hours=weather.utc_offset_hours)
    return (idx - offset).tz_localize("UTC")
