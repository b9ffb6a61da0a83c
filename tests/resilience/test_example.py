"""The Tier III example week (tests/resilience/week-tier3): backup and flexible compute in
one run. Checks the rules of CONTRACT 12 hold in the solution (not hand-derived numbers)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from pytest import approx

from optimizer.solve import solve

CASE = Path(__file__).resolve().parent / "week-tier3" / "scenario.yaml"


def test_tier3_week() -> None:
    r = solve(CASE)
    assert r.status == "optimal", r.message
    s, d = r.summary, r.dispatch
    assert d is not None
    res = s["resilience"]
    gen = res["generators"]["diesel-backup"]
    # N+1: capacity ≥ critical peak + one 3 MW unit
    assert gen["capacity_mw"] >= res["critical_peak_mw"] + 3 - 1e-6
    assert gen["units"] >= int(np.ceil(res["critical_peak_mw"] / 3)) + 1
    # the listed outage: no import, every MWh critical and served, fuel within the tank
    o = res["outages"][0]
    assert o["steps"] == 12 and o["unserved_mwh"] == approx(0.0, abs=1e-6)
    assert o["fuel_used_share"] <= 1 + 1e-9
    assert o["generator_mwh"] + o["battery_mwh"] + 1e-6 >= 0
    ts = d["timestamp"].dt.tz_localize(None)
    out = (ts >= "2027-07-15 14:00") & (ts < "2027-07-16 02:00")
    assert float(d.loc[out, "grid_import_total_mw"].abs().max()) <= 1e-6
    # run hours outside outages within the permit's share of the year
    assert gen["run_hours_outside_outages"] <= gen["max_run_hours_in_horizon"] + 1e-6
    assert 0 < res["survival_probability"] < 1
    assert res["autonomy_hours"] >= 12 - 1e-6
    # demand response: committed, paid, delivered (the parts add up), no generator
    dr = s["demand_response"]["dr-capacity"]
    assert dr["committed_mw"] > 0
    assert dr["income"] == approx(60000 * 168 / 8760 * dr["committed_mw"])
    parts = dr["delivered_by"]
    assert sum(v for k, v in parts.items() if k != "total") == approx(parts["total"])
    assert parts["generator"] == approx(0.0, abs=1e-6)
    for e in dr["events"]:
        assert e["min_reduction_mw"] >= dr["committed_mw"] - 1e-6
    assert s["load_flexibility"]["training_deferred_mwh"] > 0
