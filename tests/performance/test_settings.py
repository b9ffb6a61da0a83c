"""Solver strategy: what ``auto`` picks, and that the interior point without crossover (an
option) gives the simplex answer: objective, CFE shadow price, marginal prices."""

from __future__ import annotations

import numpy as np
import pytest

from optimizer.solve import IPM_MIN_PERIODS, SolveOptions, choose_settings, solve
from tests.conftest import ACCEPTANCE


def test_auto_choice() -> None:
    auto = SolveOptions()
    small = choose_settings(auto, 168)
    assert (small.algorithm, small.crossover) == ("simplex", True)
    year = choose_settings(auto, 8760)
    assert (year.algorithm, year.crossover) == ("ipm", True)
    off = choose_settings(SolveOptions(crossover=False), 8760)
    assert (off.algorithm, off.crossover) == ("ipm", False)
    assert choose_settings(auto, IPM_MIN_PERIODS).algorithm == "simplex"
    assert choose_settings(auto, IPM_MIN_PERIODS + 1).algorithm == "ipm"


def test_ipm_without_crossover_gives_simplex_answer() -> None:
    """week-contracts binds its CFE target: the row dual (CFE shadow price) and the balance
    duals (marginal prices) of the interior point match the simplex vertex's."""
    path = ACCEPTANCE / "week-contracts" / "scenario.yaml"
    a = solve(path, SolveOptions(algorithm="simplex"))
    b = solve(path, SolveOptions(algorithm="ipm", crossover=False))
    assert a.status == b.status == "optimal"
    assert b.summary["solver"]["crossover"] is False
    assert b.objective == pytest.approx(a.objective, rel=1e-8)
    sa = a.summary["shadow_prices"]["cfe_per_mwh"]
    sb = b.summary["shadow_prices"]["cfe_per_mwh"]
    assert sa > 1.0
    assert sb == pytest.approx(sa, rel=1e-6)
    assert b.summary["cfe_score"] == pytest.approx(0.8, abs=1e-7)
    assert a.dispatch is not None and b.dispatch is not None
    ma = a.dispatch["marginal_price_per_mwh"].to_numpy()
    mb = b.dispatch["marginal_price_per_mwh"].to_numpy()
    assert np.abs(ma - mb).max() < 1e-3


def test_ipm_without_crossover_reports_infeasible() -> None:
    """An import limit of 1 MW cannot serve an ~80 MW load: infeasible, with the diagnosis."""
    path = ACCEPTANCE / "week-basic" / "scenario.yaml"
    r = solve(
        path,
        SolveOptions(algorithm="ipm", crossover=False),
        overrides=["site.grid_import_limit_mw=1"],
    )
    assert r.status == "infeasible"
    assert r.diagnosis["requirement"] == "load"
