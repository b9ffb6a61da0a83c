"""Year decomposition of a pathway (optimizer.decisions.years): multi-cut Benders over the
years gives the LP's own optimum, handed back so that the results read it as usual.

The one-step cases are test_pathway.py's, solved by hand there (each year one hour standing
for a whole year, load 10 MW, r = 0); here the same numbers come out of the decomposition.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from pytest import approx

from optimizer.decisions.years import solve_years
from optimizer.model import build_model
from optimizer.model.highs import HighsLp
from optimizer.results import extract
from optimizer.scenario import load_problem
from optimizer.screening import solve_screening
from optimizer.solve import SolveOptions, choose_settings
from tests.cases.test_pathway import _solar, _years, one_year_ppa
from tests.core.helpers import scenario

HOURS = 8760.0
ROOT = Path(__file__).resolve().parents[1]
WEEK = ROOT / "acceptance" / "week-basic" / "scenario.yaml"


def _decomposed(sc: Any, workers: int = 0, **kw: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    """(solve_years' answer, the results read from the LP it handed back)."""
    built = build_model(load_problem(sc))
    lp = HighsLp(built.model)
    r = solve_years(built, lp, workers=workers, **kw)
    if r["method"] != "decomposition":
        return r, {}
    summary, _ = extract(built, lp)
    return r, summary


def _whole(sc: Any) -> dict[str, Any]:
    built = build_model(load_problem(sc))
    lp = HighsLp(built.model)
    assert lp.solve(choose_settings(SolveOptions(algorithm="simplex"), 1)) == "optimal"
    summary, _ = extract(built, lp)
    return summary


def test_an_asset_built_when_prices_rise_by_years() -> None:
    """2027 at 20/MWh, 2028 at 200/MWh; solar (profile 1) at capex 8,760/kW over 10 years:
    876,000 per MW-year = 100/MWh: built in 2028 (10 MW), not before. Objective =
    20·10·8760 + 10·876,000 = 10,512,000. The build columns are the master's (only the
    capacity-standing rows hold them), each year's capacity its subproblem's."""
    sc = _years(
        scenario([10], price=20, technologies=[_solar(8760, 10)], finance={"discount_rate": 0}),
        {"year": 2027},
        {"year": 2028, "set": {"grid_offers[utility].energy_price_per_mwh": 200}},
    )
    r, s = _decomposed(sc)
    assert r["method"] == "decomposition", r
    assert r["years"] == 2
    assert s["objective"] == approx(20 * 10 * HOURS + 10 * 876_000, rel=1e-9)
    assert r["objective"] == approx(s["objective"], rel=1e-12)
    y = s["years"]
    assert y["2027"]["built_mw"]["pv"] == approx(0.0, abs=1e-7)
    assert y["2028"]["built_mw"]["pv"] == approx(10.0)
    assert y["2027"]["total_cost"] == approx(20 * 10 * HOURS)
    assert y["2028"]["total_cost"] == approx(10 * 876_000)
    assert r["lower"] <= r["upper"] + 1e-6 * abs(r["upper"])
    assert r["upper"] == approx(s["objective"], rel=1e-7)


def test_a_degrading_build_is_held_by_every_year_it_stands_in() -> None:
    """Solar (capex 876/kW over 10 years: 87,600 per MW-year) degrading 10 %/year, grid at
    100 both years, max_mw 10: 2027 builds 10 MW; in 2028 that build gives 9 MW and the
    missing 1 MW is imported. Objective = 2·876,000 + 100·1·8760 = 2,628,000. With ageing,
    2028's rows hold the 2027 build itself (its output is 0.9·build), so that build column
    links both years."""
    sc = _years(
        scenario(
            [10],
            price=100,
            technologies=[_solar(876, 10, degradation_per_year=0.1)],
            finance={"discount_rate": 0},
        ),
        {"year": 2027},
        {"year": 2028},
    )
    r, s = _decomposed(sc)
    assert r["method"] == "decomposition", r
    assert s["objective"] == approx(2 * 876_000 + 100 * 1 * HOURS, rel=1e-9)
    assert s["years"]["2027"]["built_mw"]["pv"] == approx(10.0)
    assert s["years"]["2028"]["grid_import_mwh"]["utility"] == approx(1.0 * HOURS)


def test_a_capacity_a_year_needs_comes_by_feasibility_cuts() -> None:
    """Load 10 MW, grid at 20/MWh but at most 6 MW (grid_import_limit_mw), solar (profile 1)
    at 876,000 per MW-year (100/MWh, capex 8,760/kW over 10 years, r = 0): each year needs
    4 MW of solar and takes no more. Built in 2027, standing in 2028. Objective =
    2·(6·20·8760) + 2·4·876,000 = 2,102,400 + 7,008,000 = 9,110,400. With hard goal rows
    (``goal_penalty=None``) a master point below 4 MW cannot be served: phase-1
    feasibility cuts move it."""
    sc = _years(
        scenario(
            [10],
            price=20,
            technologies=[_solar(8760, 10)],
            finance={"discount_rate": 0},
            site_extra={"grid_import_limit_mw": 6},
        ),
        {"year": 2027},
        {"year": 2028},
    )
    r, s = _decomposed(sc, goal_penalty=None)
    assert r["method"] == "decomposition", r
    assert r["feasibility_cuts"] >= 1
    assert s["objective"] == approx(9_110_400, rel=1e-9)
    assert s["years"]["2027"]["built_mw"]["pv"] == approx(4.0)
    assert s["years"]["2028"]["capacity_mw"]["pv"] == approx(4.0)


def test_a_ppa_with_a_one_year_term_by_years() -> None:
    """A baseload PPA at 50 from 2028 for one year against the grid at 100 in 2027–2029: it
    delivers 10 MW in 2028 only. Objective = 2·100·10·8760 + 50·10·8760 = 21,900,000."""
    sc = one_year_ppa()
    r, s = _decomposed(sc)
    assert r["method"] == "decomposition", r
    assert s["objective"] == approx(21_900_000, rel=1e-9)


def _week_pathway(tmp_path: Path, targets: tuple[float, ...] = (0.5, 0.57, 0.6)) -> Path:
    """week-basic over three years, its CFE target rising (binding: elastic goal rows;
    with 200 MW of solar the week alone scores 0.547, at most 0.6165)."""
    sc = yaml.safe_load(WEEK.read_text())
    sc["technologies"][0]["max_mw"] = 200  # week-basic's 80 MW reach a score of 0.47
    sc.setdefault("carbon", {})["cfe_target"] = targets[0]
    sc["horizon"] = {
        "years": [
            {"year": 2027 + k, "set": {"carbon.cfe_target": t}} for k, t in enumerate(targets)
        ]
    }
    for f in WEEK.parent.iterdir():
        if f.name != "scenario.yaml":
            (tmp_path / f.name).write_bytes(f.read_bytes())
    path = tmp_path / "scenario.yaml"
    path.write_text(yaml.safe_dump(sc, sort_keys=False))
    return path


@pytest.mark.parametrize("workers", [0, 2])
def test_a_week_pathway_agrees_with_the_whole_lp(tmp_path: Path, workers: int) -> None:
    """Three weeks of week-basic under a CFE target rising 0.5 → 0.57 → 0.6: the decomposition's
    objective is the whole LP's to 1e-7 (its tolerance), and so are each year's costs and
    capacities and the binding years' CFE scores (0.57 and 0.6); on 2 worker processes as
    in this one."""
    path = _week_pathway(tmp_path)
    whole = _whole(path)
    r, s = _decomposed(path, workers=workers)
    assert r["method"] == "decomposition", r
    assert r["workers"] == workers
    assert s["objective"] == approx(whole["objective"], rel=1e-7)
    for year, w in whole["years"].items():
        got = s["years"][year]
        assert got["total_cost"] == approx(w["total_cost"], rel=1e-5, abs=1.0)
        target = float(w["cfe_target"])
        assert got["cfe_score"] >= target - 1e-6
        if target > 0.55:  # binding (alone 0.547): the score is the target; else not unique
            assert got["cfe_score"] == approx(target, abs=1e-6)
            assert w["cfe_score"] == approx(target, abs=1e-6)
        for name, mw in w["capacity_mw"].items():
            assert got["capacity_mw"][name] == approx(mw, rel=1e-4, abs=1e-3), (year, name)


def test_a_penalty_below_the_shadow_price_is_refused(tmp_path: Path) -> None:
    """A goal penalty of 1 per MWh is below the CFE rows' shadow prices: the subproblems
    would rather fall short, the shortfall is left at the answer, and the decomposition
    says so instead of answering (the caller solves the whole LP)."""
    r, _ = _decomposed(_week_pathway(tmp_path), goal_penalty=1.0)
    assert r["method"] is None
    assert "not exact" in r["reason"]


def test_a_gap_left_open_is_not_an_answer(tmp_path: Path) -> None:
    """Stopped after one iteration the gap is still open: the decomposition says so (the
    caller solves the whole LP) rather than hand back its incumbent."""
    r, _ = _decomposed(_week_pathway(tmp_path), max_iterations=1)
    assert r["method"] is None
    assert "gap" in r["reason"]


def test_one_year_is_not_decomposed() -> None:
    r, _ = _decomposed(scenario([10], price=20))
    assert r["method"] is None
    assert "pathway" in r["reason"]


def test_screening_a_pathway_by_years_or_whole(tmp_path: Path) -> None:
    """``solve_screening(decompose=True)`` on a pathway names the year decomposition in
    ``solver`` and answers the whole screened LP's objective to 1e-7."""
    path = _week_pathway(tmp_path)
    by_years = solve_screening(path, days_per_month=2, decompose=True)
    whole = solve_screening(path, days_per_month=2, decompose=False)
    assert by_years.status == whole.status == "optimal"
    assert by_years.summary["solver"]["method"].startswith("year decomposition")
    assert "method" not in whole.summary["solver"]
    assert by_years.summary["objective"] == approx(whole.summary["objective"], rel=1e-7)
    assert set(by_years.summary["years"]) == {"2027", "2028", "2029"}


def test_cli_run_screening_decomposes_a_pathway(tmp_path: Path) -> None:
    """``dcopt run --screening --decompose`` on the week pathway writes summary.json with
    the year decomposition in ``solver`` and the per-year table, at the objective of
    ``--no-decompose`` to 1e-7."""
    import json

    from typer.testing import CliRunner

    from optimizer.cli import app

    path = _week_pathway(tmp_path)
    out = {}
    for flag in ("--decompose", "--no-decompose"):
        folder = tmp_path / flag.strip("-")
        args = ["run", str(path), "--screening", "--days-per-month", "2", flag]
        r = CliRunner().invoke(app, [*args, "--out", str(folder)])
        assert r.exit_code == 0, r.output
        out[flag] = json.loads((folder / "summary.json").read_text())
    dec, one = out["--decompose"], out["--no-decompose"]
    assert dec["solver"]["method"].startswith("year decomposition")
    assert dec["solver"]["iterations"] >= 1
    assert dec["objective"] == approx(one["objective"], rel=1e-7)
    assert set(dec["years"]) == set(one["years"]) == {"2027", "2028", "2029"}


def test_screening_answers_when_the_decomposition_fails(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A worker or a subproblem that fails (a SolverError inside the decomposition) costs
    the speed, not the answer: the screened pathway is solved as one LP, objective as
    with ``decompose=False``."""
    import optimizer.decisions.years as years
    from optimizer.errors import SolverError

    def broken(*args: Any, **kw: Any) -> dict[str, Any]:
        raise SolverError("a decomposition worker failed: test")

    path = _week_pathway(tmp_path)
    whole = solve_screening(path, days_per_month=2, decompose=False)
    monkeypatch.setattr(years, "solve_years", broken)
    r = solve_screening(path, days_per_month=2, decompose=True)
    assert r.status == "optimal"
    assert "method" not in r.summary["solver"]
    assert r.summary["objective"] == approx(whole.summary["objective"], rel=1e-9)
