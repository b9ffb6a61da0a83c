"""Screening on typical days: exact where it must be, within its stated error elsewhere."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from optimizer.scenario import load_problem
from optimizer.screening import EXPECTED_OBJECTIVE_ERROR, choose_days, solve_screening
from optimizer.solve import SolveOptions, solve
from tests.conftest import ACCEPTANCE

CONTRACTS = ACCEPTANCE / "week-contracts" / "scenario.yaml"


def test_all_days_kept_is_the_full_model() -> None:
    """With more typical days per month than the week has, every day is kept with weight 1:
    the reduced LP is the full LP and the objective is the full one."""
    full = solve(CONTRACTS, SolveOptions(algorithm="simplex"))
    scr = solve_screening(CONTRACTS, days_per_month=31)
    assert scr.status == "optimal"
    assert scr.days.days == 7
    np.testing.assert_array_equal(scr.days.weights, 1.0)
    assert scr.objective == pytest.approx(full.objective, rel=1e-9)
    assert scr.summary["cfe_score"] == pytest.approx(full.summary["cfe_score"], abs=1e-9)


def _identical_days(tmp_path: Path) -> Path:
    """week-contracts inside one month (July 5-11) with every day equal to its first day and
    a flat grid price, so one typical day stands for the whole week exactly."""
    raw = yaml.safe_load(CONTRACTS.read_text())
    df = pd.read_csv(CONTRACTS.parent / "profiles.csv")
    first = df.iloc[:24]
    df = pd.concat([first] * 7, ignore_index=True)
    df["timestamp"] = pd.date_range("2027-07-05", periods=168, freq="h").strftime("%Y-%m-%dT%H:%M")
    df.to_csv(tmp_path / "profiles.csv", index=False)
    raw["site"]["start"] = "2027-07-05T00:00"
    raw["grid_offers"][0]["energy_price_per_mwh"] = 70
    path = tmp_path / "scenario.yaml"
    path.write_text(yaml.safe_dump(raw, sort_keys=False))
    return path


def test_identical_days_weighted_exactly(tmp_path: Path) -> None:
    """Seven equal days: the full optimum repeats daily (average the 7 day-shifts of any
    optimum: same cost, still feasible), so one typical day of weight 7 gives the full
    objective — this checks every weight: energy, PPA payments and settlements (recomputed
    from the full profiles), capital, the CFE row and its load total."""
    path = _identical_days(tmp_path)
    full = solve(path, SolveOptions(algorithm="simplex"))
    one = solve_screening(path, days_per_month=1, extreme_days=False)
    assert one.days.days == 1
    np.testing.assert_array_equal(one.days.weights, 7.0)
    # with the two extreme days: three days of weights 1, 1 and 5, each cyclic on its own
    three = solve_screening(path, days_per_month=1)
    assert three.days.days == 3
    assert sorted(set(three.days.weights.tolist())) == [1.0, 5.0]
    for scr in (one, three):
        assert scr.status == full.status == "optimal"
        assert scr.objective == pytest.approx(full.objective, rel=1e-7)
        assert scr.summary["cfe_score"] == pytest.approx(full.summary["cfe_score"], abs=1e-7)
        assert scr.summary["served_load_mwh"] == pytest.approx(full.summary["served_load_mwh"])
        for name, mw in full.summary["capacity_mw"].items():
            assert scr.summary["capacity_mw"][name] == pytest.approx(mw, rel=1e-5, abs=1e-5)


@pytest.mark.parametrize("case", ["week-basic", "week-contracts"])
def test_error_within_stated_bound(case: str) -> None:
    """3 typical days for a month of 6 days: the objective within the stated error of the
    full model, and the summary says it is an estimate with that error."""
    path = ACCEPTANCE / case / "scenario.yaml"
    full = solve(path)
    scr = solve_screening(path, days_per_month=3)
    assert scr.status == "optimal"
    assert scr.days.days < 7
    assert abs(scr.objective - full.objective) / full.objective < EXPECTED_OBJECTIVE_ERROR
    info = scr.summary["screening"]
    assert info["expected_objective_error"] == EXPECTED_OBJECTIVE_ERROR
    assert "not the full answer" in info["note"]


def test_weights_count_every_day() -> None:
    p = load_problem(ACCEPTANCE / "week-basic" / "scenario.yaml")
    days = choose_days(p, 2)
    assert days.weights.sum() == pytest.approx(p.periods)
    assert len(days.steps) == len(np.unique(days.steps))
