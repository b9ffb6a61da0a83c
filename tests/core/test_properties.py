"""Invariances and properties of the core, over small random scenarios (hypothesis).

Each property follows from CONTRACT section 3 by an argument given in its docstring, so it
must hold for every scenario, not only for the examples drawn here.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from optimizer.results import write_dispatch, write_summary
from optimizer.solve import solve
from tests.core.helpers import battery, scenario

SETTINGS = settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    derandomize=True,
)


def _vals(lo: int, hi: int, n: int, scale: float = 1.0) -> st.SearchStrategy[list[float]]:
    return st.lists(st.integers(lo, hi).map(lambda v: v * scale), min_size=n, max_size=n)


@st.composite
def hourly_case(draw: st.DrawFn) -> dict[str, Any]:
    """Hourly data for 3-6 steps and a mix of every decision."""
    n = draw(st.integers(3, 6))
    return {
        "load": draw(_vals(1, 20, n)),
        "price": draw(_vals(10, 120, n)),
        "spot": draw(_vals(0, 120, n)),
        "solar": draw(_vals(0, 10, n, 0.1)),
        "wind": draw(_vals(0, 10, n, 0.1)),
        "cfe_share": draw(_vals(0, 10, n, 0.1)),
        "ci": draw(_vals(0, 10, n, 0.1)),
        "demand": draw(st.integers(0, 20000)),
        "flex": draw(st.integers(0, 5)) / 10,
        "rte": draw(st.integers(5, 10)) / 10,
        "vppa_price": draw(st.integers(0, 100)),
        "gas_fuel": draw(st.integers(20, 150)),
    }


def build(case: dict[str, Any], repeat: int = 1, **carbon: Any) -> dict[str, Any]:
    """The case as a scenario; ``repeat`` = 4 writes every hour as four 15-minute steps."""

    def rep(xs: list[float]) -> list[float]:
        return [x for x in xs for _ in range(repeat)]

    n = len(case["load"]) * repeat
    return scenario(
        rep(case["load"]),
        resolution_minutes=60 // repeat,
        price=rep(case["price"]),
        spot=rep(case["spot"]),
        cfe_share=rep(case["cfe_share"]),
        carbon_intensity=rep(case["ci"]),
        columns={"solar_cf": rep(case["solar"]), "wind_cf": rep(case["wind"])},
        periods=n,
        start="2027-01-31T21:00",  # crosses into February: two months of demand charges
        grid_offers=[
            {
                "name": "utility",
                "energy_price_per_mwh": "price",
                "demand_charge_per_mw_month": case["demand"],
            }
        ],
        load_extra={"flexible_share": case["flex"]},
        ppa_offers=[
            {
                "name": "wind-v",
                "kind": "virtual",
                "profile": "wind_cf",
                "price_per_mwh": case["vppa_price"],
                "max_mw": 30,
            },
            {"name": "base", "kind": "baseload", "price_per_mwh": 95, "max_mw": 5},
        ],
        technologies=[
            {
                "name": "solar",
                "kind": "solar",
                "profile": "solar_cf",
                "capex_per_kw": 900,
                "lifetime_years": 25,
                "max_mw": 30,
            },
            battery(
                power_capex_per_kw=150,
                energy_capex_per_kwh=100,
                round_trip_efficiency=case["rte"],
                max_duration_hours=4,
                max_mw=10,
            ),
            {
                "name": "gas",
                "kind": "generator",
                "capex_per_kw": 500,
                "lifetime_years": 20,
                "fuel_per_mwh": case["gas_fuel"],
                "carbon_intensity_tco2_per_mwh": 0.45,
                "max_mw": 20,
            },
        ],
        finance={"discount_rate": 0.06},
        carbon=carbon or {"price_per_tco2": 0},
    )


def _rel_close(a: float, b: float, rel: float = 1e-6) -> bool:
    return abs(a - b) <= rel * max(1.0, abs(a), abs(b))


@SETTINGS
@given(hourly_case())
def test_constant_profile_costs_the_same_at_15_and_60_minutes(case: dict[str, Any]) -> None:
    """Every hourly value repeated in four 15-minute steps.

    CONTRACT 3: energy = power × Δt, H = T·Δt/8760 and f[m] count hours, so the hourly
    optimum written four times is feasible at 15 minutes with the same cost; and the hourly
    mean of any 15-minute solution is feasible hourly (every constraint is linear with
    coefficients constant within the hour; battery states at the hour ends are unchanged;
    peaks of means are ≤ the peaks) and costs no more. Hence equal optima.
    """
    hourly = solve(build(case))
    quarter = solve(build(case, repeat=4))
    assert hourly.status == quarter.status == "optimal"
    assert _rel_close(hourly.summary["objective"], quarter.summary["objective"])
    assert _rel_close(hourly.summary["served_load_mwh"], quarter.summary["served_load_mwh"])


@SETTINGS
@given(hourly_case(), st.integers(0, 200), st.integers(1, 200))
def test_raising_the_carbon_price_never_raises_emissions(
    case: dict[str, Any], p1: int, step: int
) -> None:
    """Optimal x1 at price p1 and x2 at p2 > p1 satisfy c1 + p1·e1 ≤ c2 + p1·e2 and
    c2 + p2·e2 ≤ c1 + p2·e1; adding gives (p2 − p1)(e2 − e1) ≤ 0, so e2 ≤ e1 (CONTRACT 3.8:
    the objective is total_cost + carbon price·location-based emissions)."""
    p2 = p1 + step
    e1 = solve(build(case, price_per_tco2=p1)).summary["emissions_tco2"]["location_based"]
    e2 = solve(build(case, price_per_tco2=p2)).summary["emissions_tco2"]["location_based"]
    assert e2 <= e1 + 1e-6 * max(1.0, e1)


@SETTINGS
@given(hourly_case(), st.integers(0, 100), st.integers(1, 100))
def test_raising_the_cfe_target_never_lowers_the_cost(
    case: dict[str, Any], x1: int, dx: int
) -> None:
    """The feasible set at a higher target is a subset of that at a lower one (CONTRACT 3.6:
    cfe_score ≥ x), so the minimum cost cannot fall. Infeasible higher targets are skipped."""
    lo = x1 / 100
    hi = min(1.0, lo + dx / 100)
    r_lo = solve(build(case, cfe_target=lo))
    assume(r_lo.status == "optimal")
    r_hi = solve(build(case, cfe_target=hi))
    assume(r_hi.status == "optimal")
    c_lo, c_hi = r_lo.summary["total_cost"], r_hi.summary["total_cost"]
    assert c_hi >= c_lo - 1e-6 * max(1.0, abs(c_lo))
    assert r_hi.summary["cfe_score"] >= hi - 1e-6


def cfe_from_dispatch(dispatch: pd.DataFrame, cfe_share: np.ndarray, dt: float) -> float:
    """CONTRACT 3.6 from the dispatch columns alone: I = Σ grid imports, V = Σ certificates,
    u = min(I, V), F = fossil generator output; 1 − Σ((1 − s)(I − u) + F)·Δt / Σ served·Δt."""
    imports = dispatch.filter(like="grid_import_mw:").sum(axis=1).to_numpy()
    certs = dispatch.filter(like="vppa_certificates_mw:").sum(axis=1).to_numpy()
    fossil = dispatch["output_mw:gas"].to_numpy()
    u = np.minimum(imports, certs)
    dirty = (1 - cfe_share) * (imports - u) + fossil
    served = dispatch["served_load_mw"].to_numpy()
    return float(1 - (dirty * dt).sum() / (served * dt).sum())


@SETTINGS
@given(hourly_case(), st.sampled_from([None, 0.3, 0.6, 0.9]))
def test_cfe_score_recomputed_from_dispatch_parquet(
    case: dict[str, Any], target: float | None
) -> None:
    """summary.json's cfe_score equals the score recomputed by CONTRACT 3.6 from
    dispatch.parquet (both written by the library's writers and read back from disk)."""
    carbon: dict[str, Any] = {"cfe_target": target} if target is not None else {}
    sc = build(case, **carbon)
    r = solve(sc)
    assume(r.status == "optimal")
    assert r.dispatch is not None
    with tempfile.TemporaryDirectory() as tmp:
        write_summary(r.summary, Path(tmp) / "summary.json")
        write_dispatch(r.dispatch, Path(tmp) / "dispatch.parquet")
        summary = json.loads((Path(tmp) / "summary.json").read_text())
        dispatch = pd.read_parquet(Path(tmp) / "dispatch.parquet")
    assert len(dispatch) == len(case["load"])
    score = cfe_from_dispatch(dispatch, np.asarray(case["cfe_share"]), 1.0)
    assert abs(score - summary["cfe_score"]) < 1e-7
    if target is not None:
        assert summary["cfe_score"] >= target - 1e-6


@SETTINGS
@given(hourly_case())
def test_dispatch_balance_closes_in_every_step(case: dict[str, Any]) -> None:
    """CONTRACT 3.5 read back from the dispatch columns: Σ imp + PPA delivery + Σ g + dis
    − ch − export − curtail = served_load in every step, and served load sums to the
    load over the (single local) day: flexibility moves energy, never removes it."""
    r = solve(build(case))
    assert r.status == "optimal"
    d = r.dispatch
    assert d is not None
    supply = (
        d.filter(like="grid_import_mw:").sum(axis=1)
        + d["ppa_delivery_mw:base"]
        + d["output_mw:solar"]
        + d["output_mw:gas"]
        + d["discharge_mw:bess"]
        - d["charge_mw:bess"]
        - d["curtailment_mw"]
        - d.get("export_mw", 0.0)
    )
    assert np.allclose(supply.to_numpy(), d["served_load_mw"].to_numpy(), atol=1e-6)
    assert abs(d["served_load_mw"].sum() - sum(case["load"])) < 1e-6


def cost_from_dispatch(case: dict[str, Any], s: dict[str, Any], d: pd.DataFrame) -> float:
    """CONTRACT 3.1-3.3 and 3.8 evaluated on the reported decisions, with this file's inputs:
    capital (CRF per 3.1), grid energy Σ price·imp·Δt, demand Σ_m rate·f[m]·max imp over
    month m (the horizon starts 2027-01-31 21:00 UTC: three January hours, f = 3/744, the rest
    in February, f = (n − 3)/672), baseload 95·c per step, virtual settlement
    Σ (strike − spot)·c·profile, generator fuel Σ fuel·g."""
    from tests.core.helpers import crf, horizon_fraction

    n = len(case["load"])
    H = horizon_fraction(n, 60)
    cap, E = s["capacity_mw"], s["storage_mwh"]["bess"]
    capital = (
        cap["solar"] * 1000 * crf(0.06, 25) * 900 * H
        + cap["bess"] * 1000 * crf(0.06, 10) * 150 * H
        + E * 1000 * crf(0.06, 10) * 100 * H
        + cap["gas"] * 1000 * crf(0.06, 20) * 500 * H
    )
    imp = d["grid_import_mw:utility"].to_numpy()
    energy = float((np.asarray(case["price"]) * imp).sum())
    feb_peak = imp[3:].max() if n > 3 else 0.0
    demand = case["demand"] * (imp[:3].max() * 3 / 744 + feb_peak * (n - 3) / 672)
    baseload = 95 * cap["base"] * n
    settle = float(
        ((case["vppa_price"] - np.asarray(case["spot"])) * np.asarray(case["wind"])).sum()
        * cap["wind-v"]
    )
    fuel = case["gas_fuel"] * float(d["output_mw:gas"].sum())
    return capital + energy + demand + baseload + settle + fuel


@SETTINGS
@given(hourly_case(), st.integers(0, 100))
def test_total_cost_recomputed_from_decisions(case: dict[str, Any], carbon_price: int) -> None:
    """total_cost equals the contract's cost of the reported capacities and dispatch, and
    objective = total_cost + carbon price·location-based emissions (CONTRACT 3.8)."""
    r = solve(build(case, price_per_tco2=carbon_price))
    assert r.status == "optimal" and r.dispatch is not None
    s = r.summary
    expected = cost_from_dispatch(case, s, r.dispatch)
    assert abs(s["total_cost"] - expected) <= 1e-6 * max(1.0, abs(expected))
    em = s["emissions_tco2"]["location_based"]
    assert _rel_close(s["objective"], s["total_cost"] + carbon_price * em)
