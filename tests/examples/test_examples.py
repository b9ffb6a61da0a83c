"""The bundled Greensboro example: found, written, consistent, valid, and a week of it solves."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from optimizer.errors import ScenarioError
from optimizer.examples import data_dir, example_dir, write_example
from optimizer.scenario import load_problem
from optimizer.solve import solve

REPO = Path(__file__).resolve().parents[2]


def test_data_is_found_in_the_clone() -> None:
    assert data_dir() == REPO / "data"
    assert (example_dir("greensboro") / "scenario.yaml").is_file()
    with pytest.raises(ScenarioError, match="no bundled example"):
        example_dir("atlantis")


def test_bundled_parquet_is_what_the_build_script_makes() -> None:
    """data/greensboro/grid.parquet equals a fresh run of data/build_greensboro.py."""
    spec = importlib.util.spec_from_file_location(
        "build_greensboro", REPO / "data" / "build_greensboro.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    fresh = module.build()
    shipped = pd.read_parquet(REPO / "data" / "greensboro" / "grid.parquet")
    pd.testing.assert_frame_equal(fresh, shipped, check_exact=False, rtol=1e-9)
    # annual figures the README cites: load-weighted intensity 0.28 t/MWh, CFE share ~0.59
    assert shipped["grid_cfe_share"].between(0, 1).all()
    assert 0.55 < shipped["grid_cfe_share"].mean() < 0.62


def test_full_example_validates(tmp_path: Path) -> None:
    """All 8760 steps resolve; the load model's peak is IT·utilisation·growth·PUE-bounded:
    at most 200·(0.6·0.9 + 0.4·0.55·1.35)·1.15·(1.15 + 0.012·(35.6 − 18)) ≈ 257 MW."""
    write_example("greensboro", tmp_path)
    p = load_problem(tmp_path / "scenario.yaml")
    assert p.periods == 8760
    assert str(p.time.index.tz) == "America/New_York"
    assert 150 < p.load_mw.mean() < p.load_mw.max() < 258
    assert p.it_load_mw is not None and np.all(p.it_load_mw < p.load_mw)
    assert [o.name for o in p.ppas] == ["wind-ppa", "solar-ppa", "wind-vppa"]


def test_week_slice_solves_and_matches_independent_load(tmp_path: Path) -> None:
    """A 168-step slice (scenario and series cut together) solves to the CFE target, and the
    served load equals the load model evaluated independently on the raw TMY3 temperatures:
    1 January 00:00 EST is row 0 of the file."""
    written = write_example("greensboro", tmp_path, periods=168)
    assert {p.name for p in written} >= {"scenario.yaml", "grid.parquet", "README.md"}
    scenario = yaml.safe_load((tmp_path / "scenario.yaml").read_text())
    assert scenario["site"]["periods"] == 168
    assert len(pd.read_parquet(tmp_path / "grid.parquet")) == 168

    result = solve(tmp_path / "scenario.yaml")
    assert result.status == "optimal", result.message
    assert result.summary["cfe_score"] >= 0.85 - 1e-6

    raw = pd.read_csv(
        Path(__import__("pvlib").__file__).parent / "data" / "723170TYA.CSV", skiprows=1
    )
    temp = raw["Dry-bulb (C)"].to_numpy()[:168]
    hours = np.arange(168)
    hour_of_day = hours % 24  # January: EST, local hour = row hour
    u_inf = 0.55 * (1 + 0.35 * np.cos(2 * np.pi * (hour_of_day - 20) / 24))
    it = 200 * (0.6 * 0.9 + 0.4 * u_inf) * 1.15 ** (hours / 8760)
    load = it * (1.15 + 0.012 * np.maximum(0, temp - 18))
    assert result.summary["served_load_mwh"] == pytest.approx(load.sum(), rel=1e-6)


def test_bad_slice_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ScenarioError) as info:
        write_example("greensboro", tmp_path, periods=9000)
    assert info.value.errors[0].field == "periods"
