"""Hand-made scenarios for the decision tests, small enough to solve on paper."""

from __future__ import annotations

import copy
from typing import Any

H2 = 2.0 / 8760.0
"""Horizon fraction of a 2-step hourly case."""


def _base(columns: dict[str, list[float]]) -> dict[str, Any]:
    return {
        "name": "hand",
        "site": {
            "timezone": "UTC",
            "start": "2027-01-01T00:00",
            "periods": 2,
            "resolution_minutes": 60,
        },
        "series": {"columns": columns},
        "load": {"mw": 10},
        "grid": {
            "carbon_intensity_tco2_per_mwh": 0.5,
            "cfe_share": 0.0,
            "spot_price_per_mwh": 30,
        },
        "grid_offers": [{"name": "utility", "energy_price_per_mwh": 50}],
        "finance": {"discount_rate": 0.05},
    }


def offers_case() -> dict[str, Any]:
    """Load 10 MW in 2 hourly steps; every item has a price that can be valued by hand.

    - utility: grid at 50/MWh, no limit;
    - index: grid at 45/MWh, at most 3 MW, fixed fee 43,800/yr → 43,800·2/8760 = 10;
    - wind: pay-as-produced PPA, profile [1, 0], strike 40, at most 6 MW;
    - vppa: virtual PPA, profile [0, 1], strike 35 against spot 30, at most 10 MW;
    - pv: solar, profile [0, 1], capex 0, fixed O&M 8.76/kW-yr → 2 per MW over the horizon.
    """
    sc = _base({"wind": [1.0, 0.0], "sun": [0.0, 1.0]})
    sc["grid_offers"].append(
        {"name": "index", "energy_price_per_mwh": 45, "fixed_per_year": 43800, "max_mw": 3}
    )
    sc["ppa_offers"] = [
        {
            "name": "wind",
            "kind": "pay_as_produced",
            "profile": "wind",
            "price_per_mwh": 40,
            "max_mw": 6,
        },
        {"name": "vppa", "kind": "virtual", "profile": "sun", "price_per_mwh": 35, "max_mw": 10},
    ]
    sc["technologies"] = [
        {
            "name": "pv",
            "kind": "solar",
            "profile": "sun",
            "capex_per_kw": 0,
            "fixed_om_per_kw_year": 8.76,
            "lifetime_years": 20,
            "max_mw": 30,
        }
    ]
    return sc


def interior_ppa_case() -> dict[str, Any]:
    """Grid at 50; a pay-as-produced PPA, profile [1, 0.5], strike 40, at most 20 MW.

    Per MW contracted it delivers 1.5 MWh and costs 60. Up to 10 MW it replaces 1.5 MWh of
    grid (75): taken. Beyond 10 MW only its step-2 half MWh replaces grid (25), the rest is
    curtailed but paid: not taken. So 10 MW is chosen, worth 10·(75 − 60) = 150, and the
    volume rises only when 1.5·strike < 25, i.e. below a strike of 16.67.
    """
    sc = _base({"wind": [1.0, 0.5]})
    sc["ppa_offers"] = [
        {
            "name": "wind",
            "kind": "pay_as_produced",
            "profile": "wind",
            "price_per_mwh": 40,
            "max_mw": 20,
        }
    ]
    return sc


def frontier_case() -> dict[str, Any]:
    """Grid at 50/MWh with no clean share (0.5 tCO2/MWh); a wind PPA, profile [1, 0], strike
    60, at most 20 MW. Clean energy comes only from wind in step 1, at 10 more per MWh than
    grid: cost = 1000 + 10·clean MWh, clean MWh = CFE · 20, at most 10 (score 0.5);
    emissions = 0.5·(20 − clean MWh)."""
    sc = _base({"wind": [1.0, 0.0]})
    sc["ppa_offers"] = [
        {
            "name": "wind",
            "kind": "pay_as_produced",
            "profile": "wind",
            "price_per_mwh": 60,
            "max_mw": 20,
        }
    ]
    return copy.deepcopy(sc)
