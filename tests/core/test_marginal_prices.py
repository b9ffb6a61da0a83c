"""Duals reported by the core: the hourly marginal price and the carbon-goal shadow prices.

The hourly marginal price (dispatch column ``marginal_price_per_mwh``) is the dual of the
balance row per MWh: what one more MWh of load in that step would cost. In simple cases it is
the price of the marginal offer, checked here by hand. The CFE and emissions-cap shadow
prices (summary ``shadow_prices``) are checked by hand and against a finite difference of two
re-solves: (cost(tighter goal) − cost(goal)) / (change of the row's right-hand side).
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.core.helpers import column, scenario, solve_ok


def approx(x: float) -> Any:
    return pytest.approx(x, rel=1e-7, abs=1e-6)


@pytest.mark.parametrize("resolution", [15, 30, 60])
def test_single_offer_sets_the_marginal_price(resolution: int) -> None:
    """One offer at 50: one more MWh in any step costs 50, whatever the step length (the
    dual of a balance row in MW is 50·Δt; per MWh it is 50)."""
    steps = 2 * 60 // resolution
    r = solve_ok(scenario(10, periods=steps, resolution_minutes=resolution, price=50))
    assert column(r, "marginal_price_per_mwh") == [approx(50)] * steps


def test_marginal_offer_changes_with_load() -> None:
    """Offer A at 30 up to 5 MW, offer B at 60 unlimited. Load 4: A is marginal (30);
    load 10: A is full, B is marginal (60)."""
    sc = scenario(
        [4, 10],
        grid_offers=[
            {"name": "A", "energy_price_per_mwh": 30, "max_mw": 5},
            {"name": "B", "energy_price_per_mwh": 60},
        ],
    )
    r = solve_ok(sc)
    assert column(r, "marginal_price_per_mwh") == [approx(30), approx(60)]
    assert r.summary["total_cost"] == approx(30 * 4 + 30 * 5 + 60 * 5)


def test_generator_marginal_when_import_limit_binds() -> None:
    """Grid at 50 limited to 6 MW by site.grid_import_limit_mw; a fixed 10 MW generator
    burning 80 per MWh serves the rest, so it is marginal: 80 per MWh in both steps."""
    sc = scenario(
        [10, 10],
        price=50,
        site_extra={"grid_import_limit_mw": 6},
        technologies=[
            {
                "name": "gas",
                "kind": "generator",
                "capex_per_kw": 0,
                "lifetime_years": 20,
                "fuel_per_mwh": 80,
                "carbon_intensity_tco2_per_mwh": 0.4,
                "min_mw": 10,
                "max_mw": 10,
            }
        ],
        finance={"discount_rate": 0.05},
    )
    r = solve_ok(sc)
    assert column(r, "marginal_price_per_mwh") == [approx(80), approx(80)]
    assert column(r, "output_mw:gas") == [approx(4), approx(4)]


def test_carbon_price_adds_to_the_marginal_price() -> None:
    """Grid at 50 with 0.5 tCO2/MWh and a carbon price of 20/tCO2: one more MWh costs
    50 + 0.5·20 = 60 in the objective (CONTRACT 3.8)."""
    r = solve_ok(scenario([10, 10], price=50, carbon_intensity=0.5, carbon={"price_per_tco2": 20}))
    assert column(r, "marginal_price_per_mwh") == [approx(60), approx(60)]


def test_tou_price_is_the_marginal_price_per_step() -> None:
    """A TOU offer: each step's marginal price is its block's price (hours 0-1 at 30, else 90;
    UTC, so local hours are the step numbers)."""
    tou = {"tou": [{"hours": [0, 1], "price_per_mwh": 30}, {"price_per_mwh": 90}]}
    r = solve_ok(scenario(5, periods=4, price=tou))
    assert column(r, "marginal_price_per_mwh") == [approx(p) for p in (30, 30, 90, 90)]


def _vppa_case(target: float) -> dict[str, Any]:
    return scenario(
        [10, 10],
        spot=[30, 70],
        cfe_share=0.2,
        columns={"vppa_cf": [1.0, 0.5]},
        ppa_offers=[
            {
                "name": "wind-v",
                "kind": "virtual",
                "profile": "vppa_cf",
                "price_per_mwh": 60,
                "max_mw": 100,
            }
        ],
        carbon={"cfe_target": target},
    )


def _baseload_case(target: float) -> dict[str, Any]:
    return scenario(
        [10, 10],
        price=50,
        cfe_share=0.2,
        ppa_offers=[{"name": "base", "kind": "baseload", "price_per_mwh": 80, "max_mw": 100}],
        carbon={"cfe_target": target},
    )


@pytest.mark.parametrize(
    ("make", "target", "by_hand"),
    [
        # virtual PPA: settlement 25 per MW (30·1 − 10·0.5) removes 0.8·1.5 = 1.2 MWh dirty
        (_vppa_case, 0.5, 25 / 1.2),
        # baseload PPA: (80 − 50)·2 = 60 per MW removes 0.8·2 = 1.6 MWh dirty
        (_baseload_case, 0.6, 60 / 1.6),
    ],
    ids=["virtual", "baseload"],
)
def test_cfe_shadow_price_matches_hand_and_finite_difference(
    make: Any, target: float, by_hand: float
) -> None:
    """The CFE row Σ dirty ≤ (1 − x)·Σ load (CONTRACT 3.6): raising x by 0.01 lowers its
    right-hand side by 0.01·20 MWh. Both cases stay on one linear piece between x and x+0.01
    (c below 10 MW), so the finite difference equals the dual exactly."""
    s0 = solve_ok(make(target)).summary
    s1 = solve_ok(make(target + 0.01)).summary
    fd = (s1["total_cost"] - s0["total_cost"]) / (0.01 * 20)
    assert fd == pytest.approx(by_hand, rel=1e-6)
    assert s0["shadow_prices"]["cfe_per_mwh"] == pytest.approx(by_hand, rel=1e-6)


def test_emissions_cap_shadow_matches_finite_difference() -> None:
    """Cap 4 then 3.9 tCO2 on the baseload case (grid 0.5 tCO2/MWh): each MW of baseload costs
    60 and saves 1 tCO2, so the cost rises 6 for 0.1 tCO2: 60 per tCO2."""

    def case(cap: float) -> dict[str, Any]:
        return scenario(
            [10, 10],
            price=50,
            ppa_offers=[{"name": "base", "kind": "baseload", "price_per_mwh": 80, "max_mw": 100}],
            carbon={"max_emissions_tco2": cap},
        )

    s0 = solve_ok(case(4.0)).summary
    s1 = solve_ok(case(3.9)).summary
    assert (s1["total_cost"] - s0["total_cost"]) / 0.1 == pytest.approx(60, rel=1e-6)
    assert s0["shadow_prices"]["emissions_cap_per_tco2"] == pytest.approx(60, rel=1e-6)


def test_no_target_no_cfe_shadow_price() -> None:
    """Without a CFE target the shadow price is absent (null), not a made-up zero."""
    s = solve_ok(scenario([10, 10])).summary
    assert s["shadow_prices"]["cfe_per_mwh"] is None
