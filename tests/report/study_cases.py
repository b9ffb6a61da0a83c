"""Small hand-made studies for the report's risk and pathway sections (solved in seconds).

``risk_study``: one day of 24 hours, load 10 MW, an index offer at spot + 5, a baseload PPA
at 60/MWh (0..6 MW) and a solar plant; four scenarios of the spot price (as it is, ×0.7,
×2 and a shock ×4 in the evening), CVaR at α = 0.75 weighed with ω = 0.4, a carbon price
of 10/tCO2 (so a scenario's cost C_s is its total cost plus the carbon price).

``pathway_study``: the same day standing for 2027, 2028–2029 and 2030 at rising grid
prices and CFE targets, a solar plant and a battery that may be built in any year and a
baseload PPA from 2028 for two years.
"""

from __future__ import annotations

from typing import Any

from tests.core.helpers import battery, scenario

HOURS = 24
SPOT = [40.0 + 30.0 * (8 <= h < 20) + 40.0 * (17 <= h < 21) for h in range(HOURS)]
PV = [max(0.0, 1.0 - abs(h - 12.5) / 6.0) for h in range(HOURS)]


def _solar(**kw: Any) -> dict[str, Any]:
    d: dict[str, Any] = {
        "name": "onsite-solar",
        "kind": "solar",
        "profile": "pvcf",
        "capex_per_kw": 900,
        "fixed_om_per_kw_year": 15,
        "lifetime_years": 25,
        "max_mw": 15,
    }
    d.update(kw)
    return d


def risk_study() -> dict[str, Any]:
    sc = scenario(
        [10.0] * HOURS,
        spot=SPOT,
        carbon_intensity=0.4,
        cfe_share=0.3,
        grid_offers=[{"name": "index", "index_adder_per_mwh": 5}],
        ppa_offers=[{"name": "firm-wind", "kind": "baseload", "price_per_mwh": 60, "max_mw": 6}],
        technologies=[_solar()],
        columns={
            "pvcf": PV,
            "spot_low": [0.7 * v for v in SPOT],
            "spot_high": [2.0 * v for v in SPOT],
            "spot_shock": [v * (4.0 if 17 <= h < 22 else 1.5) for h, v in enumerate(SPOT)],
        },
        finance={"discount_rate": 0.07},
        carbon={"price_per_tco2": 10},
    )
    sc["name"] = "risk-study"
    sc["currency"] = "EUR"
    sc["uncertainty"] = {
        "scenarios": [
            {"name": "base", "probability": 0.4},
            {"name": "mild", "probability": 0.3, "set": {"grid.spot_price_per_mwh": "spot_low"}},
            {"name": "tight", "probability": 0.2, "set": {"grid.spot_price_per_mwh": "spot_high"}},
            {
                "name": "gas-shock",
                "probability": 0.1,
                "set": {"grid.spot_price_per_mwh": "spot_shock"},
            },
        ],
        "risk": {"alpha": 0.75, "weight": 0.4},
    }
    return sc


def pathway_study() -> dict[str, Any]:
    sc = scenario(
        [10.0] * HOURS,
        price=[70.0] * HOURS,
        carbon_intensity=0.4,
        cfe_share=0.3,
        ppa_offers=[
            {
                "name": "wind-a",
                "kind": "baseload",
                "price_per_mwh": 75,
                "max_mw": 4,
                "start_year": 2028,
                "term_years": 2,
            }
        ],
        technologies=[
            _solar(max_mw=40),
            battery(
                "battery",
                power_capex_per_kw=150,
                energy_capex_per_kwh=120,
                lifetime_years=15,
                round_trip_efficiency=0.9,
                max_mw=10,
            ),
        ],
        columns={"pvcf": PV, "price_hi": [110.0] * HOURS, "price_top": [160.0] * HOURS},
        finance={"discount_rate": 0.06},
    )
    sc["grid_offers"][0]["energy_price_per_mwh"] = "price"
    sc["name"] = "pathway-study"
    sc["horizon"] = {
        "years": [
            {"year": 2027, "set": {"carbon.cfe_target": 0.3}},
            {
                "year": 2028,
                "weight_years": 2,
                "set": {
                    "grid_offers[utility].energy_price_per_mwh": "price_hi",
                    "carbon.cfe_target": 0.5,
                },
            },
            {
                "year": 2030,
                "set": {
                    "grid_offers[utility].energy_price_per_mwh": "price_top",
                    "carbon.cfe_target": 0.75,
                },
            },
        ]
    }
    return sc
