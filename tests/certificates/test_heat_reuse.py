"""Heat reuse (docs/compliance.md): recovered IT heat sold, the heat pump's draw in the balance.

Load 10 MW, IT 8 MW (PUE 1.25) for 4 steps, electricity 50/MWh. recoverable_share 0.5 →
4 MW of IT heat; COP 4 lifts q to h = q/(1 − 1/4) = 5.33 MW, the offtake limit is 4 MW of
heat. Each MWh of heat needs 1/4 MWh of electricity (12.5) and yields the heat price.
"""

from __future__ import annotations

import pytest

from optimizer.errors import ScenarioError
from optimizer.solve import solve
from tests.certificates.cases import case

APPROX = pytest.approx


def heat_case(price: float) -> dict:
    sc = case(
        heat_reuse={
            "recoverable_share": 0.5,
            "offtake_limit_mw_heat": 4.0,
            "price_per_mwh_heat": price,
            "heat_pump_cop": 4.0,
        }
    )
    sc["load"]["it_mw"] = 8.0
    return sc


def test_heat_reuse_is_worth_it_above_the_heat_pump_cost() -> None:
    """Price 20 > 12.5: sell 4 MW every step: 16 MWh heat, income 320, heat pump 4 MWh
    (cost 200) → total 2000 + 200 − 320 = 1880. Reused IT heat 16·0.75 = 12 MWh, ERF =
    12/40 = 0.3; PUE 40/32 = 1.25 (the heat pump is outside the data centre)."""
    s = solve(heat_case(20.0)).summary
    assert s["total_cost"] == APPROX(1880.0)
    assert s["cost_breakdown"]["heat_revenue"] == APPROX(-320.0)
    hr = s["heat_reuse"]
    assert hr["heat_delivered_mwh"] == APPROX(16.0)
    assert hr["heat_pump_mwh"] == APPROX(4.0)
    assert hr["income"] == APPROX(320.0)
    assert s["kpis"]["erf"] == APPROX(0.3)
    assert s["kpis"]["pue"] == APPROX(1.25)
    assert s["grid_import_mwh"]["utility"] == APPROX(44.0)
    # the heat pump's draw is site consumption: CFE = 1 − 44/(40 + 4) = 0, not negative
    assert s["cfe_score"] == APPROX(0.0, abs=1e-9)
    # CUE = 0.5·44 tCO2 / 32 MWh IT
    assert s["kpis"]["cue"] == APPROX(0.5 * 44 / 32)


def test_heat_reuse_is_not_worth_it_below_the_heat_pump_cost() -> None:
    """Price 10 < 12.5: no heat sold; total 2000, ERF 0."""
    s = solve(heat_case(10.0)).summary
    assert s["total_cost"] == APPROX(2000.0)
    assert s["heat_reuse"]["heat_delivered_mwh"] == APPROX(0.0, abs=1e-9)
    assert s["kpis"]["erf"] == APPROX(0.0, abs=1e-9)


def test_heat_reuse_with_a_cfe_target_covers_the_heat_pump() -> None:
    """cfe_target 1 with hourly certificates at 3: 44 MWh imports all covered → 132 more;
    heat still sold (20 > 12.5 + 3/4): 1880 + 132 = 2012, CFE 1."""
    sc = heat_case(20.0)
    sc["certificate_offers"] = [{"name": "h", "price_per_mwh": 3.0, "matching": "hourly"}]
    sc["carbon"] = {"cfe_target": 1.0}
    s = solve(sc).summary
    assert s["cfe_score"] == APPROX(1.0)
    assert s["total_cost"] == APPROX(2012.0)


def test_heat_reuse_needs_the_it_load() -> None:
    sc = heat_case(20.0)
    del sc["load"]["it_mw"]
    with pytest.raises(ScenarioError, match=r"heat_reuse.*IT load"):
        solve(sc)
