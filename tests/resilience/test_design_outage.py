"""The design outage ("survive any grid outage of D hours") against listed outages.

docs/formulation.md, "Design outage": with no binding fuel limit, or with generators only,
the design rows ask exactly what the worst single listed window of D hours asks. The tests
solve the design case once and each listed window on its own, and compare.
"""

from __future__ import annotations

from typing import Any

import pytest
from pytest import approx

from optimizer.errors import ScenarioError
from optimizer.scenario import load_problem
from tests.core.helpers import column, scenario, solve_ok

LOAD = [10, 12, 14, 10, 8, 10]
R0 = {"discount_rate": 0.0}


def battery() -> dict[str, Any]:
    """1000 per MW and 1000 per MWh over the 6 hours: 1000·1460·6/8760 = 1000."""
    return {
        "name": "bess",
        "kind": "battery",
        "power_capex_per_kw": 1460,
        "energy_capex_per_kwh": 1460,
        "lifetime_years": 1,
        "round_trip_efficiency": 1.0,
    }


def generator(fuel_hours: float | None) -> dict[str, Any]:
    """3000 per MW over the 6 hours; fuel at the grid's price (50)."""
    g: dict[str, Any] = {
        "name": "gen",
        "kind": "generator",
        "capex_per_kw": 4380,
        "lifetime_years": 1,
        "fuel_per_mwh": 50,
        "carbon_intensity_tco2_per_mwh": 0.7,
    }
    if fuel_hours is not None:
        g["fuel_storage_hours"] = fuel_hours
    return g


def case(tech: list[dict[str, Any]], resilience: dict[str, Any]) -> dict[str, Any]:
    return scenario(LOAD, price=50, finance=R0, technologies=tech, resilience=resilience)


def listed(tech: list[dict[str, Any]], start: int) -> Any:
    window = {"start": f"2027-01-04T{start:02d}:00", "hours": 2}
    return solve_ok(case(tech, {"outages": [window]}))


def test_design_outage_battery_equals_worst_window() -> None:
    """Battery only, D = 2 h, load [10, 12, 14, 10, 8, 10], critical share 1.

    Design rows: x[t] = L[t] (no generator), x ≤ P, Σ_{W_τ} x ≤ S ≤ E for every 2-step
    window: the sums are 22, 26, 24, 18, 18 → E = 26 (steps 1-2), P = 14 (step 2).
    Capital 14·1000 + 26·1000 = 40000; the reserve is held all the time, every MWh comes
    from the grid at 50: 64·50 = 3200. Objective 43200.
    Listed: the outage at 01:00 (steps 1-2) needs the same battery, charged from the grid
    beforehand (rte 1, flat price: the same 3200) → 43200, the most of the five windows.
    """
    tech = [battery()]
    design = solve_ok(case(tech, {"design_outage_hours": 2}))
    s = design.summary
    assert s["capacity_mw"]["bess"] == approx(14.0)
    assert s["storage_mwh"]["bess"] == approx(26.0)
    assert s["objective"] == approx(43200.0)
    assert min(column(design, "soc_mwh:bess")) >= 26 - 1e-6
    worst = max(listed(tech, k).summary["objective"] for k in range(5))
    assert worst == approx(s["objective"])


def test_design_outage_fuel_limited_generator_equals_worst_window() -> None:
    """Generator only with 1 h of fuel, D = 2 h: the design rows ask G ≥ 14 (power) and
    1·G ≥ the largest 2-hour critical energy, 26 MWh → G = 26; capital 26·3000 = 78000,
    energy 64·50 = 3200 (fuel and grid at the same price): 81200. The listed window at
    01:00 needs the same 26 MW (Σ g = 26 ≤ 1·P); the worst of the five equals it.
    """
    tech = [generator(1.0)]
    design = solve_ok(case(tech, {"design_outage_hours": 2}))
    s = design.summary
    assert s["capacity_mw"]["gen"] == approx(26.0)
    assert s["objective"] == approx(81200.0)
    runs = [listed(tech, k) for k in range(5)]
    assert max(r.summary["capacity_mw"]["gen"] for r in runs) == approx(26.0)
    assert max(r.summary["objective"] for r in runs) == approx(s["objective"])


@pytest.mark.parametrize("fuel", [None, 12.0])
def test_design_outage_generator_without_fuel_limit(fuel: float | None) -> None:
    """Unlimited fuel, or more than D hours of it: G ≥ max critical load = 14."""
    s = solve_ok(case([generator(fuel)], {"design_outage_hours": 2})).summary
    assert s["capacity_mw"]["gen"] == approx(14.0)
    assert s["resilience"]["design_outage_hours"] == 2


def test_design_outage_critical_share() -> None:
    """Critical share 0.5: G ≥ 0.5·14 = 7."""
    sc = case([generator(None)], {"design_outage_hours": 2, "critical_load_share": 0.5})
    assert solve_ok(sc).summary["capacity_mw"]["gen"] == approx(7.0)


def test_design_outage_needs_backup() -> None:
    with pytest.raises(ScenarioError) as exc:
        load_problem(case([], {"design_outage_hours": 2}))
    assert "resilience.design_outage_hours" in str(exc.value)
