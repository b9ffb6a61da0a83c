"""Profiles from weather: read TMY3/TMY2/EPW files (pvlib.iotools) and derive per-unit solar
(pvlib) and wind (windpowerlib) output on a scenario's time grid. See docs/profiles.md.

The scenario keys live in :mod:`optimizer.profiles.spec` (no pvlib import there); the
computing modules import pvlib and windpowerlib only when called.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from optimizer.profiles.spec import (
    SolarProfile,
    SolarSpec,
    WeatherProfile,
    WeatherSpec,
    WindProfile,
    WindSpec,
)

if TYPE_CHECKING:
    from optimizer.profiles.build import WeatherContext, weather_profiles
    from optimizer.profiles.weather import Weather, read_weather

__all__ = [
    "SolarProfile",
    "SolarSpec",
    "Weather",
    "WeatherContext",
    "WeatherProfile",
    "WeatherSpec",
    "WindProfile",
    "WindSpec",
    "read_weather",
    "weather_profiles",
]


def __getattr__(name: str) -> Any:
    if name in ("WeatherContext", "weather_profiles"):
        from optimizer.profiles import build

        return getattr(build, name)
    if name in ("Weather", "read_weather"):
        from optimizer.profiles import weather

        return getattr(weather, name)
    raise AttributeError(name)
