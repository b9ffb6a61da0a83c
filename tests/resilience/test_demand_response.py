"""Demand response, curtailment and flexible compute (CONTRACT 12, docs/resilience.md).

Expected numbers are derived by hand in each docstring.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from pytest import approx

from optimizer.errors import ScenarioError
from optimizer.scenario import load_problem
from tests.core.helpers import column, scenario, solve_ok

R0 = {"discount_rate": 0.0}
INCOME_PER_MW = 60000 * 24 / 8760  # payment·H over one day = 164.38


def dr_day(curtailment: float | None, **dr: Any) -> dict[str, Any]:
    prog = {
        "name": "dr",
        "capacity_payment_per_mw_year": 60000,
        "max_mw": 5,
        "events": [{"start": "2027-01-04T16:00", "hours": 2}],
    }
    prog.update(dr)
    load: dict[str, Any] = {"flexible_share": 0.2}
    if curtailment is not None:
        load["curtailment_cost_per_mwh"] = curtailment
    return scenario([10] * 24, price=50, load_extra=load, demand_response=[prog])


def test_dr_committed_from_flexibility_not_from_dear_curtailment() -> None:
    """One day of 10 MW at a flat 50, flexible share 0.2, a programme paying 60000 per
    MW-year for up to 5 MW in a 2-hour event (16:00-18:00): income 60000·24/8760 = 164.38
    per MW over the day.

    In the event imports ≤ 10 − d. Flexibility moves up to 2 MW out of each event hour to
    other hours of the day, free at a flat price: d = 2 from flexibility. Each MW more would
    be shed for 2 h at 500, net 2·(500 − 50) = 900 > 164.38 — not committed.
    Objective = 240·50 − 2·164.38 = 11671.23; no curtailment.
    """
    r = solve_ok(dr_day(500))
    s = r.summary
    d = s["demand_response"]["dr"]
    assert d["committed_mw"] == approx(2.0)
    assert d["income"] == approx(2 * INCOME_PER_MW)
    assert s["cost_breakdown"]["demand_response"] == approx(-2 * INCOME_PER_MW)
    assert s["objective"] == approx(12000 - 2 * INCOME_PER_MW)
    assert d["delivered_by"]["flexibility"] == approx(2.0)
    assert d["delivered_by"]["curtailment"] == approx(0.0, abs=1e-7)
    assert s["capacity_mw"]["dr"] == approx(2.0)
    imp = column(r, "grid_import_mw:utility")
    assert max(imp[16:18]) <= 8 + 1e-6


def test_dr_committed_from_curtailment_when_it_pays() -> None:
    """As above with curtailment at 60 per MWh (above the grid's 50, so it is never used
    for energy alone): each MW beyond flexibility costs 2·(60 − 50) = 20 < 164.38, so
    d = max_mw = 5: 2 MW from flexibility, 3 MW shed for 2 h = 6 MWh.
    Objective = 234·50 + 6·60 − 5·164.38 = 12060 − 821.92 = 11238.08.
    """
    r = solve_ok(dr_day(60))
    s = r.summary
    d = s["demand_response"]["dr"]
    assert d["committed_mw"] == approx(5.0)
    assert s["objective"] == approx(234 * 50 + 6 * 60 - 5 * INCOME_PER_MW)
    assert s["cost_breakdown"]["curtailment"] == approx(360.0)
    assert d["delivered_by"]["curtailment"] == approx(3.0)
    assert d["delivered_by"]["flexibility"] == approx(2.0)
    assert s["served_load_mwh"] == approx(234.0)


def test_no_curtailment_without_a_cost() -> None:
    """Without ``curtailment_cost_per_mwh`` no load is shed: d = 2 (flexibility only)."""
    r = solve_ok(dr_day(None))
    assert r.summary["demand_response"]["dr"]["committed_mw"] == approx(2.0)


@pytest.mark.parametrize(("allowed", "d"), [(False, 2.0), (True, 5.0)])
def test_generator_allowed(allowed: bool, d: float) -> None:
    """A free-capital generator with fuel at 60 (it runs only when it pays): with
    ``generator_allowed: false`` the rule ``imp + g ≤ L − d`` leaves only flexibility,
    d = 2; with ``true`` each MW beyond flexibility costs 2·(60 − 50) = 20 < 164.38 of
    generator fuel over the grid: d = 5.
    """
    sc = dr_day(None, generator_allowed=allowed)
    sc["technologies"] = [
        {
            "name": "gen",
            "kind": "generator",
            "capex_per_kw": 0,
            "lifetime_years": 20,
            "fuel_per_mwh": 60,
            "carbon_intensity_tco2_per_mwh": 0.5,
            "max_mw": 10,
        }
    ]
    sc["finance"] = R0
    r = solve_ok(sc)
    dr = r.summary["demand_response"]["dr"]
    assert dr["committed_mw"] == approx(d)
    if allowed:
        assert r.summary["objective"] == approx(11700 + 6 * 60 - 5 * INCOME_PER_MW)
        assert dr["delivered_by"]["generator"] == approx(3.0)


def test_dr_share_of_load_limit() -> None:
    """``max_share_of_load: 0.1``: d ≤ 0.1·10 = 1 MW even though flexibility gives 2."""
    r = solve_ok(dr_day(500, max_share_of_load=0.1))
    assert r.summary["demand_response"]["dr"]["committed_mw"] == approx(1.0)


def test_dr_event_limits_refused() -> None:
    with pytest.raises(ScenarioError) as exc:
        load_problem(dr_day(500, max_hours_per_event=1))
    assert "max_hours_per_event" in str(exc.value)
    with pytest.raises(ScenarioError) as exc:
        load_problem(dr_day(500, max_events_per_year=10))  # 10 × H = 0.027 < 1 event
    assert "demand_response[dr].events" in str(exc.value)


def test_dr_name_must_be_unique() -> None:
    with pytest.raises(ScenarioError) as exc:
        load_problem(dr_day(500, name="utility"))
    assert "duplicate name" in str(exc.value)


# -- curtailment and flexible compute --------------------------------------------------------


@pytest.mark.parametrize(("share", "objective"), [(1.0, 2500.0), (0.5, 3000.0)])
def test_load_curtailment(share: float, objective: float) -> None:
    """Two hours of 10 MW at [50, 300]; shedding costs 200 per MWh, below the second hour's
    price: shed all of it (share 1): 10·50 + 10·200 = 2500; at most half (share 0.5):
    500 + 5·200 + 5·300 = 3000.
    """
    sc = scenario(
        [10, 10],
        price=[50, 300],
        load_extra={"curtailment_cost_per_mwh": 200, "max_curtailment_share": share},
    )
    r = solve_ok(sc)
    assert r.summary["objective"] == approx(objective)
    assert r.summary["served_load_mwh"] == approx(20 - 10 * share)
    assert r.summary["cost_breakdown"]["curtailment"] == approx(2000 * share)


def training_case(deadline: float, **inference: Any) -> dict[str, Any]:
    compute: dict[str, Any] = {
        "training": {"share": 0.5, "deadline_hours": deadline, "max_boost_share": 1.0}
    }
    if inference:
        compute["inference"] = inference
    return scenario([10] * 4, price=[100, 100, 10, 10], load_extra={"compute": compute})


@pytest.mark.parametrize(("deadline", "objective"), [(2.0, 1300.0), (1.0, 1750.0)])
def test_training_deferred_within_deadline(deadline: float, objective: float) -> None:
    """Four hours of 10 MW at [100, 100, 10, 10]; training is half the load (5 MW) and may
    run up to twice its forecast (boost 1.0) to catch up.

    Deadline 2 h: the 5 MW of hour 0 run in hour 2 and those of hour 1 in hour 3:
    imports [5, 5, 15, 15] → 500 + 500 + 150 + 150 = 1300.
    Deadline 1 h: work of hour 0 must run in hour 1 (same price, no gain); work of hour 1
    runs in hour 2: [10, 5, 15, 10] → 1000 + 500 + 150 + 100 = 1750.
    The horizon ends with no backlog; served energy stays 40 MWh.
    """
    r = solve_ok(training_case(deadline))
    s = r.summary
    assert s["objective"] == approx(objective)
    assert s["served_load_mwh"] == approx(40.0)
    assert column(r, "training_backlog_mwh")[-1] == approx(0.0, abs=1e-9)
    lf = s["load_flexibility"]
    assert lf["training_mwh"] == approx(20.0)
    if deadline == 2:  # (with 1 h, deferring hour 0 into hour 1 is a tie)
        assert lf["training_deferred_mwh"] == approx(10.0)


def test_inference_not_shiftable_but_curtailable() -> None:
    """As the 2-hour-deadline case, and inference (the other half) may shed 40 % of itself
    (2 MW) at 80 per MWh: worth it only in the hours at 100, saving 2·2·(100 − 80) = 80.
    Objective = 1300 − 80 = 1220; inference never moves in time.
    """
    r = solve_ok(training_case(2.0, curtailment_cost_per_mwh=80, max_curtailment_share=0.4))
    s = r.summary
    assert s["objective"] == approx(1220.0)
    assert s["load_flexibility"]["curtailed"]["inference"]["mwh"] == approx(4.0)
    assert column(r, "shed_mw:inference") == approx([2.0, 2.0, 0.0, 0.0], abs=1e-7)


def test_compute_shares_from_the_load_model() -> None:
    """Load model: C = 100 MW, training share 0.5 at 0.9, inference 0.6 with no swing, PUE
    1.2 (10 °C, below the threshold): IT = 100·(0.45 + 0.30) = 75, site load 90; training
    0.45·100·1.2 = 54 MW, inference 36 MW. The default boost is the idle training
    capacity: 1/0.9 − 1 → 54·(1/0.9 − 1) = 6 MW.
    """
    sc = scenario(
        [0] * 3,
        load_extra={
            "mw": {
                "datacenter": {
                    "it_capacity_mw": 100,
                    "training_share": 0.5,
                    "training_utilisation": 0.9,
                    "inference_utilisation": 0.6,
                    "inference_diurnal_amplitude": 0.0,
                    "temperature_c": 10,
                }
            },
            "compute": {
                "training": {"deadline_hours": 4},
                "inference": {"curtailment_cost_per_mwh": 1000},
            },
        },
    )
    sc["series"]["columns"].pop("load_mw")
    p = load_problem(sc)
    assert p.load_mw == approx(np.full(3, 90.0))
    assert p.load_flex is not None and p.load_flex.shift is not None
    assert p.load_flex.training_mw == approx(np.full(3, 54.0))
    assert p.load_flex.inference_mw == approx(np.full(3, 36.0))
    assert p.load_flex.shift.boost_cap_mw == approx(np.full(3, 6.0))
    assert [s.name for s in p.load_flex.sheds] == ["inference"]


def test_training_share_required_without_load_model() -> None:
    sc = scenario([10] * 2, load_extra={"compute": {"training": {"deadline_hours": 2}}})
    with pytest.raises(ScenarioError) as exc:
        load_problem(sc)
    assert "load.compute.training.share" in str(exc.value)
