"""Contract audit, sections 9 and 10: a case's own ``min_mw`` / ``max_mw`` (data a scenario
or a year may ``set``) bound the first stage. Before, every case's bounds were the base's and
such an override was accepted and silently ignored.

Scenarios (9). One hour, load 10 MW, H = 1/8760. A generator at 87.6 per kW-year (no capex),
so 1000·87.6·H = 10 per MW over the hour, fuel 10/MWh, max 10 MW; the grid costs 5 (lo,
p = 0.9) or 50 (hi, p = 0.1). With P MW (P ≤ 10): C_lo = 10P + 50, C_hi = 10P + 10P +
50(10 − P) = 500 − 30P; E = 95 + 6P; at α = 0.8 the CVaR is the mean of the worst 0.2 of
probability, 0.5·(C_lo + C_hi) = 275 − 10P (C_hi ≥ C_lo for P ≤ 11.25). ω = 0.5: objective
0.5·(95 + 6P) + 0.5·(275 − 10P) = 185 − 2P, so P is as large as allowed. With the base's
max 10: P = 10, objective 165. With scenario hi setting max_mw 5, P (one plan in every
scenario) must hold in hi too: P = 5, objective 175, C_lo = 100, C_hi = 350.

Years (10). Load 20 MW, one hour a year, r = 0, 2027-2029. Grid 100/MWh (876000 per MW-year).
Generator a: 87.6 per kW-year (87600 per MW-year), lifetime 2, max 10; generator b:
1000 per kW-year (1e6 per MW-year, dearer than the grid), lifetime 1, min 2. 2028 sets a's
max_mw to 4 and b's min_mw to 3. Capacity of a: 2027 = x27 ≤ 10, 2028 = x27 + x28 ≤ 4,
2029 = x28 + x29 ≤ 10 → x27 = 4, x28 = 0, x29 = 10 (a is cheaper than the grid). b stands
at its minimum: 2, 3, 2. Whole-year costs: 2027 4·87600 + 2e6 + 14·876000 = 14614400;
2028 4·87600 + 3e6 + 13·876000 = 14738400; 2029 10·87600 + 2e6 + 8·876000 = 9884000;
objective (r = 0) 39236800.
"""

from __future__ import annotations

from typing import Any

from pytest import approx

from optimizer.decisions.decomposition import solve_decomposed
from optimizer.scenario.study import load_study
from optimizer.solve import SolveOptions, solve
from tests.core.helpers import scenario


def _gen(name: str, fom: float, life: float, **bounds: float) -> dict[str, Any]:
    return {
        "name": name,
        "kind": "generator",
        "capex_per_kw": 0,
        "fixed_om_per_kw_year": fom,
        "lifetime_years": life,
        "fuel_per_mwh": 10 if name == "gen" else 0,
        "carbon_intensity_tco2_per_mwh": 0.5,
        **bounds,
    }


def _risk(hi_set: dict[str, Any]) -> dict[str, Any]:
    sc = scenario(
        [10],
        price=5,
        columns={"price_hi": [50.0]},
        technologies=[_gen("gen", 87.6, 20, max_mw=10)],
        finance={"discount_rate": 0.07},
    )
    sc["uncertainty"] = {
        "scenarios": [
            {"name": "lo", "probability": 0.9},
            {
                "name": "hi",
                "probability": 0.1,
                "set": {"grid_offers[utility].energy_price_per_mwh": "price_hi", **hi_set},
            },
        ],
        "risk": {"alpha": 0.8, "weight": 0.5},
    }
    return sc


def test_a_scenarios_max_mw_bounds_the_shared_capacity() -> None:
    s = solve(_risk({})).summary
    assert s["capacity_mw"]["gen"] == approx(10.0)
    assert s["objective"] == approx(165.0)

    s = solve(_risk({"technologies[gen].max_mw": 5})).summary
    assert s["capacity_mw"]["gen"] == approx(5.0)
    assert s["objective"] == approx(175.0)
    assert s["scenarios"]["lo"]["total_cost"] == approx(100.0)
    assert s["scenarios"]["hi"]["total_cost"] == approx(350.0)


def test_the_decomposition_keeps_every_scenarios_bounds() -> None:
    out = solve_decomposed(
        load_study(_risk({"technologies[gen].max_mw": 5})), SolveOptions(), workers=0
    )
    assert out["first_stage"]["gen"] == approx(5.0)
    assert out["objective"] == approx(175.0)


def test_a_years_min_and_max_mw_bound_that_years_capacity() -> None:
    sc = scenario(
        [20],
        price=100,
        start="2027-01-01T00:00",
        technologies=[_gen("a", 87.6, 2, max_mw=10), _gen("b", 1000, 1, min_mw=2, max_mw=5)],
        finance={"discount_rate": 0.0},
    )
    sc["horizon"] = {
        "years": [
            {"year": 2027},
            {"year": 2028, "set": {"technologies[a].max_mw": 4, "technologies[b].min_mw": 3}},
            {"year": 2029},
        ]
    }
    s = solve(sc).summary
    years = s["years"]
    assert [years[y]["capacity_mw"]["a"] for y in ("2027", "2028", "2029")] == approx([4, 4, 10])
    assert [years[y]["built_mw"]["a"] for y in ("2027", "2028", "2029")] == approx(
        [4, 0, 10], abs=1e-7
    )
    assert [years[y]["capacity_mw"]["b"] for y in ("2027", "2028", "2029")] == approx([2, 3, 2])
    assert [years[y]["total_cost"] for y in ("2027", "2028", "2029")] == approx(
        [14614400.0, 14738400.0, 9884000.0]
    )
    assert s["objective"] == approx(39236800.0)
