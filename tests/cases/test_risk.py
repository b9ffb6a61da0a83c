"""Two-stage scenarios and CVaR (CONTRACT section 9), solved by hand.

The running case: one hour, load 10 MW, an index offer at spot + 0 and a baseload PPA at
65/MWh (0..10 MW); two equiprobable spot prices, 20 and 100. With c MW of PPA:

    C_low(c)  = 65·c + 20·(10 − c) = 200 + 45·c
    C_high(c) = 65·c + 100·(10 − c) = 1000 − 35·c
    E[C]      = 600 + 5·c                       (risk-neutral: c = 0, all index)

At α = 0.5 the CVaR (Rockafellar–Uryasev, min_θ θ + Σ p·(C−θ)⁺/(1−α)) of two equiprobable
costs is the larger one, C_high for every c ≤ 10. The objective
(1−ω)·(600 + 5c) + ω·(1000 − 35c) has slope 5 − 40·ω: all index below ω = 1/8, all PPA
above it.
"""

from __future__ import annotations

from typing import Any

import pytest
from pytest import approx

from optimizer.errors import ScenarioError
from optimizer.scenario.study import load_study
from optimizer.solve import solve
from tests.core.helpers import scenario


def risk_case(omega: float, alpha: float = 0.5, **unc: Any) -> dict[str, Any]:
    sc = scenario(
        [10],
        spot=20,
        grid_offers=[{"name": "index", "index_adder_per_mwh": 0}],
        ppa_offers=[{"name": "firm", "kind": "baseload", "price_per_mwh": 65, "max_mw": 10}],
    )
    sc["uncertainty"] = {
        "scenarios": [
            {"name": "low", "probability": 0.5},
            {"name": "high", "probability": 0.5, "set": {"grid.spot_price_per_mwh": 100}},
        ],
        "risk": {"alpha": alpha, "weight": omega},
        **unc,
    }
    return sc


def test_risk_weight_switches_from_index_to_ppa() -> None:
    """ω = 0.1 < 1/8: c = 0, objective 0.9·600 + 0.1·1000 = 640; the distribution is
    {200, 1000}: VaR_0.5 = 200 (the 0.5-quantile), CVaR = 1000, worst 1000.
    ω = 0.2 > 1/8: c = 10, both scenarios cost 650, objective 650."""
    r = solve(risk_case(0.1))
    s = r.summary
    assert s["capacity_mw"]["firm"] == approx(0.0, abs=1e-7)
    assert s["objective"] == approx(640.0)
    assert s["total_cost"] == approx(600.0)
    assert s["risk"]["expected_cost"] == approx(600.0)
    assert s["risk"]["cvar_cost"] == approx(1000.0)
    assert s["risk"]["var_cost"] == approx(200.0)
    assert s["risk"]["worst_cost"] == approx(1000.0)
    assert s["scenarios"]["low"]["total_cost"] == approx(200.0)
    assert s["scenarios"]["high"]["total_cost"] == approx(1000.0)
    assert s["scenarios"]["high"]["probability"] == 0.5

    r = solve(risk_case(0.2))
    s = r.summary
    assert s["capacity_mw"]["firm"] == approx(10.0)
    assert s["objective"] == approx(650.0)
    assert s["risk"]["cvar_cost"] == approx(650.0)
    assert s["risk"]["expected_cost"] == approx(650.0)


def test_risk_neutral_is_the_expected_cost() -> None:
    """ω = 0: minimise E[C] = 600 + 5c → c = 0, objective 600 whatever α."""
    for alpha in (0.0, 0.5, 0.9):
        s = solve(risk_case(0.0, alpha)).summary
        assert s["objective"] == approx(600.0)
        assert s["capacity_mw"]["firm"] == approx(0.0, abs=1e-7)


def test_dispatch_has_a_scenario_column() -> None:
    r = solve(risk_case(0.2))
    assert r.dispatch is not None
    assert list(r.dispatch["scenario"]) == ["low", "high"]
    assert list(r.dispatch["ppa_delivery_mw:firm"]) == approx([10.0, 10.0])


def test_identical_scenarios_are_the_deterministic_run() -> None:
    """Two copies of the base: every C_s is the deterministic cost, so E = CVaR = it, and
    the objective equals the plain run's for any ω (here 0.7)."""
    sc = risk_case(0.7)
    sc["uncertainty"]["scenarios"][1]["set"] = {}
    det = dict(sc)
    det.pop("uncertainty")
    plain = solve(det).summary
    both = solve(sc).summary
    assert both["objective"] == approx(plain["objective"])
    assert both["capacity_mw"]["firm"] == approx(plain["capacity_mw"]["firm"])


def _cfe_case(targets_apply: str) -> dict[str, Any]:
    sc = scenario(
        [10],
        price=50,
        cfe_share=0.8,
        ppa_offers=[{"name": "clean", "kind": "baseload", "price_per_mwh": 100, "max_mw": 10}],
        carbon={"cfe_target": 0.5},
    )
    sc["uncertainty"] = {
        "scenarios": [
            {"name": "clean-grid", "probability": 0.5},
            {"name": "dirty-grid", "probability": 0.5, "set": {"grid.cfe_share": 0.2}},
        ],
        "targets_apply": targets_apply,
    }
    return sc


def test_cfe_target_in_every_scenario_or_in_expectation() -> None:
    """One hour, load 10, grid at 50 with a clean share of 0.8 or 0.2 (p = 0.5 each), a
    clean baseload PPA at 100, CFE target 0.5.

    Every scenario: in dirty-grid 0.8·(10 − c) ≤ 0.5·10 → c ≥ 3.75; cost
    100·3.75 + 50·6.25 = 687.5 in both; CFE scores 1 − 0.2·6.25/10 = 0.875 and 0.5.
    In expectation: 0.5·(0.2 + 0.8)·(10 − c)/10 ≤ 0.5 holds at c = 0: cost 500."""
    s = solve(_cfe_case("every_scenario")).summary
    assert s["capacity_mw"]["clean"] == approx(3.75)
    assert s["objective"] == approx(687.5)
    assert s["scenarios"]["clean-grid"]["cfe_score"] == approx(0.875)
    assert s["scenarios"]["dirty-grid"]["cfe_score"] == approx(0.5)
    s = solve(_cfe_case("expectation")).summary
    assert s["capacity_mw"]["clean"] == approx(0.0, abs=1e-7)
    assert s["objective"] == approx(500.0)
    assert s["cfe_score"] == approx(0.5)


def test_probabilities_must_sum_to_one() -> None:
    sc = risk_case(0.1)
    sc["uncertainty"]["scenarios"][1]["probability"] = 0.4
    with pytest.raises(ScenarioError) as exc:
        load_study(sc)
    assert "uncertainty" in str(exc.value) and "sum to 1" in str(exc.value)


def test_a_scenario_may_not_change_the_offers() -> None:
    sc = risk_case(0.1)
    sc["uncertainty"]["scenarios"][1]["set"] = {"ppa_offers": []}
    with pytest.raises(ScenarioError) as exc:
        load_study(sc)
    assert "uncertainty.scenarios[high].set.ppa_offers" in str(exc.value)
    sc["uncertainty"]["scenarios"][1]["set"] = {"site.periods": 2}
    with pytest.raises(ScenarioError) as exc:
        load_study(sc)
    assert "site.periods" in str(exc.value)


def test_value_of_the_stochastic_solution_and_of_perfect_information() -> None:
    """ω = 0.2, α = 0.5 on the running case.

    RP = 650 (c = 10). EV: spot 60 on average, 60 < 65 so c̄ = 0, EV objective 600.
    EEV: c fixed at 0 → costs {200, 1000}: 0.8·600 + 0.2·1000 = 680; VSS = 680 − 650 = 30.
    WS: low alone buys no PPA (200), high alone 10 MW (650): 0.8·425 + 0.2·650 = 470;
    EVPI = 650 − 470 = 180."""
    from optimizer.decisions.stochastic import stochastic_values

    v = stochastic_values(load_study(risk_case(0.2)))
    assert v["rp"] == approx(650.0)
    assert v["ev"] == approx(600.0)
    assert v["eev"] == approx(680.0)
    assert v["vss"] == approx(30.0)
    assert v["ws"] == approx(470.0)
    assert v["evpi"] == approx(180.0)


def test_hedge_value_of_the_ppa() -> None:
    """ω = 0.2: without the PPA the plan is all index, costs {200, 1000}: expected cost
    600 and CVaR 1000, against 650 and 650 with it: with − without = +50 and −350 (the PPA
    costs 50 on average and lowers the CVaR by 350)."""
    from optimizer.decisions.stochastic import hedge_values

    h = hedge_values(load_study(risk_case(0.2)))["firm"]
    assert h["expected_cost_change"] == approx(50.0)
    assert h["cvar_change"] == approx(-350.0)
    assert h["chosen_mw"] == approx(10.0)


def test_risk_frontier_trades_expected_cost_for_cvar() -> None:
    """ω = 0 and 0.1: all index (E 600, CVaR 1000); ω = 0.2 and 1: all PPA (650, 650)."""
    from optimizer.decisions.stochastic import risk_frontier

    pts = risk_frontier(load_study(risk_case(0.0)), [0.0, 0.1, 0.2, 1.0])
    assert [p["status"] for p in pts] == ["optimal"] * 4
    assert [p["expected_cost"] for p in pts] == approx([600, 600, 650, 650])
    assert [p["cvar_cost"] for p in pts] == approx([1000, 1000, 650, 650])


def test_ppa_settlement_distribution_over_scenarios() -> None:
    """The running case with the PPA held at 10 MW (``min_mw``) and a virtual PPA of 5 MW
    at 50/MWh (flat profile) on top, three scenarios: spot 20 (p 0.5), 100 (0.3), 150 (0.2).

    Settlement cost Σ paid·(price − spot)·c·profile·Δt, one hour:
        firm (baseload 65, 10 MW):   450, −350, −850
        green (virtual 50, 5 MW):    150, −250, −500   (= its ppa_settlement cost line)
    Sorted firm costs −850 (0.2), −350 (0.3), 450 (0.5): cumulative 0.2, 0.5, 1.0, so
    P10 −850, P50 −350, P90 450; expected 0.5·450 − 0.3·350 − 0.2·850 = −50.
    green: P10 −500, P50 −250, P90 150, expected 75 − 75 − 100 = −100.
    Capture price of a flat profile = the spot: weighted by p × energy (10 MWh in each)
    0.5·20 + 0.3·100 + 0.2·150 = 70 = the expected spot, so the capture rate is 1."""
    sc = risk_case(0.0)
    sc["ppa_offers"][0]["min_mw"] = 10
    sc["ppa_offers"].append(
        {
            "name": "green",
            "kind": "virtual",
            "profile": 1.0,
            "price_per_mwh": 50,
            "min_mw": 5,
            "max_mw": 5,
        }
    )
    sc["uncertainty"]["scenarios"] = [
        {"name": "low", "probability": 0.5},
        {"name": "high", "probability": 0.3, "set": {"grid.spot_price_per_mwh": 100}},
        {"name": "shock", "probability": 0.2, "set": {"grid.spot_price_per_mwh": 150}},
    ]
    s = solve(sc).summary
    firm = s["ppa_metrics"]["firm"]
    assert firm["contracted_mw"] == approx(10.0)
    assert firm["energy_mwh"] == approx(10.0)
    assert firm["settlement_cost"] == approx(-50.0)
    assert firm["capture_price_per_mwh"] == approx(70.0)
    assert firm["capture_rate"] == approx(1.0)
    d = firm["settlement"]
    assert (d["p10"], d["p50"], d["p90"]) == (approx(-850.0), approx(-350.0), approx(450.0))
    assert (d["min"], d["max"], d["expected"]) == (approx(-850.0), approx(450.0), approx(-50.0))
    assert d["by_scenario"] == {
        "low": approx(450.0),
        "high": approx(-350.0),
        "shock": approx(-850.0),
    }
    g = s["ppa_metrics"]["green"]["settlement"]
    assert (g["p10"], g["p50"], g["p90"], g["expected"]) == (
        approx(-500.0),
        approx(-250.0),
        approx(150.0),
        approx(-100.0),
    )
    for name, spot in (("low", 20.0), ("high", 100.0), ("shock", 150.0)):
        own = s["scenarios"][name]
        assert own["ppa_metrics"]["firm"]["settlement_cost"] == approx((65.0 - spot) * 10)
        assert own["ppa_metrics"]["firm"]["capture_price_per_mwh"] == approx(spot)
        assert own["ppa_metrics"]["green"]["settlement_cost"] == approx(
            own["cost_breakdown"]["ppa_settlement"]
        )
