"""The datacenter load model: IT load from capacity, workload mix and growth; site load from
IT load and a temperature-dependent PUE.

| symbol | meaning | key |
| --- | --- | --- |
| C | installed IT capacity, MW | it_capacity_mw |
| s | training share of capacity | training_share |
| u_tr | training utilisation (flat) | training_utilisation |
| ū, a, h_pk | inference mean utilisation, diurnal amplitude, peak local hour | inference_* |
| g | growth per year | growth_per_year |
| PUE₀, k, T₀ | base PUE, slope /°C, economiser threshold °C | pue_base, pue_slope_per_c, … |

    u_inf(t) = ū·(1 + a·cos(2π·(h(t) − h_pk)/24))          h(t): local hour + minutes/60
    IT(t)    = C·(s·u_tr + (1 − s)·u_inf(t))·(1 + g)^(τ(t)/8760)   τ: hours since the first step
    PUE(t)   = PUE₀ + k·max(0, T(t) − T₀)
    load(t)  = IT(t)·PUE(t)
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from optimizer.loadmodel.spec import DatacenterLoadSpec


def it_load_mw(spec: DatacenterLoadSpec, index: pd.DatetimeIndex) -> np.ndarray:
    """IT load in every step (``index``: tz-aware step starts, local hours are used)."""
    hour = np.asarray(index.hour, dtype=float) + np.asarray(index.minute, dtype=float) / 60.0
    u_inf = spec.inference_utilisation * (
        1.0
        + spec.inference_diurnal_amplitude
        * np.cos(2.0 * np.pi * (hour - spec.inference_peak_hour) / 24.0)
    )
    s = spec.training_share
    util = s * spec.training_utilisation + (1.0 - s) * u_inf
    elapsed_h = np.asarray((index - index[0]) / pd.Timedelta(hours=1), dtype=float)
    growth = (1.0 + spec.growth_per_year) ** (elapsed_h / 8760.0)
    return np.asarray(spec.it_capacity_mw * util * growth, dtype=float)


def pue(spec: DatacenterLoadSpec, temperature_c: np.ndarray) -> np.ndarray:
    """PUE₀ + k·max(0, T − T₀)."""
    t = np.asarray(temperature_c, dtype=float)
    return spec.pue_base + spec.pue_slope_per_c * np.maximum(0.0, t - spec.economiser_threshold_c)


def datacenter_load(
    spec: DatacenterLoadSpec, index: pd.DatetimeIndex, temperature_c: np.ndarray
) -> pd.DataFrame:
    """Columns ``load_mw``, ``it_load_mw``, ``pue``, ``temperature_c``, one row a step."""
    it = it_load_mw(spec, index)
    p = pue(spec, temperature_c)
    return pd.DataFrame(
        {
            "timestamp": index,
            "load_mw": it * p,
            "it_load_mw": it,
            "pue": p,
            "temperature_c": np.asarray(temperature_c, dtype=float),
        }
    )
