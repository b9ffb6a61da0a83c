"""The sweep file: how cases are formed, case ids, validation of every case before any solve,
and the scenario hash. No solves here."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from optimizer.batch import plan_batch, read_sweep
from optimizer.batch.cases import prepare_cases
from optimizer.batch.sweep import case_id_for
from optimizer.cli import app
from optimizer.errors import ScenarioError

from .conftest import write_sweep

WIND = "ppa_offers[wind-a].price_per_mwh"
CFE = "carbon.cfe_target"
CAP = "ppa_offers[wind-a].max_mw"


def test_zip_crossed_with_product_in_documented_order(inputs: Path) -> None:
    """zip rows (2) x product combinations (2 x 2) = 8 cases, the zip row varying slowest and
    the product's first key slower than its second (itertools.product order), written out
    by hand below."""
    path = write_sweep(
        inputs.parent,
        f"""base: inputs/scenario.yaml
zip:
  {WIND}: [40, 50]
  {CAP}: [100, 110]
product:
  {CFE}: [0.7, 0.9]
  site.grid_import_limit_mw: [200, 250]
""",
    )
    sweep = read_sweep(path)
    assert sweep.paths == [WIND, CAP, CFE, "site.grid_import_limit_mw"]
    assert sweep.base_path == (inputs / "scenario.yaml").resolve()
    got = [
        (
            c.case_id,
            c.overrides[WIND],
            c.overrides[CAP],
            c.overrides[CFE],
            c.overrides["site.grid_import_limit_mw"],
        )
        for c in sweep.cases
    ]
    assert got == [
        ("case-0001", 40, 100, 0.7, 200),
        ("case-0002", 40, 100, 0.7, 250),
        ("case-0003", 40, 100, 0.9, 200),
        ("case-0004", 40, 100, 0.9, 250),
        ("case-0005", 50, 110, 0.7, 200),
        ("case-0006", 50, 110, 0.7, 250),
        ("case-0007", 50, 110, 0.9, 200),
        ("case-0008", 50, 110, 0.9, 250),
    ]
    # the same file gives the same ids again
    assert [c.case_id for c in read_sweep(path).cases] == [c[0] for c in got]


def test_case_id_width_grows_with_the_sweep() -> None:
    assert case_id_for(0, 20) == "case-0001"
    assert case_id_for(9999, 10000) == "case-10000"
    assert case_id_for(41, 12000) == "case-00042"


def test_sweep_file_errors_are_reported_together(inputs: Path) -> None:
    """Unknown key, lists of different lengths, a key in both zip and product, an empty list:
    one ScenarioError with one line each."""
    path = write_sweep(
        inputs.parent,
        f"""base: inputs/scenario.yaml
cases: 3
zip:
  {WIND}: [40, 50]
  {CAP}: [100, 110, 120]
product:
  {WIND}: [1]
  {CFE}: []
""",
    )
    with pytest.raises(ScenarioError) as info:
        read_sweep(path)
    fields = [e.field for e in info.value.errors]
    assert fields == [
        "sweep.cases",
        f"sweep.product.{CFE}",
        f"sweep.product.{WIND}",
        "sweep.zip",
    ]
    assert "one length" in info.value.errors[-1].message
    assert f"{WIND}: 2" in info.value.errors[-1].message


def test_missing_base_and_table_with_product(inputs: Path) -> None:
    path = write_sweep(inputs.parent, "base: nowhere.yaml\ntable: t.csv\nproduct: {a: [1]}\n")
    with pytest.raises(ScenarioError) as info:
        read_sweep(path)
    assert [e.field for e in info.value.errors] == ["sweep.base", "sweep.table"]
    assert "no such file" in info.value.errors[0].message


def test_csv_table_cells_read_like_set_and_blank_keeps_base(inputs: Path) -> None:
    """CSV cells are YAML scalars as in --set; an empty cell leaves the base value (46 for the
    wind price and 0.8 for the CFE target in week-contracts/scenario.yaml)."""
    (inputs.parent / "cases.csv").write_text(
        f"{WIND},{CFE},name\n52,null,a\n,0.95,b\n44.5,,c\n", encoding="utf-8"
    )
    path = write_sweep(inputs.parent, "base: inputs/scenario.yaml\ntable: cases.csv\n")
    sweep = read_sweep(path)
    assert [c.overrides for c in sweep.cases] == [
        {WIND: 52, CFE: None, "name": "a"},
        {CFE: 0.95, "name": "b"},
        {WIND: 44.5, "name": "c"},
    ]
    cases = prepare_cases(sweep)
    wind = [next(p for p in c.scenario["ppa_offers"] if p["name"] == "wind-a") for c in cases]
    assert [w["price_per_mwh"] for w in wind] == [52, 46, 44.5]
    assert [c.scenario["carbon"].get("cfe_target") for c in cases] == [None, 0.95, 0.8]


def test_parquet_table(inputs: Path) -> None:
    pd.DataFrame({WIND: [50.0, float("nan")], CFE: [0.9, 0.7]}).to_parquet(
        inputs.parent / "cases.parquet"
    )
    path = write_sweep(inputs.parent, "base: inputs/scenario.yaml\ntable: cases.parquet\n")
    assert [c.overrides for c in read_sweep(path).cases] == [{WIND: 50.0, CFE: 0.9}, {CFE: 0.7}]


def test_every_invalid_case_is_reported_before_any_solve(inputs: Path, tmp_path: Path) -> None:
    """4 cases, 3 of them invalid for different reasons: one error each, naming the case and
    the field; nothing is written to --out (no solve started); the CLI exits 2."""
    path = write_sweep(
        inputs.parent,
        f"""base: inputs/scenario.yaml
zip:
  {CFE}: [0.8, 1.5, 0.9, 0.9]
  ppa_offers[wind-a].kind: [pay_as_produced, pay_as_produced, hourly, pay_as_produced]
  load.mw: [load_mw, load_mw, load_mw, no_such_column]
""",
    )
    out = tmp_path / "out"
    with pytest.raises(ScenarioError) as info:
        plan_batch(path, out)
    fields = [e.field for e in info.value.errors]
    assert fields == [
        "cases[case-0002].carbon.cfe_target",
        "cases[case-0003].ppa_offers[wind-a].kind",
        "cases[case-0004].load.mw",
    ]
    assert "less than or equal to 1" in info.value.errors[0].message
    assert "no_such_column" in info.value.errors[2].message
    assert 'load.mw="no_such_column"' in info.value.errors[2].message
    assert not out.exists()

    res = CliRunner().invoke(app, ["batch", str(path), "--out", str(out)])
    assert res.exit_code == 2, res.output
    for f in fields:
        assert f in res.output
    assert "Traceback" not in res.output


def test_scenario_hash_follows_content_not_layout(inputs: Path) -> None:
    """Reordering YAML keys or moving the series file keeps the hash; editing one series value
    or one scenario value changes it."""
    base = write_sweep(inputs.parent, f"base: inputs/scenario.yaml\nproduct:\n  {WIND}: [46, 47]\n")
    h_46, h_47 = (c.scenario_hash for c in prepare_cases(read_sweep(base)))
    assert h_46 != h_47

    # same content elsewhere, keys in another order: same hash
    moved = inputs.parent / "moved"
    moved.mkdir()
    (moved / "data").mkdir()
    (moved / "data" / "p.csv").write_bytes((inputs / "profiles.csv").read_bytes())
    text = (inputs / "scenario.yaml").read_text(encoding="utf-8")
    head, rest = text.split("site:", 1)
    (moved / "s.yaml").write_text(
        "site:" + rest.replace("file: profiles.csv", "file: data/p.csv") + head,
        encoding="utf-8",
    )
    other = write_sweep(inputs.parent, f"base: moved/s.yaml\nproduct:\n  {WIND}: [46]\n", "b.yaml")
    assert prepare_cases(read_sweep(other))[0].scenario_hash == h_46

    # one series value edited: another hash
    csv = inputs / "profiles.csv"
    lines = csv.read_text(encoding="utf-8").splitlines()
    cells = lines[5].split(",")
    cells[1] = str(float(cells[1]) + 1.0)
    lines[5] = ",".join(cells)
    csv.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert prepare_cases(read_sweep(base))[0].scenario_hash != h_46
