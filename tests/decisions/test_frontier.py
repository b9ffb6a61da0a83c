"""frontier: hand-checked points, monotone cost, equal to single runs, warm = cold."""

from __future__ import annotations

import itertools
import json
import math
from pathlib import Path

import pytest
from typer.testing import CliRunner

from optimizer.cli import app
from optimizer.decisions import frontier
from optimizer.decisions.common import parse_range
from optimizer.decisions.output import frontier_section, write_frontier
from optimizer.errors import ScenarioError
from optimizer.scenario import load_problem
from optimizer.solve import solve
from tests.decisions.cases import frontier_case

ACCEPTANCE = Path(__file__).resolve().parents[1] / "acceptance"
WEEK = ACCEPTANCE / "week-contracts" / "scenario.yaml"
WEEK_TARGETS = [0.0, 0.5, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95, 0.99, 1.0]


def test_hand_cfe_frontier() -> None:
    """cases.frontier_case: cost = 1000 + 10·CFE·20, CFE at most 0.5; beyond: infeasible.
    Marginal 10 per clean MWh; 20 per tCO2 (each clean MWh abates 0.5 t)."""
    r = frontier(load_problem(frontier_case()), [0.0, 0.25, 0.5, 0.75, 1.0])
    assert [p.status for p in r.points] == ["optimal"] * 3 + ["infeasible"] * 2
    assert [p.total_cost for p in r.points[:3]] == pytest.approx([1000.0, 1050.0, 1100.0])
    assert [p.cfe_score for p in r.points[:3]] == pytest.approx([0.0, 0.25, 0.5])
    assert [p.emissions_tco2 for p in r.points[:3]] == pytest.approx([10.0, 7.5, 5.0])
    assert [p.cost_per_mwh for p in r.points[:3]] == pytest.approx([50.0, 52.5, 55.0])
    assert r.points[0].marginal_cost_per_mwh_clean is None
    assert [p.marginal_cost_per_mwh_clean for p in r.points[1:3]] == pytest.approx([10, 10])
    assert [p.marginal_cost_per_tco2_abated for p in r.points[1:3]] == pytest.approx([20, 20])
    assert all(p.total_cost is None for p in r.points[3:])
    assert r.max_cfe_score == pytest.approx(0.5)


def test_hand_emissions_frontier() -> None:
    """The same case swept by caps: 10 t unconstrained, each 2.5 t less costs 50; 5 t at best."""
    r = frontier(load_problem(frontier_case()), [0.0, 2.5, 5.0, 7.5, 10.0], mode="emissions")
    assert [p.max_emissions_tco2 for p in r.points] == [10.0, 7.5, 5.0, 2.5, 0.0]
    assert [p.status for p in r.points] == ["optimal"] * 3 + ["infeasible"] * 2
    assert [p.total_cost for p in r.points[:3]] == pytest.approx([1000.0, 1050.0, 1100.0])
    assert r.min_emissions_tco2 == pytest.approx(5.0)
    assert r.max_cfe_score == pytest.approx(0.5)


@pytest.fixture(scope="module")
def week_warm():  # type: ignore[no-untyped-def]
    return frontier(load_problem(WEEK), WEEK_TARGETS)


def test_week_frontier_never_falls(week_warm) -> None:  # type: ignore[no-untyped-def]
    pts = [p for p in week_warm.points if p.status == "optimal"]
    assert len(pts) == len(WEEK_TARGETS)
    for a, b in itertools.pairwise(pts):
        assert b.objective >= a.objective - 1e-7 * abs(a.objective)
        assert b.cfe_score >= b.cfe_target - 1e-7
    assert week_warm.max_cfe_score == pytest.approx(1.0)


def test_week_first_point_is_the_unconstrained_run(week_warm) -> None:  # type: ignore[no-untyped-def]
    """Target 0 on a case whose score is well above 0 equals a run with no CFE target."""
    free = solve(WEEK, overrides=["carbon.cfe_target=null"])
    first = week_warm.points[0]
    assert first.objective == pytest.approx(free.summary["objective"], rel=1e-6)
    assert first.total_cost == pytest.approx(free.summary["total_cost"], rel=1e-6)
    assert first.cfe_score == pytest.approx(free.summary["cfe_score"], rel=1e-6)


@pytest.mark.parametrize("target", [0.75, 0.9, 1.0])
def test_week_points_equal_single_runs(week_warm, target: float) -> None:  # type: ignore[no-untyped-def]
    """Each point reports what `dcopt run --set carbon.cfe_target=x` reports."""
    run = solve(WEEK, overrides=[f"carbon.cfe_target={target}"]).summary
    pt = next(p for p in week_warm.points if p.cfe_target == target)
    assert pt.objective == pytest.approx(run["objective"], rel=1e-6)
    assert pt.total_cost == pytest.approx(run["total_cost"], rel=1e-6)
    assert pt.cfe_score == pytest.approx(run["cfe_score"], rel=1e-6)
    assert pt.emissions_tco2 == pytest.approx(run["emissions_tco2"]["location_based"], rel=1e-4)


def test_week_warm_equals_cold(week_warm) -> None:  # type: ignore[no-untyped-def]
    cold = frontier(load_problem(WEEK), WEEK_TARGETS, warm_start=False)
    assert not cold.warm_start
    for w, c in zip(week_warm.points, cold.points, strict=True):
        assert w.status == c.status
        assert w.objective == pytest.approx(c.objective, rel=1e-6)
        assert w.total_cost == pytest.approx(c.total_cost, rel=1e-6)
        assert w.cfe_score == pytest.approx(c.cfe_score, rel=1e-6)
    assert week_warm.max_cfe_score == pytest.approx(cold.max_cfe_score, rel=1e-6)


def test_infeasible_targets_are_rows_week_basic() -> None:
    """week-basic reaches a 24/7 score of about 0.51: higher targets are infeasible rows, and
    its maximum agrees with the run's infeasibility diagnosis."""
    path = ACCEPTANCE / "week-basic" / "scenario.yaml"
    r = frontier(load_problem(path), [0.3, 0.5, 0.6, 0.9])
    assert [p.status for p in r.points] == ["optimal", "optimal", "infeasible", "infeasible"]
    diag = solve(path, overrides=["carbon.cfe_target=0.6"])
    assert diag.status == "infeasible"
    assert r.max_cfe_score == pytest.approx(diag.diagnosis["max_cfe_score"], rel=1e-6)


def test_parse_range() -> None:
    assert parse_range("0:1:0.1", "--cfe", 0, 1) == pytest.approx([i / 10 for i in range(11)])
    assert parse_range("0.5,0.9", "--cfe", 0, 1) == [0.5, 0.9]
    assert parse_range("100:0:-50", "--emissions", 0) == [100.0, 50.0, 0.0]
    for bad in ("0:1:0", "1:0:0.1", "a:b", "0:1.2:0.1", ""):
        with pytest.raises(ScenarioError) as exc:
            parse_range(bad, "--cfe", 0, 1)
        assert exc.value.errors[0].field == "--cfe"


def test_write_frontier_and_section(tmp_path: Path, fake_report) -> None:  # type: ignore[no-untyped-def]
    r = frontier(load_problem(frontier_case()), [0.0, 0.5, 1.0])
    written = {p.name for p in write_frontier(r, tmp_path)}
    run, sections = fake_report[0]
    assert run.summary["total_cost"] == pytest.approx(1000.0)  # the first optimal point
    assert run.dispatch is not None and len(run.dispatch) == 2
    assert [s.title for s in sections] == ["Cost–carbon frontier"]
    assert {"frontier.csv", "frontier.json", "frontier.png", "report.html"} <= written
    header = (tmp_path / "frontier.csv").read_text().splitlines()[0].split(",")
    assert header[:1] == ["cfe_target"]
    for col in ("status", "objective", "total_cost", "cfe_score", "emissions_tco2", "cost_per_mwh"):
        assert col in header
    data = json.loads((tmp_path / "frontier.json").read_text())
    assert data["max_cfe_score"] == pytest.approx(0.5)
    assert [p["status"] for p in data["points"]] == ["optimal", "optimal", "infeasible"]
    sec = frontier_section(r)
    assert sec.title == "Cost–carbon frontier" and "data:image/png;base64," in sec.html
    assert "50.00%" in sec.html  # the highest reachable score, as the report words it


def _write_json(tmp_path: Path, sc: dict) -> Path:  # type: ignore[type-arg]
    p = tmp_path / "case.json"
    p.write_text(json.dumps(sc))
    return p


def test_cli_frontier(tmp_path: Path) -> None:
    """--set lowers the wind strike to 55: the marginal cost of clean energy falls to 5."""
    path = _write_json(tmp_path, frontier_case())
    out = tmp_path / "out"
    res = CliRunner().invoke(
        app,
        [
            "frontier",
            str(path),
            "--cfe",
            "0:1:0.25",
            "--out",
            str(out),
            "--set",
            "ppa_offers[wind].price_per_mwh=55",
        ],
    )
    assert res.exit_code == 0, res.output
    lines = (out / "frontier.csv").read_text().splitlines()
    assert len(lines) == 6
    rows = [dict(zip(lines[0].split(","), ln.split(","), strict=True)) for ln in lines[1:]]
    assert [r["status"] for r in rows] == ["optimal"] * 3 + ["infeasible"] * 2
    assert float(rows[2]["total_cost"]) == pytest.approx(1050.0)
    assert float(rows[1]["marginal_cost_per_mwh_clean"]) == pytest.approx(5.0)
    assert math.isclose(json.loads((out / "frontier.json").read_text())["max_cfe_score"], 0.5)


def test_cli_frontier_exit_codes(tmp_path: Path) -> None:
    path = _write_json(tmp_path, frontier_case())
    runner = CliRunner()
    o = str(tmp_path / "o")
    # neither --cfe nor --emissions: the default CFE range (test_frontier_auto.py)
    assert runner.invoke(app, ["frontier", str(path), "--out", o]).exit_code == 0
    both = runner.invoke(
        app, ["frontier", str(path), "--cfe", "0.5", "--emissions", "1", "--out", o]
    )
    assert both.exit_code == 2
    bad = runner.invoke(app, ["frontier", str(path), "--cfe", "0:2:0.5", "--out", o])
    assert bad.exit_code == 2 and "--cfe" in bad.output and "Traceback" not in bad.output
    refused = runner.invoke(
        app, ["frontier", str(path), "--cfe", "0.5", "--out", o, "--set", "load.mw=-3"]
    )
    assert refused.exit_code == 2 and "load.mw" in refused.output
    none = runner.invoke(app, ["frontier", str(path), "--cfe", "0.8,0.9", "--out", o])
    assert none.exit_code == 3
