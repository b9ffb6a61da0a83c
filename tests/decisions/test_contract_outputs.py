"""The files of CONTRACT section 6 carry the contract's columns and keys, contract ones first."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from typer.testing import CliRunner

from optimizer.cli import app
from tests.conftest import ACCEPTANCE

FRONTIER_COLUMNS = [
    "cfe_target",
    "status",
    "objective",
    "total_cost",
    "cfe_score",
    "emissions_tco2",
    "cost_per_mwh",
]


def test_frontier_csv_starts_with_the_contract_columns(tmp_path: Path) -> None:
    scenario = ACCEPTANCE / "week-contracts" / "scenario.yaml"
    res = CliRunner().invoke(
        app, ["frontier", str(scenario), "--cfe", "0.8:1.0:0.1", "--out", str(tmp_path)]
    )
    assert res.exit_code == 0, res.output
    with (tmp_path / "frontier.csv").open() as fh:
        rows = list(csv.reader(fh))
    assert rows[0][: len(FRONTIER_COLUMNS)] == FRONTIER_COLUMNS
    assert [r[0] for r in rows[1:]] == ["0.8", "0.9", "1.0"]
    # 0.8 is the scenario's own target: the point equals the acceptance answer
    assert abs(float(rows[1][2]) - 854672.8594878613) / 854672.8594878613 < 1e-6
    meta = json.loads((tmp_path / "frontier.json").read_text())
    assert 0.99 <= meta["max_cfe_score"] <= 1.0


def test_compare_json_items_carry_the_contract_keys(tmp_path: Path) -> None:
    scenario = ACCEPTANCE / "week-contracts" / "scenario.yaml"
    res = CliRunner().invoke(app, ["compare", str(scenario), "--out", str(tmp_path)])
    assert res.exit_code == 0, res.output
    data = json.loads((tmp_path / "compare.json").read_text())
    assert data["base"]["status"] == "optimal"
    names = {i["name"] for i in data["items"]}
    assert names == {"utility-tou", "index", "wind-a", "firm-block", "solar-vppa", "battery"}
    for item in data["items"]:
        for key in ("name", "kind", "chosen_mw", "value", "marginal_value_per_mw_year"):
            assert key in item
        if item["name"] in ("wind-a", "firm-block", "solar-vppa"):
            assert item["breakeven_price_per_mwh"] is not None
        assert item["value"] is None or item["value"] >= -1e-6 * abs(data["base"]["objective"])
