"""Scenario keys for weather-derived profiles (pydantic only; no pvlib import here).

A scenario names its weather file once, in the top-level ``weather:`` section, and a
``profile`` of a solar or wind technology or PPA may then be a one-key mapping
``{solar: {...}}`` or ``{wind: {...}}`` instead of a number or column (the same style as
``{tou: [...]}`` for prices). Defaults and their sources are in docs/profiles.md.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

WeatherFormat = Literal["auto", "tmy3", "tmy2", "epw"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_default=True)


class WeatherSpec(_Strict):
    """The weather file of a scenario (typical meteorological year, one row an hour)."""

    file: str = Field(
        description="TMY3, TMY2 or EPW file, path relative to the scenario file; "
        "'pvlib:NAME' names a file bundled with pvlib (e.g. pvlib:723170TYA.CSV)"
    )
    format: WeatherFormat = Field(default="auto", description="auto: by extension and first line")


class SolarSpec(_Strict):
    """Per-unit AC output of a PV plant (PVWatts-style chain in pvlib), per MW of inverter AC."""

    tracking: Literal["fixed", "single_axis"] = Field(
        default="fixed", description="fixed tilt, or horizontal single-axis tracking"
    )
    tilt_deg: float | None = Field(
        default=None, ge=0, le=90, description="fixed tilt; default: the site's latitude"
    )
    azimuth_deg: float = Field(
        default=180.0, ge=0, lt=360, description="fixed: panel azimuth; tracking: axis azimuth"
    )
    max_angle_deg: float = Field(default=60.0, gt=0, le=90, description="tracker rotation limit")
    gcr: float = Field(default=0.35, gt=0, lt=1, description="ground coverage ratio (trackers)")
    backtrack: bool = True
    dc_ac_ratio: float = Field(default=1.3, gt=0, le=3, description="DC nameplate / AC")
    losses_fraction: float = Field(
        default=0.14, ge=0, lt=1, description="DC losses (soiling, wiring, mismatch...)"
    )
    temperature_coefficient_per_c: float = Field(
        default=-0.0035, ge=-0.02, le=0, description="relative DC power change per °C"
    )
    inverter_efficiency: float = Field(default=0.96, gt=0, le=1)
    albedo: float | None = Field(
        default=None, ge=0, le=1, description="ground reflectance; default: file's or 0.2"
    )
    mounting: Literal["open_rack", "close_mount"] = Field(
        default="open_rack", description="SAPM cell-temperature parameters"
    )


class WindSpec(_Strict):
    """Per-unit output of a wind turbine (windpowerlib), per MW of turbine rating."""

    turbine: str = Field(
        default="V126/3300", description="turbine type of windpowerlib's bundled oedb library"
    )
    hub_height_m: float = Field(default=117.0, gt=0, le=300)
    shear_exponent: float = Field(
        default=0.20, ge=0, le=1, description="Hellman exponent from the file's 10 m wind"
    )
    measurement_height_m: float = Field(default=10.0, gt=0)
    losses_fraction: float = Field(
        default=0.0, ge=0, lt=1, description="wake, availability and electrical losses"
    )


class SolarProfile(_Strict):
    """``profile: {solar: {...}}``: per-unit solar output from the scenario's weather."""

    solar: SolarSpec = Field(default_factory=SolarSpec)


class WindProfile(_Strict):
    """``profile: {wind: {...}}``: per-unit wind output from the scenario's weather."""

    wind: WindSpec = Field(default_factory=WindSpec)


WeatherProfile = SolarProfile | WindProfile
