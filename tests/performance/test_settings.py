"""Solver strategy: what ``auto`` picks, and that the interior point without crossover (an
option) gives the simplex answer: objective, CFE shadow price, marginal prices."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from optimizer import machine, options
from optimizer.model.highs import hipo_available
from optimizer.options import IPM_MIN_ROWS, available_cores
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
    # a one-off solve that gives its rows skips crossover; one that needs a basis keeps it
    one_off = choose_settings(auto, 8760, rows=52_563)
    assert (one_off.algorithm, one_off.crossover) == ("ipm", False)
    assert choose_settings(auto, 35_040, rows=210_243, basis=True).crossover
    forced = SolveOptions(crossover=True)
    assert choose_settings(forced, 35_040, rows=210_243).crossover
    assert choose_settings(auto, IPM_MIN_PERIODS).algorithm == "simplex"
    assert choose_settings(auto, IPM_MIN_PERIODS + 1).algorithm == "ipm"
    # given the LP's rows (a multi-case LP: more rows per step), they decide
    assert choose_settings(auto, 1000, rows=IPM_MIN_ROWS + 1).algorithm == "ipm"
    assert choose_settings(auto, 8760, rows=IPM_MIN_ROWS).algorithm == "simplex"
    # a caller's own measured boundary (screening's cyclic typical days: 20,000 rows)
    assert choose_settings(auto, 2304, rows=13_827, min_ipm_rows=20_000).algorithm == "simplex"
    assert choose_settings(auto, 4032, rows=24_195, min_ipm_rows=20_000).algorithm == "ipm"


def test_screening_picks_the_simplex_below_its_boundary() -> None:
    """year-cfe90 on 6 typical days a month: 13,827 rows, below screening's 20,000-row
    boundary for cyclic days (the simplex 0.87 s against HiPO 1.57 s, docstring of
    CYCLIC_IPM_MIN_ROWS), so auto runs the simplex there, HiPO for a full year."""
    from optimizer.screening import solve_screening
    from optimizer.screening.solve import CYCLIC_IPM_MIN_ROWS

    year = Path(__file__).resolve().parents[1] / "acceptance" / "year-cfe90" / "scenario.yaml"
    r = solve_screening(year)
    assert r.lp.num_rows == 13_827 < CYCLIC_IPM_MIN_ROWS
    assert r.lp.record is not None and r.lp.record.algorithm == "simplex"
    assert r.summary["solver"]["algorithm"] == "simplex"  # summary.json says what ran
    assert r.summary["solver"]["rows"] == 13_827


def test_interior_point_named_and_threads() -> None:
    """Every interior point is ``algorithm="ipm"`` with the solver named in ``interior``:
    HiPO for auto and ipm when highspy-extras is there; threads default to the cores."""
    best = "hipo" if hipo_available() else "ipx"
    year = choose_settings(SolveOptions(), 8760)
    assert year.interior == best
    assert year.threads in (available_cores(), max(1, available_cores() // 2))
    assert choose_settings(SolveOptions(algorithm="ipm"), 168).interior == best
    ipx = choose_settings(SolveOptions(algorithm="ipx", threads=1), 168)
    assert (ipx.algorithm, ipx.interior, ipx.threads) == ("ipm", "ipx", 1)
    assert choose_settings(SolveOptions(), 168).interior is None


def test_default_threads_halve_on_an_oversubscribed_machine(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(options, "available_cores", lambda: 8)
    monkeypatch.setattr(machine.os, "getloadavg", lambda: (3.0, 3.0, 3.0))
    assert options.default_threads() == 8
    monkeypatch.setattr(machine.os, "getloadavg", lambda: (12.5, 3.0, 3.0))
    assert options.default_threads() == 4
    assert choose_settings(SolveOptions(threads=3), 8760).threads == 3


@pytest.mark.parametrize("algorithm", ["hipo", "ipx", "simplex"])
def test_record_says_what_ran(algorithm: str) -> None:
    """``HighsLp.record`` names the solver that ran, crossover and threads; the answer is
    the same whichever ran (and whatever the thread count, switched within one process)."""
    if algorithm == "hipo" and not hipo_available():
        pytest.skip("highspy-extras (HiPO) not installed")
    path = ACCEPTANCE / "week-contracts" / "scenario.yaml"
    ref = solve(path, SolveOptions(algorithm="simplex", threads=1))
    r = solve(path, SolveOptions(algorithm=algorithm, threads=2))  # type: ignore[arg-type]
    assert r.status == "optimal" and r.lp is not None and r.lp.record is not None
    rec = r.lp.record
    assert rec.algorithm == algorithm
    assert rec.threads == 2
    # a one-off solve needs no basis: no crossover after the interior point
    assert rec.crossover is (None if algorithm == "simplex" else False)
    assert rec.crossover_iterations == 0
    if algorithm != "simplex":
        assert rec.ipm_iterations > 0
    # the interior point alone stops at HiGHS's ipm_optimality_tolerance (1e-8, relative)
    rel = 1e-9 if algorithm == "simplex" else 1e-8
    assert r.objective == pytest.approx(ref.objective, rel=rel)


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


def test_a_later_solve_with_another_thread_count_still_solves() -> None:
    """HiGHS sizes one scheduler per process at its first solve; a later solve asking for
    another count (here HiGHS's default first, then 2, then 1) must rebuild it, not end
    with status "Not Set" (a bug found when tests ran in a new order)."""
    import pyomo.environ as pyo

    from optimizer.model.highs import HighsLp, HighsSettings

    m = pyo.ConcreteModel()
    m.x = pyo.Var(bounds=(0, 1))
    m.y = pyo.Var(bounds=(0, None))
    m.d = pyo.Constraint(expr=m.x + m.y >= 3)
    m.o = pyo.Objective(expr=m.x + 2 * m.y)
    for threads in (None, 2, 1, None):
        lp = HighsLp(m)
        assert lp.solve(HighsSettings(algorithm="ipm", threads=threads)) == "optimal"
        assert lp.objective == pytest.approx(5.0)
