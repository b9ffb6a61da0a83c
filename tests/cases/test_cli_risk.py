"""``dcopt run --vss`` and ``dcopt frontier --risk-weight`` on the hand-solved risk case
(tests/cases/test_risk.py has the derivation: RP 650, EEV 680, WS 470; E/CVaR 600/1000 for
ω below 1/8 and 650/650 above)."""

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
from tests.cases.test_risk import risk_case

runner = CliRunner()


def _file(tmp_path: Path, omega: float) -> Path:
    path = tmp_path / "risk.yaml"
    path.write_text(yaml.safe_dump(risk_case(omega)))
    return path


def test_run_vss_writes_stochastic_values_and_hedges(tmp_path: Path) -> None:
    r = runner.invoke(
        app, ["run", str(_file(tmp_path, 0.2)), "--out", str(tmp_path / "o"), "--vss"]
    )
    assert r.exit_code == 0, r.output
    s = json.loads((tmp_path / "o" / "summary.json").read_text())
    assert s["stochastic"]["vss"] == approx(30.0)
    assert s["stochastic"]["evpi"] == approx(180.0)
    assert s["hedges"]["firm"]["cvar_change"] == approx(-350.0)
    html = (tmp_path / "o" / "report.html").read_text()
    assert "worst-case" in html


def test_vss_needs_a_scenario_set(tmp_path: Path) -> None:
    sc = risk_case(0.2)
    sc.pop("uncertainty")
    path = tmp_path / "plain.yaml"
    path.write_text(yaml.safe_dump(sc))
    r = runner.invoke(app, ["run", str(path), "--out", str(tmp_path / "o"), "--vss"])
    assert r.exit_code == 2
    assert "--vss" in r.output


def test_frontier_risk_weight(tmp_path: Path) -> None:
    out = tmp_path / "rf"
    r = runner.invoke(
        app,
        ["frontier", str(_file(tmp_path, 0.0)), "--risk-weight", "0,0.1,0.2,1", "--out", str(out)],
    )
    assert r.exit_code == 0, r.output
    df = pd.read_csv(out / "risk_frontier.csv")
    assert list(df["expected_cost"]) == approx([600, 600, 650, 650])
    assert list(df["cvar_cost"]) == approx([1000, 1000, 650, 650])


def _three(tmp_path: Path) -> tuple[Path, dict[str, Any]]:
    """week-contracts' three spot scenarios (ω = 0.5) as a file in ``tmp_path``, and its
    mapping (tests/cases/test_decomposition.py, ``week_three``)."""
    from tests.cases.test_decomposition import WEEK, week_three

    raw = week_three(0.5)
    raw["series"]["file"] = str(WEEK / raw["series"]["file"])
    path = tmp_path / "three.yaml"
    path.write_text(yaml.safe_dump(raw))
    return path, raw


def test_run_screening_decompose_flag(tmp_path: Path) -> None:
    """``--decompose`` with ``--screening`` solves week-contracts' three spot scenarios
    (ω = 0.5, 1 typical day a month: 4 days) by scenario decomposition and says so in
    summary.json, with the objective of ``--no-decompose`` (one LP) to 1e-6."""
    path, _ = _three(tmp_path)
    summaries = {}
    for flag in ("--decompose", "--no-decompose"):
        out = tmp_path / flag
        args = ["run", str(path), "--screening", flag, "--days-per-month", "1", "--out", str(out)]
        r = runner.invoke(app, args)
        assert r.exit_code == 0, r.output
        summaries[flag] = json.loads((out / "summary.json").read_text())
    dec, de = summaries["--decompose"], summaries["--no-decompose"]
    assert dec["solver"]["method"] == "scenario decomposition (multi-cut Benders)"
    assert "method" not in de["solver"]
    assert dec["objective"] == approx(de["objective"], rel=1e-6)
    assert dec["risk"]["cvar_cost"] == approx(de["risk"]["cvar_cost"], rel=1e-6)


def test_a_full_run_decomposes_a_scenario_set(tmp_path: Path) -> None:
    """``dcopt run --decompose`` (no screening) solves week-contracts' three spot scenarios
    (ω = 0.5) by scenario decomposition: summary.json says so and has the DE's objective,
    CVaR, per-scenario costs and PPA settlement quantiles to 1e-6 (the DE: the same run
    without the flag);
    dispatch.parquet holds every scenario's 168 steps under a ``scenario`` column with the
    DE's columns, and the report is written. On a file without scenarios the flag is
    refused (exit 2) naming it."""
    path, raw = _three(tmp_path)
    outs = {}
    for flag in ("--decompose", "--no-decompose"):
        out = tmp_path / flag
        r = runner.invoke(app, ["run", str(path), flag, "--out", str(out)])
        assert r.exit_code == 0, r.output
        assert (out / "report.html").stat().st_size > 0
        outs[flag] = (
            json.loads((out / "summary.json").read_text()),
            pd.read_parquet(out / "dispatch.parquet"),
        )
    (dec, ddec), (de, dde) = outs["--decompose"], outs["--no-decompose"]
    assert dec["solver"]["method"] == "scenario decomposition (multi-cut Benders)"
    assert dec["solver"]["converged"] is True
    assert dec["objective"] == approx(de["objective"], rel=1e-6)
    assert dec["risk"]["cvar_cost"] == approx(de["risk"]["cvar_cost"], rel=1e-6)
    for name, s in de["scenarios"].items():
        assert dec["scenarios"][name]["total_cost"] == approx(s["total_cost"], rel=1e-6)
    for ppa, m in de["ppa_metrics"].items():  # the settlement's distribution, both ways
        for key in ("p10", "p50", "p90", "expected"):
            got = dec["ppa_metrics"][ppa]["settlement"][key]
            assert got == approx(m["settlement"][key], rel=1e-6, abs=1e-3)
    assert list(ddec.columns) == list(dde.columns)
    assert ddec["scenario"].value_counts().to_dict() == {"base": 168, "low": 168, "high": 168}
    plain = tmp_path / "plain.yaml"
    raw.pop("uncertainty")
    plain.write_text(yaml.safe_dump(raw))
    r = runner.invoke(app, ["run", str(plain), "--decompose", "--out", str(tmp_path / "e")])
    assert r.exit_code == 2
    assert "--decompose" in r.output


def test_screening_refuses_a_horizon_shorter_than_a_day(tmp_path: Path) -> None:
    """Typical days need one whole day: the one-step risk case is refused (exit 2, naming
    --screening), not a traceback."""
    r = runner.invoke(
        app, ["run", str(_file(tmp_path, 0.2)), "--screening", "--out", str(tmp_path / "o")]
    )
    assert r.exit_code == 2
    assert "--screening" in r.output and "whole day" in r.output


def test_a_full_run_decomposes_by_default_above_the_interior_points_range(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without a flag, ``dcopt run`` decomposes a scenario set whose steps together exceed
    ``IPM_MIN_PERIODS``: week-contracts' three scenarios have 3 × 168 = 504 steps, so with
    the boundary at 600 the run solves the DE and at 500 it decomposes (the same objective
    to 1e-6); a scenario without a set never decomposes, asked or not."""
    import optimizer.solve as solve_module
    from optimizer.scenario import load_problem

    path, raw = _three(tmp_path)
    problem = load_problem(path)
    summaries = {}
    for boundary in (600, 500):
        monkeypatch.setattr(solve_module, "IPM_MIN_PERIODS", boundary)
        assert solve_module.decomposes(problem) is (boundary == 500)
        out = tmp_path / str(boundary)
        r = runner.invoke(app, ["run", str(path), "--out", str(out)])
        assert r.exit_code == 0, r.output
        summaries[boundary] = json.loads((out / "summary.json").read_text())
    assert "method" not in summaries[600]["solver"]
    assert summaries[500]["solver"]["method"] == "scenario decomposition (multi-cut Benders)"
    assert summaries[500]["objective"] == approx(summaries[600]["objective"], rel=1e-6)
    monkeypatch.setattr(solve_module, "IPM_MIN_PERIODS", 1)
    raw.pop("uncertainty")
    plain = tmp_path / "plain.yaml"
    plain.write_text(yaml.safe_dump(raw))
    assert solve_module.decomposes(load_problem(plain)) is False
    assert solve_module.decomposes(load_problem(plain), True) is False
