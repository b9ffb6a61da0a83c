"""``dcopt scenarios``: the series files it writes (columns, timestamps, values scaled as
asked) and the ``uncertainty:`` block, which ``load_study`` must accept. Expected values
are computed here from the base file and the documented rules (docs/risk.md)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import yaml
from pytest import approx
from typer.testing import CliRunner

from optimizer.cli import app
from optimizer.errors import ScenarioError
from optimizer.scenario.study import load_study
from optimizer.scenarios_gen import (
    SHOCKS,
    load_scenarios,
    spot_scenarios,
    weather_scenarios,
)
from tests.core.helpers import scenario, write_files

SPOT = [30.0 + 2.0 * h for h in range(48)]


def _base(tmp_path: Path, **kw: Any) -> Path:
    """48 hours from 31 January 2027 (UTC): one day in January, one in February; a spot
    column, an export price at spot, a solar column."""
    sc = scenario(
        [10.0 + (h % 24) / 10 for h in range(48)],
        start="2027-01-31T00:00",
        spot=kw.pop("spot", SPOT),
        grid_offers=[{"name": "index", "index_adder_per_mwh": 4}],
        technologies=[
            {
                "name": "pv",
                "kind": "solar",
                "profile": "pvcf",
                "capex_per_kw": 1000,
                "lifetime_years": 25,
                "max_mw": 5,
            }
        ],
        columns={"pvcf": [0.5] * 48},
        finance={"discount_rate": 0.07},
        **kw,
    )
    return write_files(sc, tmp_path / "base")


def _csv(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype={"timestamp": str})


def _with_block(base: Path, block: dict[str, Any]) -> Path:
    raw = yaml.safe_load(base.read_text())
    raw.update(block)
    out = base.parent / "study.yaml"
    out.write_text(yaml.safe_dump(raw, sort_keys=False))
    return out


def test_spot_scale_files_and_block(tmp_path: Path) -> None:
    base = _base(tmp_path)
    out = spot_scenarios(base, tmp_path / "base" / "scen", scales=[0.8, 1.0, 1.5])
    assert [v.name for v in out.variants] == ["spot-x0.8", "base", "spot-x1.5"]
    assert [v.probability for v in out.variants] == approx([1 / 3] * 3)
    assert out.variants[1].series is None  # the base as it is
    before = _csv(base.parent / "profiles.csv")
    for v, s in ((out.variants[0], 0.8), (out.variants[2], 1.5)):
        assert v.series is not None and v.series.suffix == ".csv"
        got = _csv(v.series)
        assert list(got.columns) == list(before.columns)
        assert list(got["timestamp"]) == list(before["timestamp"])
        assert got["spot"].to_numpy() == approx(np.array(SPOT) * s)
        assert got["load_mw"].to_numpy() == approx(before["load_mw"].to_numpy())
    block = out.block()
    assert block["uncertainty"]["scenarios"][0] == {
        "name": "spot-x0.8",
        "probability": 1 / 3,
        "series": {"file": "scen/spot-x0.8.csv"},
    }
    study = load_study(_with_block(base, block))
    spots = {c.name: c.problem.spot_price for c in study.cases}
    assert spots["spot-x1.5"] == approx(np.array(SPOT) * 1.5)
    assert spots["base"] == approx(np.array(SPOT))
    assert [c.weight for c in study.cases] == approx([1 / 3] * 3)


def test_spot_shift_and_the_gas_shock_by_month(tmp_path: Path) -> None:
    """Shift −10: spot − 10. gas-2022: January steps × 167.9/37.67, February × 128.8/37.67;
    at severity 0.5 the excess over 1 is halved."""
    base = _base(tmp_path)
    out = spot_scenarios(
        base,
        tmp_path / "s",
        shifts=[-10.0],
        shocks=["gas-2022"],
        probabilities=[0.5, 0.3, 0.2],
    )
    assert [v.name for v in out.variants] == ["base", "spot-10", "gas-2022"]
    assert [v.probability for v in out.variants] == [0.5, 0.3, 0.2]
    shifted = _csv(out.variants[1].series)  # type: ignore[arg-type]
    assert shifted["spot"].to_numpy() == approx(np.array(SPOT) - 10)
    shocked = _csv(out.variants[2].series)  # type: ignore[arg-type]
    m = np.array([167.9 / 37.67] * 24 + [128.8 / 37.67] * 24)
    assert shocked["spot"].to_numpy() == approx(np.array(SPOT) * m)
    half = spot_scenarios(base, tmp_path / "h", shocks=["gas-2022"], severity=0.5)
    assert [v.name for v in half.variants] == ["base", "gas-2022-x0.5"]
    got = _csv(half.variants[1].series)["spot"].to_numpy()  # type: ignore[arg-type]
    assert got == approx(np.array(SPOT) * (1 + 0.5 * (m - 1)))
    assert load_study(_with_block(base, out.block(alpha=0.9, weight=0.5))).risk.weight == 0.5


def test_the_gas_shock_path_is_documented() -> None:
    shock = SHOCKS["gas-2022"]
    assert len(shock.multipliers) == 12
    assert shock.multipliers[7] == approx(465.2 / 37.67)  # August, the peak
    assert np.mean(shock.monthly_price) == approx(
        235.0, abs=1.5
    )  # FfE: 235 EUR/MWh in 2022 (hour-weighted)
    assert "SMARD" in shock.source and "2019" in shock.source


def test_a_number_becomes_a_column(tmp_path: Path) -> None:
    """spot: 40 (a number): the variant's series gains a column ``spot_price_per_mwh`` and
    its ``set`` points the field at it."""
    base = _base(tmp_path, spot=40.0)
    out = spot_scenarios(base, tmp_path / "n", scales=[2.0], include_base=True)
    v = out.variants[1]
    assert v.set == {"grid.spot_price_per_mwh": "spot_price_per_mwh"}
    got = _csv(v.series)  # type: ignore[arg-type]
    assert got["spot_price_per_mwh"].to_numpy() == approx([80.0] * 48)
    study = load_study(_with_block(base, out.block()))
    assert study.cases[1].problem.spot_price == approx([80.0] * 48)
    assert study.cases[0].problem.spot_price == approx([40.0] * 48)


def test_parquet_base_keeps_its_timestamps(tmp_path: Path) -> None:
    base = _base(tmp_path)
    frame = _csv(base.parent / "profiles.csv")
    frame["timestamp"] = pd.DatetimeIndex(frame["timestamp"]).tz_localize("UTC")
    frame.to_parquet(base.parent / "grid.parquet", index=False)
    raw = yaml.safe_load(base.read_text())
    raw["series"] = {"file": "grid.parquet"}
    base.write_text(yaml.safe_dump(raw))
    out = spot_scenarios(base, tmp_path / "p", scales=[1.2])
    got = pd.read_parquet(out.variants[1].series)  # type: ignore[arg-type]
    assert got["timestamp"].equals(frame["timestamp"])
    assert got["spot"].to_numpy() == approx(np.array(SPOT) * 1.2)
    assert len(load_study(_with_block(base, out.block())).cases) == 2


def test_load_growth(tmp_path: Path) -> None:
    """±10 %: the load column × 0.9 and × 1.1; the IT load given as a number becomes a column
    scaled alike."""
    base = _base(tmp_path, load_extra={"it_mw": 8.0})
    out = load_scenarios(base, tmp_path / "l", growth_percent=[-10, 0, 10])
    assert [v.name for v in out.variants] == ["load-10%", "base", "load+10%"]
    assert out.variants[0].series is not None and out.variants[0].series.name == "load-10pct.csv"
    before = _csv(base.parent / "profiles.csv")
    for v, f in ((out.variants[0], 0.9), (out.variants[2], 1.1)):
        got = _csv(v.series)  # type: ignore[arg-type]
        assert got["load_mw"].to_numpy() == approx(before["load_mw"].to_numpy() * f)
        assert got["it_load_mw"].to_numpy() == approx([8.0 * f] * 48)
        assert got["spot"].to_numpy() == approx(before["spot"].to_numpy())
        assert v.set == {"load.it_mw": "it_load_mw"}
    study = load_study(_with_block(base, out.block()))
    assert study.cases[2].problem.load_mw == approx(before["load_mw"].to_numpy() * 1.1)
    assert study.cases[2].problem.it_load_mw == approx([8.8] * 48)


def test_weather_years_recompute_columns_and_set_the_weather_file(tmp_path: Path) -> None:
    """Three of pvlib's bundled files: ``pvcf`` is each file's solar output on the
    scenario's steps (the same call as ``dcopt profiles``); the scenario's own weather
    section follows through ``set: {weather.file: ...}``."""
    from optimizer.profiles import SolarSpec, weather_profiles

    base = _base(tmp_path, weather={"file": "pvlib:723170TYA.CSV"})
    files = ["pvlib:723170TYA.CSV", "pvlib:703165TY.csv", "pvlib:12839.tm2"]
    out = weather_scenarios(base, tmp_path / "w", files, columns={"pvcf": "solar"})
    assert [v.name for v in out.variants] == [
        "weather-723170TYA",
        "weather-703165TY",
        "weather-12839",
    ]
    before = _csv(base.parent / "profiles.csv")
    for v, f in zip(out.variants, files, strict=True):
        assert v.set == {"weather.file": f}
        got = _csv(v.series)  # type: ignore[arg-type]
        assert list(got["timestamp"]) == list(before["timestamp"])
        want = weather_profiles(
            f, timezone="UTC", start="2027-01-31T00:00", periods=48, solar=SolarSpec()
        )["solar_cf"]
        assert got["pvcf"].to_numpy() == approx(want.to_numpy())
        assert got["spot"].to_numpy() == approx(before["spot"].to_numpy())
    miami = _csv(out.variants[2].series)["pvcf"]  # type: ignore[arg-type]
    alaska = _csv(out.variants[1].series)["pvcf"]  # type: ignore[arg-type]
    assert miami.sum() > alaska.sum() > 0  # late January: Miami sees more sun
    study = load_study(_with_block(base, out.block()))
    assert [c.name for c in study.cases] == [v.name for v in out.variants]


def test_refusals(tmp_path: Path) -> None:
    base = _base(tmp_path)
    with pytest.raises(ScenarioError, match="sum to 1"):
        spot_scenarios(
            base, tmp_path / "x", scales=[0.5, 2.0], probabilities=[0.5, 0.6], include_base=False
        )
    with pytest.raises(ScenarioError, match="at least 2"):
        spot_scenarios(base, tmp_path / "x", scales=[0.5], include_base=False)
    with pytest.raises(ScenarioError, match="unknown shock"):
        spot_scenarios(base, tmp_path / "x", shocks=["oil-1973"])
    with pytest.raises(ScenarioError, match="duplicate"):
        spot_scenarios(base, tmp_path / "x", scales=[1.0], shifts=[0.0])
    with pytest.raises(ScenarioError, match="no 'weather' section"):
        weather_scenarios(base, tmp_path / "x", ["pvlib:723170TYA.CSV", "pvlib:12839.tm2"])


def test_cli_writes_the_files_the_snippet_and_a_scenario_that_loads(tmp_path: Path) -> None:
    base = _base(tmp_path)
    study = tmp_path / "elsewhere" / "study.yaml"
    res = CliRunner().invoke(
        app,
        [
            "scenarios",
            "spot",
            str(base),
            "--shift",
            "-10,20",
            "--probabilities",
            "0.5,0.25,0.25",
            "--weight",
            "0.3",
            "--write-scenario",
            str(study),
        ],
    )
    assert res.exit_code == 0, res.output
    folder = base.parent / "scenarios"
    assert sorted(p.name for p in folder.iterdir()) == [
        "spot+20.csv",
        "spot-10.csv",
        "uncertainty.yaml",
    ]
    snippet = yaml.safe_load((folder / "uncertainty.yaml").read_text())
    assert snippet["uncertainty"]["risk"] == {"weight": 0.3}
    s = load_study(study)  # paths rewritten for its own folder
    assert [c.name for c in s.cases] == ["base", "spot-10", "spot+20"]
    assert s.cases[2].problem.spot_price == approx(np.array(SPOT) + 20)
    bad = CliRunner().invoke(app, ["scenarios", "spot", str(base), "--scale", "0.5,x"])
    assert bad.exit_code == 2 and "--scale" in bad.output
