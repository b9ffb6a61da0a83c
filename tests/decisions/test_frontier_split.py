"""The split sweep of a CFE frontier solved by the interior point (full years by default):
the looser goals cold, the tightest in a warm chain, goals beyond the best score and goals
met by a looser point without a solve (optimizer.decisions.frontier._split_sweep).

The week cases are small enough for the simplex, so these tests ask for ``algorithm="ipm"``,
which takes the same path as ``auto`` on a full year."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from optimizer.decisions import frontier as frontier_fn
from optimizer.decisions.frontier import _Claims
from optimizer.scenario import load_problem
from optimizer.solve import SolveOptions
from tests.decisions.cases import frontier_case
from tests.decisions.conftest import same_frontier

WEEK = Path(__file__).resolve().parents[1] / "acceptance" / "week-contracts" / "scenario.yaml"
TARGETS = [0.0, 0.5, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95, 0.99, 1.0]
IPM = SolveOptions(algorithm="ipm")


pytestmark = pytest.mark.usefixtures("one_thread")


@pytest.mark.parametrize("parallel", [False, True])
def test_hand_split_sweep(parallel: bool, caplog: pytest.LogCaptureFixture) -> None:
    """cases.frontier_case: cost = 1000 + 10·clean MWh, clean MWh = CFE·20, best score 0.5.

    The best score is solved first (0.5), so 0.75 and 1.0 are infeasible without a solve.
    Three goals remain: in two processes 0 and 0.25 cold (the lower range), 0.5 the warm
    chain of one (its first point cold with crossover); in one process a warm chain of the
    three. Costs 1000, 1050 (+10·5 MWh), 1100 (+10·10 MWh); the
    marginal cost 10 per clean MWh between each pair."""
    with caplog.at_level(logging.INFO, logger="optimizer.decisions.frontier"):
        r = frontier_fn(
            load_problem(frontier_case()),
            [0.0, 0.25, 0.5, 0.75, 1.0],
            options=IPM,
            parallel=parallel,
        )
    assert [p.status for p in r.points] == ["optimal"] * 3 + ["infeasible"] * 2
    assert [p.total_cost for p in r.points[:3]] == pytest.approx([1000.0, 1050.0, 1100.0])
    assert [p.marginal_cost_per_mwh_clean for p in r.points[1:3]] == pytest.approx([10, 10])
    assert [p.solve_seconds for p in r.points[3:]] == [0.0, 0.0]
    assert r.max_cfe_score == pytest.approx(0.5, abs=1e-7)
    assert "infeasible (beyond the best reachable score 0.500000)" in caplog.text
    assert f"a warm chain of {1 if parallel else 3}" in caplog.text
    assert r.points[0].dispatch is not None
    assert all(p.dispatch is None for p in r.points[1:])


def test_goals_met_by_a_looser_point_are_not_solved(caplog: pytest.LogCaptureFixture) -> None:
    """The wind PPA at 40 instead of 60 (grid 50): cost = 1000 − 10·clean MWh, so the
    cheapest plan already takes all the wind there is: clean 10 MWh, score 0.5, cost 900.
    Solved at goal 0, that point meets 0.25 and 0.5 as well: they are the same answer with
    no solve (solve_seconds 0), and 0.75 lies beyond the best score 0.5."""
    case = frontier_case()
    case["ppa_offers"][0]["price_per_mwh"] = 40
    with caplog.at_level(logging.INFO, logger="optimizer.decisions.frontier"):
        r = frontier_fn(load_problem(case), [0.0, 0.25, 0.5, 0.75], options=IPM, parallel=False)
    assert [p.status for p in r.points] == ["optimal"] * 3 + ["infeasible"]
    assert [p.total_cost for p in r.points[:3]] == pytest.approx([900.0] * 3)
    assert [p.cfe_score for p in r.points[:3]] == pytest.approx([0.5] * 3, abs=1e-7)
    assert [p.cfe_target for p in r.points] == [0.0, 0.25, 0.5, 0.75]
    assert r.points[1].solve_seconds == r.points[2].solve_seconds == 0.0
    assert "frontier point 0.25: the solution at 0 (score 0.500000) meets it" in caplog.text
    assert r.points[1].marginal_cost_per_mwh_clean is None  # no clean MWh more


@pytest.mark.parametrize("parallel", [False, True])
def test_week_split_equals_the_simplex_chain(parallel: bool) -> None:
    problem = load_problem(WEEK)
    chain = frontier_fn(problem, TARGETS, parallel=False)  # the simplex: the earlier path
    split = frontier_fn(problem, TARGETS, options=IPM, parallel=parallel)
    same_frontier(split, chain)


def test_week_default_range_starts_with_the_relaxed_solution() -> None:
    """The default range's first goal is the relaxed score rounded down, which the relaxed
    solution meets: that point is the relaxed solution itself (no solve)."""
    problem = load_problem(WEEK)
    chain = frontier_fn(problem, None, parallel=False)
    split = frontier_fn(problem, None, options=IPM, parallel=False)
    same_frontier(split, chain)
    first = split.points[0]
    assert first.solve_seconds == 0.0
    assert first.cfe_score is not None and first.cfe_target is not None
    assert first.cfe_score >= first.cfe_target  # the relaxed solution meets the first goal
    assert first.dispatch is not None  # the report's run


def test_claims() -> None:
    """Six goals, lower range [0, 3), upper [3, 6): each end walks its range and a range
    is used up when its ends cross; a refused goal stays free."""
    c = _Claims(6, 3)
    assert c.take(_Claims.LOW) == 0
    assert c.take(_Claims.LOW_TOP) == 2
    assert c.take(_Claims.LOW, lambda k: k > 5) is None  # refused: 1 stays free
    assert c.take(_Claims.LOW) == 1
    assert c.take(_Claims.LOW) is None and c.take(_Claims.LOW_TOP) is None
    assert [c.take(_Claims.UP), c.take(_Claims.UP_TOP), c.take(_Claims.UP)] == [3, 5, 4]
    assert c.take(_Claims.UP) is None and c.take(_Claims.UP_TOP) is None
    empty = _Claims(2, 0)  # no lower range
    assert empty.take(_Claims.LOW) is None
    assert empty.take(_Claims.UP) == 0


@pytest.mark.parametrize("options", [None, IPM])
def test_relaxed_score_is_the_reported_one(options: SolveOptions | None) -> None:
    """week-contracts has a virtual PPA: its matched energy u ≤ min(I, V) is free while the
    CFE row is slack, so the row alone undercounts the relaxed solution's score (0.565 on
    this case). ``unconstrained_cfe_score`` is the score as reported (u = min(I, V)), the
    one the first point of the default range shows, and the range starts at it rounded
    down to the step."""
    r = frontier_fn(load_problem(WEEK), None, options=options, parallel=False)
    s0 = r.unconstrained_cfe_score
    assert s0 is not None and s0 > 0.6
    first = r.points[0]
    assert first.cfe_score == pytest.approx(s0, abs=1e-6)
    assert first.cfe_target == pytest.approx(int(s0 / 0.05 + 1e-9) * 0.05)
