"""The default CFE range of the frontier: from the unconstrained run's score (rounded down
to the step) to the best reachable score."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from optimizer.cli import app
from optimizer.decisions import frontier
from optimizer.decisions.frontier import auto_targets
from optimizer.scenario import load_problem
from tests.decisions.cases import frontier_case


def _case() -> dict[str, object]:
    """frontier_case with a grid CFE share of 0.23: buying only grid (the cheapest) scores
    0.23; the wind PPA (profile [1, 0], up to 20 MW) can make step 0 fully clean, so the best
    is (10 + 0.23·10)/20 = 0.615. Clean MWh = 4.6 + 0.77·w for w MWh of wind at 10 more per
    MWh than grid: cost = 1000 + 10·(20x − 4.6)/0.77 once the target x binds."""
    sc = frontier_case()
    sc["grid"]["cfe_share"] = 0.23  # type: ignore[index]
    return sc


def test_auto_targets_grid() -> None:
    assert auto_targets(0.23, 0.615) == pytest.approx(
        [0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6, 0.615]
    )
    assert auto_targets(0.5, 0.6) == pytest.approx([0.5, 0.55, 0.6])  # on the grid: no extra
    assert auto_targets(0.91, 0.93, step=0.02) == pytest.approx([0.9, 0.92, 0.93])
    assert auto_targets(0.8, 0.8) == pytest.approx([0.8])


def test_default_range_starts_where_the_target_binds() -> None:
    r = frontier(load_problem(_case()), None)
    assert r.unconstrained_cfe_score == pytest.approx(0.23)
    assert r.max_cfe_score == pytest.approx(0.615)
    targets = [p.cfe_target for p in r.points]
    assert targets == pytest.approx([0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6, 0.615])
    assert all(p.status == "optimal" for p in r.points)
    # 0.2 does not bind: the unconstrained optimum (grid only, 20 MWh at 50)
    assert r.points[0].total_cost == pytest.approx(1000.0)
    assert r.points[0].cfe_score == pytest.approx(0.23)
    for p in r.points[1:]:
        assert p.cfe_score == pytest.approx(p.cfe_target, abs=1e-7)
        assert p.total_cost == pytest.approx(1000 + 10 * (20 * p.cfe_target - 4.6) / 0.77)
    assert r.points[-1].total_cost == pytest.approx(1100.0)  # w = 10 MWh


def test_cli_without_cfe_uses_the_default_range(tmp_path: Path) -> None:
    scenario = tmp_path / "s.json"
    scenario.write_text(json.dumps(_case()))
    out = tmp_path / "fr"
    res = CliRunner().invoke(app, ["frontier", str(scenario), "--out", str(out)])
    assert res.exit_code == 0, res.output
    assert "without a target: 0.2300" in res.output
    data = json.loads((out / "frontier.json").read_text())
    assert data["unconstrained_cfe_score"] == pytest.approx(0.23)
    assert [p["cfe_target"] for p in data["points"]][:2] == pytest.approx([0.2, 0.25])

    out2 = tmp_path / "fr2"
    res = CliRunner().invoke(app, ["frontier", str(scenario), "--cfe", "auto:0.1", "-o", str(out2)])
    assert res.exit_code == 0, res.output
    data = json.loads((out2 / "frontier.json").read_text())
    assert [p["cfe_target"] for p in data["points"]] == pytest.approx(
        [0.2, 0.3, 0.4, 0.5, 0.6, 0.615]
    )
    bad = CliRunner().invoke(app, ["frontier", str(scenario), "--cfe", "auto:2", "-o", str(out2)])
    assert bad.exit_code == 2
