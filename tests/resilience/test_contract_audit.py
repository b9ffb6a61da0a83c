"""Contract audit of sections 3.6 and 12: a CFE target is met against the served load.

CONTRACT 3.6: ``cfe_score = 1 − Σ dirty·Δt / Σ served_load·Δt`` and "with cfe_target = x the
model requires cfe_score ≥ x"; CONTRACT 12: shed load (``load.curtailment_cost_per_mwh``)
lowers the served load.
"""

from __future__ import annotations

from typing import Any

import pytest

from optimizer.solve import solve
from tests.core.helpers import scenario

APPROX = pytest.approx


def shed_case(target: float) -> dict[str, Any]:
    """4 steps of 10 MW; grid at 50/MWh with clean share 0; a firm (baseload) clean PPA at
    100/MWh up to 10 MW; load may be shed at 60/MWh, at most 20 % of it (2 MW a step)."""
    ppa = {"name": "firm", "kind": "baseload", "price_per_mwh": 100, "min_mw": 0, "max_mw": 10}
    return scenario(
        [10.0] * 4,
        ppa_offers=[ppa],
        load_extra={"curtailment_cost_per_mwh": 60, "max_curtailment_share": 0.2},
        carbon={"cfe_target": target},
    )


def test_cfe_target_holds_against_served_load_with_shed_load() -> None:
    """Per step: shed s ≤ 2, PPA c, imports 10 − s − c (all dirty). The target x needs
    10 − s − c ≤ (1 − x)·(10 − s), i.e. c ≥ x·(10 − s). Cost per step
    50·(10 − s − c) + 100·c + 60·s = 500 + 10·s + 50·c = 500 + 500·x + s·(10 − 50·x):
    at x = 0.5 shedding pays (s = 2, c = 4): 720 a step, 2880 in all; served load 32 MWh,
    dirty 16 MWh, score 0.5. (Measuring against the forecast load instead, c ≥ 5 − s, gives
    s = 2, c = 3, cost 2680 and a score of 1 − 20/32 = 0.375, below the target.)"""
    r = solve(shed_case(0.5))
    assert r.status == "optimal"
    s = r.summary
    assert s["capacity_mw"]["firm"] == APPROX(4.0)
    assert s["served_load_mwh"] == APPROX(32.0)
    assert s["total_cost"] == APPROX(2880.0)
    assert s["cost_breakdown"]["curtailment"] == APPROX(480.0)
    assert s["cfe_score"] == APPROX(0.5)


def test_cfe_frontier_moves_the_shed_load_coefficient() -> None:
    """The frontier moves x in one LP; with the formula above: x = 0.1 → s = 0 (10 − 5 > 0),
    c = 1, 550 a step = 2200, served 40 MWh; x = 0.3 → s = 2, c = 2.4, 640 a step = 2560,
    served 32 MWh, dirty 5.6 a step, score 1 − 22.4/32 = 0.3; x = 0.5 → 2880 as above."""
    from optimizer.decisions import frontier
    from optimizer.scenario import load_problem

    problem = load_problem(shed_case(0.5))
    res = frontier(problem, [0.1, 0.3, 0.5], parallel=False)
    got = {round(pt.cfe_target or 0.0, 3): pt for pt in res.points}
    for x, cost, served in ((0.1, 2200.0, 40.0), (0.3, 2560.0, 32.0), (0.5, 2880.0, 32.0)):
        pt = got[x]
        assert pt.status == "optimal"
        assert pt.total_cost == APPROX(cost)
        assert pt.cfe_score == APPROX(x)
        assert pt.served_load_mwh == APPROX(served)
