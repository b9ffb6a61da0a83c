"""frontier in two warm chains (``parallel=True``): the same points as one chain.

The sweep is solved at its middle goal, then a forked child walks to the tighter goals and
this process to the looser ones (optimizer.decisions.frontier._two_chains)."""

from __future__ import annotations

import importlib
import logging
import os
from pathlib import Path

import pytest

from optimizer.decisions import frontier as frontier_fn
from optimizer.scenario import load_problem
from optimizer.solve import SolveOptions
from tests.decisions.cases import frontier_case
from tests.decisions.conftest import same_frontier

ACCEPTANCE = Path(__file__).resolve().parents[1] / "acceptance"
WEEK = ACCEPTANCE / "week-contracts" / "scenario.yaml"
TARGETS = [0.0, 0.5, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95, 0.99, 1.0]


pytestmark = pytest.mark.usefixtures("one_thread")


def test_hand_frontier_in_two_chains() -> None:
    """cases.frontier_case: cost = 1000 + 10·CFE·20 up to its best score 0.5, infeasible
    beyond. Five goals: the middle one (0.5) is solved first; the child takes 0.75 and 1.0
    (1.0 is infeasible without a solve once 0.75 is), this process 0.25 and 0."""
    r = frontier_fn(load_problem(frontier_case()), [0.0, 0.25, 0.5, 0.75, 1.0], parallel=True)
    assert [p.status for p in r.points] == ["optimal"] * 3 + ["infeasible"] * 2
    assert [p.total_cost for p in r.points[:3]] == pytest.approx([1000.0, 1050.0, 1100.0])
    assert [p.marginal_cost_per_mwh_clean for p in r.points[1:3]] == pytest.approx([10, 10])
    assert r.points[4].solve_seconds == 0.0  # not solved: 0.75 already is infeasible
    assert r.max_cfe_score == pytest.approx(0.5)
    assert r.points[0].dispatch is not None
    assert all(p.dispatch is None for p in r.points[1:])


def test_hand_emissions_in_two_chains() -> None:
    """The same case by caps: 10 t free, each 2.5 t less costs 50, at best 5 t."""
    r = frontier_fn(
        load_problem(frontier_case()), [0.0, 2.5, 5.0, 7.5, 10.0], mode="emissions", parallel=True
    )
    assert [p.max_emissions_tco2 for p in r.points] == [10.0, 7.5, 5.0, 2.5, 0.0]
    assert [p.total_cost for p in r.points[:3]] == pytest.approx([1000.0, 1050.0, 1100.0])
    assert r.min_emissions_tco2 == pytest.approx(5.0)
    assert r.max_cfe_score == pytest.approx(0.5)


def test_week_two_chains_equal_one(caplog) -> None:  # type: ignore[no-untyped-def]
    problem = load_problem(WEEK)
    one = frontier_fn(problem, TARGETS, parallel=False)
    with caplog.at_level(logging.INFO, logger="optimizer.decisions.frontier"):
        two = frontier_fn(problem, TARGETS, parallel=True)
    assert "two chains from goal 0.85" in caplog.text  # the middle of the 10 goals
    same_frontier(two, one)


@pytest.mark.parametrize(
    ("algorithm", "warning"),
    [("auto", "the second chain failed"), ("ipm", "the second process failed")],
)
def test_a_failed_chain_is_solved_here(monkeypatch, caplog, algorithm, warning) -> None:  # type: ignore[no-untyped-def]
    """The child's extraction fails: this process solves the child's goals itself and the
    answer is the one chain's (two chains of the simplex; ``ipm``: the split sweep of
    test_frontier_split.py)."""
    fr = importlib.import_module("optimizer.decisions.frontier")
    parent = os.getpid()
    real = fr.extract

    def only_here(*args, **kwargs):  # type: ignore[no-untyped-def]
        if os.getpid() != parent:
            raise RuntimeError("the child breaks")
        return real(*args, **kwargs)

    problem = load_problem(WEEK)
    one = frontier_fn(problem, TARGETS, parallel=False)
    monkeypatch.setattr(fr, "extract", only_here)
    with caplog.at_level(logging.WARNING, logger="optimizer.decisions.frontier"):
        two = frontier_fn(
            problem, TARGETS, options=SolveOptions(algorithm=algorithm), parallel=True
        )
    assert warning in caplog.text
    same_frontier(two, one)


def test_short_sweeps_stay_one_chain() -> None:
    from optimizer.decisions.frontier import MIN_SPLIT, _split_index

    assert _split_index([0.1] * (MIN_SPLIT - 1)) is None
    assert _split_index([0.1, 0.2, 0.3, 0.4, 0.5]) == 2
