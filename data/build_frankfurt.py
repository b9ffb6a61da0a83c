"""Rebuild data/frankfurt/grid.parquet: the illustrative hourly series of the bundled
Frankfurt example (see data/README.md for every number and its source).

    .venv/bin/python data/build_frankfurt.py            # writes data/frankfurt/grid.parquet

**The weather is synthetic.** No package on the Python registry that dcopt can depend on
ships a German typical-year weather file (pvlib's data folder has US files only), so this
script builds a documented synthetic year for Frankfurt am Main from monthly climate values
(each a named constant below) and pvlib's clear-sky model:

- GHI = Ineichen clear-sky GHI (pvlib, Linke turbidity 3.5) × a daily clearness factor
  k_d = min(1, c_m·u_d): u_d a seeded day-to-day multiplier (uniform 0.3-1.7), c_m solved
  per month (scipy brentq) so that the month's total equals ``GHI_KWH_M2`` exactly.
  DNI and DHI from GHI by the Erbs decomposition (pvlib).
- air temperature = the month's mean (``TEMP_MEAN_C``, interpolated between mid-months) +
  ``TEMP_HALF_RANGE_C``·cos(2π(h − 15)/24) (warmest at 15:00 solar time) + 2.5·(k_d − K_m)
  (a sunnier day is warmer in summer, colder in winter: sign by month).
- hub-height wind at the wind PPA's site = a Weibull(k = 2) quantile of a seeded AR(1)
  Gaussian series (lag-1 correlation 0.97 an hour, i.e. weather systems of a few days),
  scaled month by month so that each month's mean is ``WIND_100M_M_S``.

Solar and wind capacity factors then come from dcopt's own pvlib/windpowerlib chain
(:mod:`optimizer.profiles`), read in local time (Europe/Berlin, with DST) like any weather
file. The grid series (CFE share, intensity, spot price) are synthetic too, from those
profiles and a handful of public annual figures. Deterministic: a fixed seed, so the same
numpy/pvlib/windpowerlib versions give the same file.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd

from optimizer.profiles.build import on_grid
from optimizer.profiles.solar import solar_per_unit
from optimizer.profiles.spec import SolarSpec, WindSpec
from optimizer.profiles.weather import Weather, reference_times
from optimizer.profiles.wind import wind_per_unit_from_speed

YEAR = 2027
TIMEZONE = "Europe/Berlin"
SEED = 20270101
LATITUDE, LONGITUDE, ALTITUDE_M = 50.05, 8.60, 112.0
"""Frankfurt am Main airport (DWD station 1420)."""
UTC_OFFSET_HOURS = 1.0
"""Central European (standard) Time; the synthetic year is in local standard time."""

# --- Monthly climate of Frankfurt am Main (January..December), rounded ---
TEMP_MEAN_C = (2.0, 2.9, 6.4, 10.6, 14.6, 18.0, 20.0, 19.6, 15.4, 10.6, 5.9, 2.9)
"""Monthly mean air temperature, °C: order of DWD 1991-2020 climate normals for Frankfurt/Main
airport (annual mean ≈ 10.7 °C)."""
TEMP_HALF_RANGE_C = (2.5, 3.2, 4.3, 5.3, 5.5, 5.6, 5.8, 5.7, 5.0, 4.0, 2.8, 2.3)
"""Half the mean daily temperature range, °C (DWD normals: daily max − min ≈ 5 °C in
winter, 11-12 °C in summer)."""
GHI_KWH_M2 = (25, 45, 85, 125, 155, 165, 165, 140, 100, 60, 28, 18)
"""Monthly global horizontal irradiation, kWh/m²: order of DWD and PVGIS-SARAH monthly values
for the Rhine-Main area (annual ≈ 1,110 kWh/m²)."""
WIND_100M_M_S = (7.6, 7.4, 7.2, 6.4, 6.0, 5.7, 5.6, 5.6, 6.1, 6.8, 7.2, 7.6)
"""Monthly mean wind speed at 100 m, m/s, at an onshore site in northern Germany (the wind
PPA's plant; Frankfurt itself is not windy): order of the Global Wind Atlas / DWD values
(annual ≈ 6.6 m/s). Illustrative."""
LINKE_TURBIDITY = 3.5
"""Central European mean Linke turbidity for the Ineichen clear-sky model."""

# --- Annual figures of the synthetic German (DE-LU) system ---
WIND_SHARE = 0.32
"""Wind share of generation, about 30-33 % in 2023-2024 (Fraunhofer ISE Energy-Charts,
public net generation, rounded)."""
SOLAR_SHARE = 0.14
"""Solar share, about 12-14 % in 2023-2024 (Energy-Charts, rounded)."""
FIRM_CLEAN_SHARE = 0.13
"""Hydro, biomass and other renewables, about 12-14 % (Energy-Charts; no nuclear since
April 2023)."""
GAS_TCO2_PER_MWH = 0.37
"""Combined-cycle gas: ~6.9 GJ/MWh × 56 kgCO2/GJ (IPCC default for natural gas)."""
LIGNITE_TCO2_PER_MWH = 1.10
"""Lignite: the order of the German lignite plants' specific emissions (UBA)."""
TARGET_TCO2_PER_MWH = 0.36
"""Annual load-weighted location-based intensity: the order of the German electricity mix's
CO2 emission factor of recent years (UBA: about 0.38 t/MWh for 2023)."""
GAS_PRICE_PER_MWH_TH = 35.0
"""TTF gas, EUR/MWh thermal: the order of 2025 forward prices."""
EUA_PRICE_PER_TCO2 = 70.0
"""EU ETS allowance, EUR/tCO2: the order of 2024-2025 prices."""
CCGT_EFFICIENCY = 0.55
SURPLUS_PRICE_PER_MWH = -5.0
"""Spot price in hours when clean supply exceeds load (negative prices in surplus hours)."""


def _month_values(values: tuple[float, ...], ts: pd.DatetimeIndex) -> np.ndarray:
    return np.asarray(values, dtype=float)[np.asarray(ts.month) - 1]


def _ghi_excess(c: float, clear: np.ndarray, mult: np.ndarray, target: float) -> float:
    """Σ clear·min(1, c·mult) − target: zero at the month's scale c."""
    return float((clear * np.minimum(1.0, c * mult)).sum()) - target


def synthetic_weather() -> tuple[Weather, np.ndarray]:
    """The synthetic typical year of Frankfurt as a :class:`Weather` (8760 rows, CET; its
    wind_speed is at 10 m, Hellman 0.20 below 100 m) and the 100 m wind at the PPA's site."""
    import pvlib
    from scipy import optimize, stats

    rng = np.random.default_rng(SEED)
    starts = pd.date_range(f"{YEAR}-01-01", periods=8760, freq="h")
    mid = (starts + pd.Timedelta(minutes=30)).tz_localize(f"Etc/GMT-{int(UTC_OFFSET_HOURS)}")
    site = pvlib.location.Location(LATITUDE, LONGITUDE, altitude=ALTITUDE_M)
    clear = site.get_clearsky(mid, model="ineichen", linke_turbidity=LINKE_TURBIDITY)
    clear_ghi = clear["ghi"].to_numpy()

    # daily clearness: the month's K_m times a seeded multiplier, each month to its total
    days = np.asarray(starts.dayofyear) - 1
    multiplier = rng.uniform(0.3, 1.7, size=365)[days]
    month = np.asarray(starts.month) - 1
    ghi = np.zeros(8760)
    k_day = np.zeros(8760)
    for m in range(12):
        sel = month == m
        target = GHI_KWH_M2[m] * 1000.0
        k_m = target / clear_ghi[sel].sum()
        c_sky, mult = clear_ghi[sel], multiplier[sel]
        scale = optimize.brentq(
            _ghi_excess, 0.0, 1.0 / mult.min(), args=(c_sky, mult, target), xtol=1e-12
        )
        k = np.minimum(1.0, scale * mult)
        ghi[sel] = c_sky * k
        k_day[sel] = k - k_m
    zenith = site.get_solarposition(mid)["zenith"]
    split = pvlib.irradiance.erbs(pd.Series(ghi, index=mid), zenith, mid)

    # temperature: smooth monthly means, a diurnal wave, warmer sunny summer days
    doy = np.asarray(starts.dayofyear, dtype=float) + np.asarray(starts.hour) / 24.0
    mid_month = np.array([16, 45, 75, 105, 136, 166, 197, 228, 258, 289, 319, 350], dtype=float)
    t_mean = np.interp(
        doy,
        np.concatenate([mid_month - 365, mid_month, mid_month + 365]),
        np.tile(TEMP_MEAN_C, 3),
    )
    solar_hour = np.asarray(starts.hour) + 0.5 + (LONGITUDE - 15.0) / 15.0
    half = _month_values(TEMP_HALF_RANGE_C, starts)
    summer = np.where(np.isin(month, [3, 4, 5, 6, 7, 8]), 1.0, -1.0)
    temp = t_mean + half * np.cos(2 * np.pi * (solar_hour - 15.0) / 24.0)
    temp += 2.5 * summer * k_day

    # hub-height wind: Weibull(k=2) quantiles of an AR(1) Gaussian, scaled to monthly means
    phi = 0.97
    z = np.zeros(8760)
    noise = rng.standard_normal(8760)
    for t in range(1, 8760):
        z[t] = phi * z[t - 1] + np.sqrt(1 - phi**2) * noise[t]
    u = stats.norm.cdf(z)
    weibull = stats.weibull_min.ppf(u, 2.0)  # mean Γ(1.5) ≈ 0.886
    month_mean = np.bincount(month, weights=weibull) / np.bincount(month)
    speed = weibull / month_mean[month] * _month_values(WIND_100M_M_S, starts)

    frame = pd.DataFrame(
        {
            "ghi": ghi,
            "dni": split["dni"].to_numpy(),
            "dhi": split["dhi"].to_numpy(),
            "temp_air": temp,
            "wind_speed": speed * (10.0 / 100.0) ** 0.20,  # 10 m (cell temperature)
            "pressure": 100_000.0,
            "albedo": np.nan,
        }
    )
    weather = Weather(
        frame, LATITUDE, LONGITUDE, ALTITUDE_M, UTC_OFFSET_HOURS, "synthetic Frankfurt year"
    )
    return weather, speed


SOLAR_PPA = SolarSpec(tracking="fixed", tilt_deg=30, dc_ac_ratio=1.2, losses_fraction=0.14)
WIND_PPA = WindSpec(turbine="V126/3300", hub_height_m=100.0, losses_fraction=0.12)
"""At 100 m hub height the turbine sees WIND_100M_M_S directly (no shear applied)."""


def build() -> pd.DataFrame:
    weather, speed = synthetic_weather()
    index = pd.date_range(f"{YEAR}-01-01", periods=8760, freq="h", tz=TIMEZONE)
    assert len(reference_times(weather, YEAR)) == 8760
    solar_cf = on_grid(solar_per_unit(weather, SOLAR_PPA, YEAR), weather, index)
    wind_cf = on_grid(wind_per_unit_from_speed(speed, WIND_PPA, "wind"), weather, index)
    temp = on_grid(weather.temperature_c, weather, index)

    # system load (mean 1): heating below 15 °C, daytime peak, lower weekends
    hour = np.asarray(index.hour)
    raw = (
        1.0
        + 0.012 * np.maximum(0.0, 15.0 - temp)
        + 0.12 * np.cos(2 * np.pi * (hour - 13.0) / 24.0)
        - 0.10 * (np.asarray(index.weekday) >= 5)
    )
    load = raw / raw.mean()
    clean = (
        FIRM_CLEAN_SHARE
        + WIND_SHARE * wind_cf / wind_cf.mean()
        + SOLAR_SHARE * solar_cf / solar_cf.mean()
    )
    cfe_share = np.minimum(1.0, clean / load)
    fossil = np.maximum(0.0, load - clean)
    residual = fossil / load  # fossil share of the hour, 0..1

    # fossil mix: lignite is the base of the fossil stack, gas fills what it cannot
    lignite_frac = np.clip(0.25 / np.maximum(residual, 1e-9), 0.0, 1.0) * (residual > 0)
    factor = lignite_frac * LIGNITE_TCO2_PER_MWH + (1 - lignite_frac) * GAS_TCO2_PER_MWH
    intensity = residual * factor
    weighted = float((intensity * load).sum() / load.sum())
    intensity = intensity * TARGET_TCO2_PER_MWH / weighted

    # spot: a gas plant's cost (fuel + CO2) sets the price when gas is marginal, lower when
    # lignite is, the surplus price when clean supply covers the load
    gas_cost = GAS_PRICE_PER_MWH_TH / CCGT_EFFICIENCY + EUA_PRICE_PER_TCO2 * GAS_TCO2_PER_MWH
    spot = np.where(
        residual <= 0,
        SURPLUS_PRICE_PER_MWH,
        SURPLUS_PRICE_PER_MWH + (gas_cost * 1.25 - SURPLUS_PRICE_PER_MWH) * np.sqrt(residual),
    )
    return pd.DataFrame(
        {
            "timestamp": index,
            "temperature_c": np.round(temp, 3),
            "solar_cf": np.round(solar_cf, 6),
            "wind_cf": np.round(wind_cf, 6),
            "grid_cfe_share": np.round(cfe_share, 6),
            "grid_tco2_per_mwh": np.round(intensity, 6),
            "spot_price_per_mwh": np.round(spot, 3),
        }
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    here = Path(__file__).resolve().parent
    parser.add_argument("--out", type=Path, default=here / "frankfurt" / "grid.parquet")
    args = parser.parse_args()
    frame = build()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    frame.to_parquet(args.out, index=False)
    print(f"wrote {args.out}: {len(frame)} rows")
    for col in frame.columns[1:]:
        print(
            f"  {col}: mean {frame[col].mean():.4f}, min {frame[col].min():.4f}, "
            f"max {frame[col].max():.4f}"
        )


if __name__ == "__main__":
    main()
