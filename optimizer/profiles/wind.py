"""Per-unit wind output from weather (windpowerlib), per MW of turbine rating.

| step | how | symbol |
| --- | --- | --- |
| wind at hub height | Hellman power law | v_hub = v_meas·(h_hub / h_meas)^α |
| turbine | windpowerlib ``WindTurbine`` from its bundled oedb library (no download) | |
| power | windpowerlib ``power_curve`` (0 below cut-in, above the curve's end) | P(v_hub) |
| per unit | | (1 − losses)·P / P_rated |

Air-density correction is off (the power curves are for standard density), so the output is
exactly the power curve read at the hub-height wind speed: 0 below cut-in, 1 − losses
between rated speed and cut-out.
"""

from __future__ import annotations

import difflib
import functools
import json
from pathlib import Path

import numpy as np
import pandas as pd

from optimizer.errors import ScenarioError
from optimizer.profiles.spec import WindSpec
from optimizer.profiles.weather import Weather


def _library_dir() -> Path:
    import windpowerlib

    return Path(windpowerlib.__file__).parent / "oedb"


@functools.lru_cache(maxsize=1)
def turbine_types() -> list[str]:
    """Turbine types with a power curve in windpowerlib's bundled oedb library."""
    curves = pd.read_csv(_library_dir() / "power_curves.csv", usecols=["turbine_type"])
    return sorted(str(t) for t in curves["turbine_type"].dropna().unique())


@functools.lru_cache(maxsize=16)
def power_curve(turbine: str, field: str = "wind.turbine") -> tuple[np.ndarray, np.ndarray]:
    """(wind speed m/s, power per unit of rating) of a bundled turbine."""
    from windpowerlib import WindTurbine

    if turbine not in turbine_types():
        close = difflib.get_close_matches(turbine, turbine_types(), n=4, cutoff=0.5)
        hint = f"; did you mean {', '.join(close)}?" if close else ""
        raise ScenarioError.single(
            field,
            f"turbine {turbine!r} is not in windpowerlib's bundled library "
            f"({len(turbine_types())} types, e.g. V126/3300, E-126/4200){hint}",
        )
    wt = WindTurbine(hub_height=100.0, turbine_type=turbine, path=str(_library_dir()))
    pc = wt.power_curve.sort_values("wind_speed")
    speeds = pc["wind_speed"].to_numpy(dtype=float)
    per_unit = pc["value"].to_numpy(dtype=float) / float(wt.nominal_power)
    return speeds, np.clip(per_unit, 0.0, 1.0)


def hub_wind_speed(weather: Weather, spec: WindSpec) -> np.ndarray:
    """Hellman power law from the measurement height to the hub height, m/s."""
    v = weather.frame["wind_speed"].to_numpy(dtype=float)
    return v * (spec.hub_height_m / spec.measurement_height_m) ** spec.shear_exponent


def wind_per_unit_from_speed(speed_m_per_s: np.ndarray, spec: WindSpec, field: str) -> np.ndarray:
    """Per-unit output at given hub-height speeds (windpowerlib's power-curve model)."""
    from windpowerlib.power_output import power_curve as wpl_power_curve

    speeds, values = power_curve(spec.turbine, field)
    p = wpl_power_curve(
        pd.Series(np.asarray(speed_m_per_s, dtype=float)),
        pd.Series(speeds),
        pd.Series(values),
        density_correction=False,
    )
    out = np.clip(np.nan_to_num(np.asarray(p, dtype=float), nan=0.0), 0.0, 1.0)
    return out * (1.0 - spec.losses_fraction)


def wind_per_unit(weather: Weather, spec: WindSpec, field: str = "wind.turbine") -> np.ndarray:
    """8760 values in [0, 1]: output per MW of rating in each hour of the file."""
    return _wind_cached(weather, spec.model_dump_json(), field).copy()


@functools.lru_cache(maxsize=32)
def _wind_cached(weather: Weather, spec_json: str, field: str) -> np.ndarray:
    spec = WindSpec.model_validate(json.loads(spec_json))
    out = wind_per_unit_from_speed(hub_wind_speed(weather, spec), spec, field)
    out.setflags(write=False)
    return out
