"""The buyer's question (docs/compliance.md, "Cheapest EnEfG compliance and the price of
hourly matching"), answered by the documented commands on a small case.

Case: 4 steps of 10 MW (IT 8 MW, PUE 1.25) at 50/MWh; annual GOs at 1/MWh and hourly
certificates at 6/MWh (at most 10 MW). EnEfG 2027 needs 100 % renewable on an annual balance:
40 MWh of GOs → 2000 + 40 = 2040. Hourly matching needs a certificate in every step:
40 MWh·6 = 240 → 2240, so hourly matching costs 200 on top.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from optimizer.cli import app
from tests.certificates.cases import annual_go, case, hourly_go
from tests.core.helpers import write_files

runner = CliRunner()


@pytest.fixture
def scenario_file(tmp_path: Path) -> Path:
    sc = case(certificate_offers=[annual_go(), hourly_go(price=6.0, max_mw=10)])
    sc["load"]["it_mw"] = 8.0
    return write_files(sc, tmp_path / "site")


def test_frontier_answers_enefg_cost_and_hourly_premium(
    scenario_file: Path, tmp_path: Path
) -> None:
    out = tmp_path / "frontier"
    res = runner.invoke(
        app,
        [
            "frontier",
            str(scenario_file),
            "--set",
            "compliance=[enefg_2027]",
            "--renewable-share",
            "1",
            "--matching",
            "annual,hourly",
            "--out",
            str(out),
        ],
    )
    assert res.exit_code == 0, res.output
    with (out / "frontier.csv").open() as fh:
        rows = list(csv.DictReader(fh))
    assert [r["renewable_matching"] for r in rows] == ["annual", "hourly"]
    assert float(rows[0]["total_cost"]) == pytest.approx(2040.0)
    assert float(rows[1]["total_cost"]) == pytest.approx(2240.0)
    assert float(rows[1]["premium"]) == pytest.approx(200.0)
    data = json.loads((out / "frontier.json").read_text())
    assert data["points"][0]["compliance"]["enefg_2027"]["pass"] is True


def test_run_answers_the_same_with_the_rule_sets(scenario_file: Path, tmp_path: Path) -> None:
    """``dcopt run --set compliance=[enefg_2027]`` → 2040; adding ghg_scope2_hourly (the
    share matched hourly with certificates of the site's zone) → 2240."""
    totals = []
    for rules in ("[enefg_2027]", "[enefg_2027, ghg_scope2_hourly]"):
        out = tmp_path / rules.strip("[]").replace(", ", "+")
        res = runner.invoke(
            app, ["run", str(scenario_file), "--set", f"compliance={rules}", "--out", str(out)]
        )
        assert res.exit_code == 0, res.output
        s = json.loads((out / "summary.json").read_text())
        totals.append(s["total_cost"])
        assert all(v["pass"] for v in s["compliance"].values())
    assert totals == pytest.approx([2040.0, 2240.0])


def test_unreachable_rule_exits_3_with_the_best_value(scenario_file: Path, tmp_path: Path) -> None:
    """Without hourly certificates (max_mw 5) hourly matching reaches 5/10 = 0.5 at best."""
    res = runner.invoke(
        app,
        [
            "run",
            str(scenario_file),
            "--set",
            "compliance=[enefg_2027, ghg_scope2_hourly]",
            "--set",
            "certificate_offers[dk-hourly].max_mw=5",
            "--out",
            str(tmp_path / "x"),
        ],
    )
    assert res.exit_code == 3
    assert "0.5000" in res.output
