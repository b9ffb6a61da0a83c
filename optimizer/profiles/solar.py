"""Per-unit solar output from weather (pvlib), per MW of inverter (AC) capacity.

The chain, for the midpoint of each hour of the typical year:

| step | pvlib function | symbol |
| --- | --- | --- |
| solar position | ``solarposition.get_solarposition`` | zenith θz, azimuth γs |
| fixed tilt, or tracker angles | ``tracking.singleaxis`` (backtracking) | tilt β, azimuth γ |
| plane-of-array irradiance (Hay-Davies) | ``irradiance.get_total_irradiance`` | E_poa |
| reflection losses of the beam | ``iam.physical`` | IAM |
| cell temperature (SAPM) | ``temperature.sapm_cell`` | T_cell |
| DC power (PVWatts) | ``pvsystem.pvwatts_dc`` | P_dc = r·(E_eff/1000)·(1 + γ·(T_cell − 25)) |
| DC losses | | P_dc·(1 − losses) |
| inverter (PVWatts, clips at 1) | ``inverter.pvwatts`` | P_ac ≤ 1 |

with r = dc_ac_ratio (MW DC per MW AC), so the result is MW AC per MW AC, in [0, 1].
"""

from __future__ import annotations

import functools
import json

import numpy as np
import pandas as pd

from optimizer.profiles.spec import SolarSpec
from optimizer.profiles.weather import Weather, reference_times


def solar_per_unit(weather: Weather, spec: SolarSpec, year: int = 2027) -> np.ndarray:
    """8760 values in [0, 1]: AC output per MW AC in each standard-time hour of the file."""
    return _solar_cached(weather, spec.model_dump_json(), year).copy()


@functools.lru_cache(maxsize=32)
def _solar_cached(weather: Weather, spec_json: str, year: int) -> np.ndarray:
    import pvlib

    spec = SolarSpec.model_validate(json.loads(spec_json))
    wx = weather.frame
    times = reference_times(weather, year)
    temp = wx["temp_air"].to_numpy()
    pos = pvlib.solarposition.get_solarposition(
        times,
        weather.latitude,
        weather.longitude,
        altitude=weather.altitude_m,
        pressure=wx["pressure"].to_numpy(),
        temperature=temp,
    )
    zenith = pos["zenith"].to_numpy()
    app_zenith = pos["apparent_zenith"].to_numpy()
    azimuth = pos["azimuth"].to_numpy()
    if spec.tracking == "single_axis":
        trk = pvlib.tracking.singleaxis(
            pd.Series(app_zenith, index=times),
            pd.Series(azimuth, index=times),
            axis_tilt=0.0,
            axis_azimuth=spec.azimuth_deg,
            max_angle=spec.max_angle_deg,
            backtrack=spec.backtrack,
            gcr=spec.gcr,
        )
        tilt = trk["surface_tilt"].fillna(0.0).to_numpy()
        surf_az = trk["surface_azimuth"].fillna(spec.azimuth_deg).to_numpy()
    else:
        t = spec.tilt_deg if spec.tilt_deg is not None else abs(weather.latitude)
        tilt = np.full(len(times), t)
        surf_az = np.full(len(times), spec.azimuth_deg)
    albedo = (
        np.full(len(times), spec.albedo)
        if spec.albedo is not None
        else wx["albedo"].fillna(0.2).to_numpy()
    )
    dni_extra = pvlib.irradiance.get_extra_radiation(times).to_numpy()
    poa = pvlib.irradiance.get_total_irradiance(
        tilt,
        surf_az,
        zenith,
        azimuth,
        wx["dni"].to_numpy(),
        wx["ghi"].to_numpy(),
        wx["dhi"].to_numpy(),
        dni_extra=dni_extra,
        albedo=albedo,
        model="haydavies",
    )
    aoi = pvlib.irradiance.aoi(tilt, surf_az, zenith, azimuth)
    iam = np.nan_to_num(np.asarray(pvlib.iam.physical(aoi), dtype=float), nan=0.0)
    beam = np.nan_to_num(np.asarray(poa["poa_direct"], dtype=float), nan=0.0)
    diffuse = np.nan_to_num(np.asarray(poa["poa_diffuse"], dtype=float), nan=0.0)
    beam = np.where(zenith < 90.0, beam, 0.0)
    effective = np.maximum(beam * iam + diffuse, 0.0)
    poa_global = np.maximum(beam + diffuse, 0.0)
    params = pvlib.temperature.TEMPERATURE_MODEL_PARAMETERS["sapm"][
        "open_rack_glass_polymer" if spec.mounting == "open_rack" else "close_mount_glass_glass"
    ]
    t_cell = pvlib.temperature.sapm_cell(poa_global, temp, wx["wind_speed"].to_numpy(), **params)
    pdc = pvlib.pvsystem.pvwatts_dc(
        effective,
        np.asarray(t_cell, dtype=float),
        spec.dc_ac_ratio,
        spec.temperature_coefficient_per_c,
    )
    pdc = np.maximum(np.asarray(pdc, dtype=float), 0.0) * (1.0 - spec.losses_fraction)
    pac = pvlib.inverter.pvwatts(
        pdc, pdc0=1.0 / spec.inverter_efficiency, eta_inv_nom=spec.inverter_efficiency
    )
    out = np.clip(np.nan_to_num(np.asarray(pac, dtype=float), nan=0.0), 0.0, 1.0)
    out.setflags(write=False)
    return out
