"""``dcopt frontier --cfe-scale`` on a pathway: every year's CFE target scaled by one
factor f (capped at 1), one whole-pathway solve per f (docs/pathway.md, docs/decisions.md).

The case: three modelled years 2027–2029, one hour each standing for a year, r = 0, load
10 MW, grid at 50/MWh with no clean share; a pay-as-produced PPA of profile 1 at 60/MWh
(0..20 MW) contracted once for the whole horizon. With c MW contracted each year costs
8,760·(50·(10 − c) + 60·c) = 8,760·(500 + 10·c) and scores c/10. Targets 0.5 (2027),
0.8 (2028), none in 2029: the binding year needs c = 10·min(1, f·max target), and c holds
in every year, so every year scores c/10.

    f = 0:   targets 0, 0, -       c = 0    PV = 3·8,760·500 = 13,140,000
    f = 0.5: targets 0.25, 0.4, -  c = 4    PV = 3·8,760·540 = 14,191,200
    f = 1:   targets 0.5, 0.8, -   c = 8    PV = 3·8,760·580 = 15,242,400
    f = 1.5: targets 0.75, 1, -    c = 10   PV = 3·8,760·600 = 15,768,000
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import yaml
from pytest import approx
from typer.testing import CliRunner

from optimizer.cli import app
from optimizer.decisions.frontier import pathway_frontier
from optimizer.scenario import load_problem
from tests.core.helpers import scenario

HOURS = 8760.0
runner = CliRunner()


def _case(targets: bool = True) -> dict[str, Any]:
    sc = scenario(
        [10],
        price=50,
        ppa_offers=[
            {
                "name": "wind",
                "kind": "pay_as_produced",
                "profile": 1.0,
                "price_per_mwh": 60,
                "max_mw": 20,
            }
        ],
        finance={"discount_rate": 0},
    )
    y27: dict[str, Any] = {"year": 2027}
    y28: dict[str, Any] = {"year": 2028}
    if targets:
        y27["set"] = {"carbon.cfe_target": 0.5}
        y28["set"] = {"carbon.cfe_target": 0.8}
    sc["horizon"] = {"years": [y27, y28, {"year": 2029}]}
    return sc


def test_the_target_path_scaled_by_one_factor() -> None:
    r = pathway_frontier(load_problem(_case()), [0.0, 0.5, 1.0, 1.5])
    assert r.years == ["2027", "2028", "2029"]
    assert r.base_targets == {"2027": 0.5, "2028": 0.8, "2029": None}
    expect = {0.0: 0.0, 0.5: 4.0, 1.0: 8.0, 1.5: 10.0}
    for pt in r.points:
        c = expect[pt.cfe_scale]
        assert pt.status == "optimal"
        assert pt.objective == approx(3 * HOURS * (500 + 10 * c))
        for y in r.years:
            assert pt.cfe_score[y] == approx(c / 10, abs=1e-9)
        assert pt.capacity_mw["2029"]["wind"] == approx(c, abs=1e-7)
    assert r.points[1].targets == approx({"2027": 0.25, "2028": 0.4, "2029": None})
    assert r.points[3].targets["2028"] == 1.0  # 0.8·1.5 capped at 1
    assert r.points[3].targets["2029"] is None


def test_cli_writes_one_row_per_factor(tmp_path: Path) -> None:
    path = tmp_path / "pathway.yaml"
    path.write_text(yaml.safe_dump(_case()))
    out = tmp_path / "o"
    res = runner.invoke(app, ["frontier", str(path), "--cfe-scale", "0.5:1:0.5", "--out", str(out)])
    assert res.exit_code == 0, res.output
    df = pd.read_csv(out / "pathway_frontier.csv")
    assert list(df["cfe_scale"]) == [0.5, 1.0]
    assert list(df["objective"]) == approx([14_191_200.0, 15_242_400.0])
    assert list(df["cfe_target:2028"]) == approx([0.4, 0.8])
    assert df["cfe_target:2029"].isna().all()
    assert list(df["cfe_score:2027"]) == approx([0.4, 0.8])
    d = json.loads((out / "pathway_frontier.json").read_text())
    assert d["points"][1]["cfe_score"]["2029"] == approx(0.8)


def test_a_factor_beyond_reach_is_an_infeasible_row() -> None:
    """max_mw 5 caps the score at 0.5: f = 1 (2028 needs 0.8) is infeasible, f = 0.5 (0.4)
    is not: c = 4, PV 14,191,200."""
    sc = _case()
    sc["ppa_offers"][0]["max_mw"] = 5
    r = pathway_frontier(load_problem(sc), [0.5, 1.0])
    assert [p.status for p in r.points] == ["optimal", "infeasible"]
    assert r.points[0].objective == approx(14_191_200.0)
    assert r.points[1].objective is None


@pytest.mark.parametrize(
    ("make", "needle"),
    [
        (lambda: _case(targets=False), "no year of the horizon has a carbon.cfe_target"),
        (lambda: {k: v for k, v in _case().items() if k != "horizon"}, "needs a pathway"),
    ],
)
def test_cfe_scale_needs_a_target_path(tmp_path: Path, make: Any, needle: str) -> None:
    path = tmp_path / "s.yaml"
    path.write_text(yaml.safe_dump(make()))
    res = runner.invoke(app, ["frontier", str(path), "--cfe-scale", "1", "--out", str(tmp_path)])
    assert res.exit_code == 2, res.output
    assert "--cfe-scale" in res.output and needle in res.output


def test_cfe_scale_refuses_a_negative_factor_and_other_flags(tmp_path: Path) -> None:
    path = tmp_path / "s.yaml"
    path.write_text(yaml.safe_dump(_case()))
    res = runner.invoke(app, ["frontier", str(path), "--cfe-scale", "-1,1", "--out", str(tmp_path)])
    assert res.exit_code == 2 and "--cfe-scale" in res.output
    res = runner.invoke(
        app, ["frontier", str(path), "--cfe-scale", "1", "--cfe", "0.5", "--out", str(tmp_path)]
    )
    assert res.exit_code == 2 and "alone" in res.output


def test_cfe_on_a_pathway_is_the_same_target_in_every_year() -> None:
    """``--cfe x`` on a pathway replaces every year's target by x (before, only the first
    year's row moved and 2028's 0.8 kept binding): c = 10·x, PV = 3·8,760·(500 + 100·x):
    x = 0.3 → 13,928,400; x = 0.6 → 14,716,800."""
    from optimizer.decisions import frontier

    r = frontier(load_problem(_case()), [0.3, 0.6])
    assert [p.objective for p in r.points] == approx([13_928_400.0, 14_716_800.0])
    assert r.max_cfe_score is None
    with pytest.raises(ValueError, match="no default CFE range"):
        frontier(load_problem(_case()), None)


def test_cfe_on_a_scenario_set_holds_in_every_scenario() -> None:
    """tests/cases/test_risk.py's case at ω = 0.1 (α = 0.5), no clean grid: the PPA is the
    only clean supply, score c/10 in both scenarios. Objective 0.9·(600 + 5c) +
    0.1·(1000 − 35c) = 640 + c; a target x needs c = 10·x: x = 0.5 → 645."""
    from optimizer.decisions import frontier
    from tests.cases.test_risk import risk_case

    r = frontier(load_problem(risk_case(0.1)), [0.0, 0.5])
    assert [p.objective for p in r.points] == approx([640.0, 645.0])


def test_cli_frontier_without_cfe_on_a_pathway_asks_for_a_range(tmp_path: Path) -> None:
    path = tmp_path / "s.yaml"
    path.write_text(yaml.safe_dump(_case()))
    res = runner.invoke(app, ["frontier", str(path), "--out", str(tmp_path / "o")])
    assert res.exit_code == 2, res.output
    assert "--cfe" in res.output and "--cfe-scale" in res.output


def test_warm_bound_moves_give_the_rebuilt_points() -> None:
    """The warm path (one LP, the CFE rows' bounds moved) and a rebuild per point give the
    same rows, infeasible point included (max_mw 5: f = 1 needs 0.8 in 2028)."""
    sc = _case()
    sc["ppa_offers"][0]["max_mw"] = 5
    factors = [1.0, 0.0, 0.5, 0.6]
    warm = pathway_frontier(load_problem(sc), factors)
    cold = pathway_frontier(load_problem(sc), factors, warm_start=False)
    assert [p.cfe_scale for p in warm.points] == [0.0, 0.5, 0.6, 1.0]  # ascending
    assert [p.status for p in warm.points] == [p.status for p in cold.points]
    assert [p.status for p in warm.points] == ["optimal"] * 3 + ["infeasible"]
    for w, c in zip(warm.points, cold.points, strict=True):
        assert w.targets == c.targets
        if w.status == "optimal":
            assert w.objective == approx(c.objective, rel=1e-9)
            assert w.cfe_score == approx(c.cfe_score)
    # f = 0.6: targets 0.3, 0.48 → c = 4.8: PV 3·8,760·548 = 14,401,440
    assert warm.points[2].objective == approx(14_401_440.0)


def test_cli_cold_rebuilds_each_point_with_the_same_rows(tmp_path: Path) -> None:
    path = tmp_path / "pathway.yaml"
    path.write_text(yaml.safe_dump(_case()))
    res = runner.invoke(
        app,
        ["frontier", str(path), "--cfe-scale", "1,0.5", "--cold", "--out", str(tmp_path / "o")],
    )
    assert res.exit_code == 0, res.output
    df = pd.read_csv(tmp_path / "o" / "pathway_frontier.csv")
    assert list(df["cfe_scale"]) == [0.5, 1.0]  # ascending
    assert list(df["objective"]) == approx([14_191_200.0, 15_242_400.0])
