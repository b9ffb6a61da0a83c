"""Clean firm generation (``kind: clean_firm``), added as one unit module.

Each case is small enough to solve by hand; the derivation is in the docstring and the
numbers asserted are the derived ones (CONTRACT 3, docs/formulation.md).
"""

from __future__ import annotations

import pytest
from pytest import approx

from optimizer.errors import ScenarioError
from optimizer.scenario import load_problem
from tests.core.helpers import scenario, solve_ok

R0 = {"discount_rate": 0.0}


def test_clean_firm_must_run_share_and_availability() -> None:
    """Two hours, load 10 then 2 MW, grid at 100; a clean firm plant with availability 0.9,
    minimum stable output 0.5, fuel 30/MWh, capex 876/kW over 20 years at r = 0:
    capital per MW = 1000·876/20·H = 10 with H = 2/8760.

    0.5·P ≤ g[t] ≤ 0.9·P. Each MW up to 10/0.9 saves 0.9·(100 − 30) = 63 in hour 0; above
    P = 4 it must run 0.5 MW more than the 2 MW load in hour 1 (15 of fuel, curtailed), so
    63 − 15 − 10 > 0 up to P = 100/9, where hour 0 is covered. Then g = (10, 50/9),
    curtailment 50/9 − 2 = 32/9, no import. Objective = 1000/9 + 30·10 + 30·50/9 = 577.78.
    Carbon-free: CFE score 1 with a grid of clean share 0 and no emissions.
    """
    sc = scenario(
        [10, 2],
        price=100,
        finance=R0,
        technologies=[
            {
                "name": "geo",
                "kind": "clean_firm",
                "technology": "geothermal",
                "capex_per_kw": 876,
                "lifetime_years": 20,
                "fuel_per_mwh": 30,
                "min_stable_share": 0.5,
                "availability": 0.9,
            }
        ],
    )
    r = solve_ok(sc)
    s = r.summary
    assert s["capacity_mw"]["geo"] == approx(100 / 9)
    assert s["objective"] == approx(1000 / 9 + 300 + 30 * 50 / 9)
    assert s["cost_breakdown"]["capital"] == approx(1000 / 9)
    assert s["curtailment_mwh"] == approx(50 / 9 - 2)
    assert s["grid_import_mwh"]["utility"] == approx(0.0, abs=1e-7)
    assert s["cfe_score"] == approx(1.0)
    assert s["emissions_tco2"]["location_based"] == approx(0.0, abs=1e-9)


def test_clean_firm_min_share_above_availability_refused() -> None:
    sc = scenario(
        [10],
        technologies=[
            {
                "name": "n",
                "kind": "clean_firm",
                "capex_per_kw": 1,
                "lifetime_years": 40,
                "min_stable_share": 0.95,
                "availability": 0.9,
            }
        ],
    )
    with pytest.raises(ScenarioError) as exc:
        load_problem(sc)
    assert "technologies" in str(exc.value) and "min_stable_share" in str(exc.value)
