"""Screening on the full-year acceptance case: the stated error holds (issue 12 item 4).

The full objective is the acceptance answer (tests/acceptance/year-cfe90/expected.json), so
no full solve is needed; the errors are those of docs/performance.md, "Screening accuracy".
"""

from __future__ import annotations

import json

import pytest

from optimizer.scenario import load_problem
from optimizer.screening import DEFAULT_DAYS_PER_MONTH, expected_objective_error, solve_screening
from tests.conftest import ACCEPTANCE

CASE = ACCEPTANCE / "year-cfe90"


@pytest.mark.slow
@pytest.mark.parametrize(("days", "error"), [(3, -0.0288), (6, -0.0036), (12, -0.0006)])
def test_year_cfe90_error_within_stated_bound(days: int, error: float) -> None:
    """Measured: −2.88 % at 3 days a month, −0.36 % at 6 (the default), −0.06 % at 12,
    each within the bound the summary states (3.5 %, 1.5 %, 1.5 %)."""
    full = json.loads((CASE / "expected.json").read_text())["objective"]
    scr = solve_screening(load_problem(CASE / "scenario.yaml"), days_per_month=days)
    err = (scr.objective - full) / full
    assert err == pytest.approx(error, abs=5e-4)
    stated = scr.summary["screening"]["expected_objective_error"]
    assert stated == expected_objective_error(days)
    assert abs(err) <= stated
    assert scr.days.days == 12 * days + 24


def test_default_is_the_one_measured_within_one_percent() -> None:
    """6 days a month: within 1 % on both single-year cases; the stated 1.5 % also covers
    the 3-year pathway measured (+0.74 % at 6, +1.09 % at 12 days)."""
    assert DEFAULT_DAYS_PER_MONTH == 6
    assert expected_objective_error(DEFAULT_DAYS_PER_MONTH) == 0.015
