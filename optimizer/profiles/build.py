"""Weather-derived profiles on a scenario's time grid: the library function behind
``dcopt profiles`` and the resolver of ``profile: {solar: ...}`` / ``{wind: ...}``."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from optimizer.errors import ScenarioError
from optimizer.profiles.solar import solar_per_unit
from optimizer.profiles.spec import (
    SolarProfile,
    SolarSpec,
    WeatherFormat,
    WeatherProfile,
    WeatherSpec,
    WindSpec,
)
from optimizer.profiles.weather import Weather, hour_of_year, locate, read_weather
from optimizer.profiles.wind import hub_wind_speed, wind_per_unit

if TYPE_CHECKING:  # optimizer.scenario imports this module: no import cycle at run time
    from optimizer.scenario.timeindex import TimeGrid


def on_grid(hourly: np.ndarray, weather: Weather, index: pd.DatetimeIndex) -> np.ndarray:
    """A typical-year hourly array (8760) read at every step of a tz-aware index."""
    return np.asarray(hourly, dtype=float)[hour_of_year(index, weather.utc_offset_hours)]


class WeatherContext:
    """The scenario's weather, read on first use; resolves weather-derived fields."""

    def __init__(self, spec: WeatherSpec | None, base_dir: Path | None, time: TimeGrid) -> None:
        self.spec = spec
        self.base_dir = base_dir
        self.time = time
        self._weather: Weather | None = None

    def weather(self, field: str) -> Weather:
        if self.spec is None:
            raise ScenarioError.single(
                field, "is derived from weather, but the scenario has no 'weather' section"
            )
        if self._weather is None:
            path = locate(self.spec.file, self.base_dir)
            self._weather = read_weather(path, self.spec.format)
        return self._weather

    @property
    def year(self) -> int:
        return int(self.time.index[0].year)

    def profile(self, ref: WeatherProfile, field: str) -> np.ndarray:
        """Per-unit output in every step; raises ScenarioError naming ``field``."""
        wx = self.weather(field)
        if isinstance(ref, SolarProfile):
            hourly = solar_per_unit(wx, ref.solar, self.year)
        else:
            hourly = wind_per_unit(wx, ref.wind, f"{field}.wind.turbine")
        return on_grid(hourly, wx, self.time.index)

    def temperature_c(self, field: str) -> np.ndarray:
        """Outdoor dry-bulb temperature in every step, °C."""
        wx = self.weather(field)
        return on_grid(wx.temperature_c, wx, self.time.index)


def weather_profiles(
    weather_file: str | Path,
    *,
    year: int = 2027,
    timezone: str | None = None,
    resolution_minutes: int = 60,
    periods: int | None = None,
    start: str | None = None,
    solar: SolarSpec | None = None,
    wind: WindSpec | None = None,
    fmt: WeatherFormat = "auto",
) -> pd.DataFrame:
    """Per-unit solar and wind output, temperature and wind for a scenario's steps.

    The steps start at ``start`` (default 1 January of ``year``, 00:00 local) in ``timezone``
    (default: the file's standard time as ``Etc/GMT±N``) and cover one year unless
    ``periods`` is given. Columns: ``timestamp`` (tz-aware), ``solar_cf``, ``wind_cf``,
    ``temperature_c``, ``wind_speed_hub_m_per_s``, ``ghi_w_per_m2``.
    """
    path = locate(str(weather_file), Path.cwd(), field="weather_file")
    wx = read_weather(path, fmt, field="weather_file")
    if timezone is None:
        if wx.utc_offset_hours % 1 != 0:
            raise ScenarioError.single(
                "timezone", "the file's UTC offset is not whole hours; name a time zone"
            )
        timezone = f"Etc/GMT{-int(wx.utc_offset_hours):+d}"
    first = start or f"{year:04d}-01-01T00:00"
    if periods is None:
        t0 = pd.Timestamp(first)
        hours = 24 * (366 if t0.is_leap_year and t0.month <= 2 else 365)
        periods = hours * 60 // resolution_minutes
    from optimizer.scenario.timeindex import build_time_grid

    grid = build_time_grid(first, timezone, periods, resolution_minutes)
    solar = solar or SolarSpec()
    wind = wind or WindSpec()
    year_for_sun = int(grid.index[0].year)
    return pd.DataFrame(
        {
            "timestamp": grid.index,
            "solar_cf": on_grid(solar_per_unit(wx, solar, year_for_sun), wx, grid.index),
            "wind_cf": on_grid(wind_per_unit(wx, wind, "wind.turbine"), wx, grid.index),
            "temperature_c": on_grid(wx.temperature_c, wx, grid.index),
            "wind_speed_hub_m_per_s": on_grid(hub_wind_speed(wx, wind), wx, grid.index),
            "ghi_w_per_m2": on_grid(wx.frame["ghi"].to_numpy(), wx, grid.index),
        }
    )
