"""Rebuild data/greensboro/grid.parquet: the illustrative hourly grid series of the bundled
Greensboro example (see data/README.md for every number and its source).

    .venv/bin/python data/build_greensboro.py            # writes data/greensboro/grid.parquet

No real hourly grid data ships with dcopt. This script builds a documented synthetic year
from the real Greensboro TMY3 weather that pvlib bundles (723170TYA.CSV) and a handful of
public annual figures, each a named constant below. It is deterministic (no random numbers),
so the same pvlib version gives the same file.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd

from optimizer.profiles import SolarSpec, weather_profiles

YEAR = 2027
TIMEZONE = "America/New_York"
WEATHER = "pvlib:723170TYA.CSV"

# --- Annual figures of the synthetic Duke Energy Carolinas-like system (see data/README.md) ---
NUCLEAR_SHARE = 0.50
"""Nuclear share of annual generation: Duke Energy reports its Carolinas nuclear fleet
supplies 'more than 50 percent of the electricity generation' in NC and SC (2017)."""
HYDRO_SHARE = 0.02
"""Conventional hydro share, about 2 % in EIA-923 state profiles for NC (rounded)."""
SOLAR_SHARE = 0.06
"""Utility solar share: NC gets roughly 6-10 % of in-state generation from solar (EIA state
profile, rounded down for the Duke Energy Carolinas area)."""
GAS_TCO2_PER_MWH = 0.37
"""Combined-cycle gas: ~7,000 Btu/kWh × 53.06 kgCO2/MMBtu (EPA emission factor)."""
COAL_TCO2_PER_MWH = 0.95
"""Coal steam: ~10,000 Btu/kWh × 95.5 kgCO2/MMBtu (EPA emission factor, bituminous)."""
TARGET_TCO2_PER_MWH = 0.28
"""Annual mean location-based intensity, close to the eGRID SRVC (SERC Virginia/Carolina)
subregion total output CO2 rate of recent eGRID editions (~600-650 lb/MWh)."""
GAS_PRICE_PER_MMBTU = 3.50
"""Henry Hub, USD/MMBtu: order of EIA Short-Term Energy Outlook forecasts for 2025-2026."""
HEAT_RATE_MIN, HEAT_RATE_MAX = 6.8, 12.0
"""Marginal heat rate (MMBtu/MWh) from a combined cycle at low system load to peakers."""
MARGINAL_ADDER_PER_MWH = 6.0
"""Variable O&M and transmission losses folded into the synthetic spot price."""


def system_load(temp_c: np.ndarray, hour: np.ndarray, weekday: np.ndarray) -> np.ndarray:
    """Relative system load (mean 1): heating below 15 °C, cooling above 21 °C, an evening
    peak and lower weekends. Shape coefficients are illustrative, not fitted."""
    raw = (
        1.0
        + 0.018 * np.maximum(0.0, 15.0 - temp_c)
        + 0.030 * np.maximum(0.0, temp_c - 21.0)
        + 0.10 * np.cos(2 * np.pi * (hour - 18.0) / 24.0)
        - 0.06 * (weekday >= 5)
    )
    return raw / raw.mean()


def build() -> pd.DataFrame:
    frame = weather_profiles(
        WEATHER, year=YEAR, timezone=TIMEZONE, solar=SolarSpec(tracking="single_axis")
    )
    ts = pd.DatetimeIndex(frame["timestamp"])
    temp = frame["temperature_c"].to_numpy()
    solar_cf = frame["solar_cf"].to_numpy()
    load = system_load(temp, np.asarray(ts.hour), np.asarray(ts.weekday))

    # Clean supply: flat nuclear and hydro, solar following the Greensboro single-axis profile.
    solar = SOLAR_SHARE * solar_cf / solar_cf.mean()
    clean = NUCLEAR_SHARE + HYDRO_SHARE + solar
    cfe_share = np.minimum(1.0, clean / load)
    fossil = np.maximum(0.0, load - clean)

    # Fossil mix: gas first, coal fills the upper part of the fossil stack (share of coal in
    # fossil output rises with the fossil residual).
    coal_frac = np.clip(0.6 * fossil / fossil.max(), 0.0, 0.6)
    fossil_tco2 = fossil * ((1 - coal_frac) * GAS_TCO2_PER_MWH + coal_frac * COAL_TCO2_PER_MWH)
    intensity = fossil_tco2 / load
    intensity *= TARGET_TCO2_PER_MWH / (np.sum(intensity * load) / np.sum(load))

    # Spot price: marginal heat rate rising with the fossil residual, times the gas price.
    x = (fossil - fossil.min()) / (fossil.max() - fossil.min())
    heat_rate = HEAT_RATE_MIN + (HEAT_RATE_MAX - HEAT_RATE_MIN) * x**2
    spot = GAS_PRICE_PER_MMBTU * heat_rate + MARGINAL_ADDER_PER_MWH

    return pd.DataFrame(
        {
            "timestamp": ts,
            "grid_tco2_per_mwh": np.round(intensity, 5),
            "grid_cfe_share": np.round(cfe_share, 5),
            "spot_price_per_mwh": np.round(spot, 3),
        }
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--out", type=Path, default=Path(__file__).resolve().parent / "greensboro" / "grid.parquet"
    )
    args = parser.parse_args()
    frame = build()
    frame.to_parquet(args.out, index=False)
    print(f"wrote {args.out}: {len(frame)} rows")
    print(frame.drop(columns="timestamp").describe().round(3).to_string())


if __name__ == "__main__":
    main()
