"""The batch's files a person reads: results.parquet's currency, imports by offer and cost
breakdown against each case's summary.json; summary.txt's currency; summary.png's grey
bars for cases that were not solved (the legend's promise) and money axes in millions."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from optimizer.batch import run_batch
from optimizer.batch.summary import money_scale, summary_figure

from .conftest import write_sweep

EMIS = "carbon.max_emissions_tco2"
CFE = "carbon.cfe_target"


@pytest.fixture
def euro_inputs(inputs: Path) -> Path:
    scenario = inputs / "scenario.yaml"
    scenario.write_text("currency: EUR\n" + scenario.read_text(), encoding="utf-8")
    return inputs


def test_results_columns_equal_case_summaries(euro_inputs: Path, tmp_path: Path) -> None:
    """Three cases, the middle one infeasible (an emissions cap of 0)."""
    sweep = write_sweep(
        euro_inputs.parent,
        f"base: inputs/scenario.yaml\nzip:\n  {EMIS}: [null, 0, null]\n  {CFE}: [0.8, 0.8, 0.9]\n",
    )
    out = tmp_path / "out"
    frame = run_batch(sweep, out, workers=1)
    assert list(frame["status"]) == ["optimal", "infeasible", "optimal"]
    table = pd.read_parquet(out / "results.parquet")
    assert list(table["currency"]) == ["EUR", "EUR", "EUR"]

    import_cols = [c for c in table.columns if c.startswith("grid_import_mwh:")]
    cost_cols = [c for c in table.columns if c.startswith("cost_") and c != "cost_per_mwh"]
    assert import_cols and cost_cols
    for i, case_id in enumerate(table["case_id"]):
        s = json.loads((out / "cases" / case_id / "summary.json").read_text())
        row = table.iloc[i]
        if s["status"] != "optimal":
            assert all(pd.isna(row[c]) for c in import_cols + cost_cols)
            continue
        assert s["currency"] == "EUR"
        assert {f"grid_import_mwh:{k}" for k in s["grid_import_mwh"]} == set(import_cols)
        for offer, mwh in s["grid_import_mwh"].items():
            assert row[f"grid_import_mwh:{offer}"] == pytest.approx(mwh, rel=1e-12, abs=1e-9)
        assert {f"cost_{k}" for k in s["cost_breakdown"]} == set(cost_cols)
        for category, value in s["cost_breakdown"].items():
            assert row[f"cost_{category}"] == pytest.approx(value, rel=1e-12, abs=1e-9)
        # the breakdown adds up to the total cost
        assert sum(row[c] for c in cost_cols) == pytest.approx(row["total_cost"], rel=1e-9)
        assert sum(row[c] for c in import_cols) > 0

    text = (out / "summary.txt").read_text()
    cheapest = table["total_cost"].min()
    assert f"lowest total cost:  EUR {cheapest:,.0f}" in text
    assert f"highest total cost: EUR {table['total_cost'].max():,.0f}" in text

    fig = summary_figure(table)
    ax_case, ax_xy = fig.axes[0], fig.axes[1]
    factor, word = money_scale(table["total_cost"].to_numpy(dtype=float))
    assert ax_case.get_ylabel() == f"total cost (EUR {word})"
    assert ax_xy.get_ylabel() == f"total cost (EUR {word})"
    grey = [p for p in ax_case.patches if p.get_hatch() == "//"]
    assert len(grey) == 1  # the infeasible case is drawn, at x = 1, full height
    assert grey[0].get_x() + grey[0].get_width() / 2 == pytest.approx(1.0)
    assert grey[0].get_height() == pytest.approx(table["total_cost"].max() / factor)
    assert [t.get_text() for t in ax_case.texts] == ["infeasible"]
    solid = [p for p in ax_case.patches if p.get_hatch() is None]
    heights = sorted(p.get_height() for p in solid)
    assert heights == pytest.approx(sorted(table["total_cost"].dropna() / factor))
    assert (out / "summary.png").stat().st_size > 1000


def test_money_scale_words() -> None:
    assert money_scale(np.array([2.5e6, 9.1e7])) == (1e6, "million")
    assert money_scale(np.array([3.2e9])) == (1e9, "billion")
    assert money_scale(np.array([4500.0, np.nan])) == (1e3, "thousand")
    assert money_scale(np.array([12.0])) == (1.0, "")
