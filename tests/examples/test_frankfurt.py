"""The bundled European example (Frankfurt, EUR, Europe/Berlin): found, rebuilt exactly,
its synthetic climate as documented, valid, and a week of it solves with every European key
(supply group, network charges, levies, PPAs with technology, GOs, EnEfG 2027)."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import numpy as np
import pandas as pd
import pytest
import yaml

from optimizer.examples import EXAMPLES, example_dir, write_example
from optimizer.scenario import load_problem
from optimizer.solve import solve

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def build_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "build_frankfurt", REPO / "data" / "build_frankfurt.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_listed_and_found_in_the_clone() -> None:
    assert "frankfurt" in EXAMPLES
    assert example_dir("frankfurt") == REPO / "data" / "frankfurt"
    assert (example_dir("frankfurt") / "scenario.yaml").is_file()


def test_bundled_parquet_is_what_the_build_script_makes(build_module: ModuleType) -> None:
    fresh = build_module.build()
    shipped = pd.read_parquet(REPO / "data" / "frankfurt" / "grid.parquet")
    pd.testing.assert_frame_equal(fresh, shipped, check_exact=False, rtol=1e-9)
    # local time with DST: 8760 hourly rows, UTC offset +1 in January, +2 in July
    ts = pd.DatetimeIndex(shipped["timestamp"])
    assert str(ts.tz) == "Europe/Berlin"
    assert ts[0].utcoffset() == pd.Timedelta(hours=1)
    assert ts[24 * 190].utcoffset() == pd.Timedelta(hours=2)
    # the annual figures data/README.md cites
    assert shipped["temperature_c"].mean() == pytest.approx(10.77, abs=0.05)
    assert shipped["grid_cfe_share"].between(0, 1).all()
    assert 0.53 < shipped["grid_cfe_share"].mean() < 0.58
    assert 0.12 < shipped["solar_cf"].mean() < 0.145
    assert 0.30 < shipped["wind_cf"].mean() < 0.36
    # the build scales the load-weighted mean to 0.36; the plain hourly mean is close
    assert shipped["grid_tco2_per_mwh"].mean() == pytest.approx(0.36, abs=0.01)


def test_synthetic_weather_follows_the_monthly_climate(build_module: ModuleType) -> None:
    """Each month's GHI total is GHI_KWH_M2 exactly (the clear-sky cap included);
    each month's mean temperature is within 0.6 °C of TEMP_MEAN_C."""
    weather, speed = build_module.synthetic_weather()
    frame = weather.frame
    month = pd.date_range("2027-01-01", periods=8760, freq="h").month.to_numpy() - 1
    ghi_kwh = np.bincount(month, weights=frame["ghi"].to_numpy()) / 1000.0
    target = np.asarray(build_module.GHI_KWH_M2, dtype=float)
    assert ghi_kwh == pytest.approx(target, rel=1e-9)
    temp = np.bincount(month, weights=frame["temp_air"].to_numpy()) / np.bincount(month)
    assert temp == pytest.approx(np.asarray(build_module.TEMP_MEAN_C), abs=0.6)
    wind = np.bincount(month, weights=speed) / np.bincount(month)
    assert wind == pytest.approx(np.asarray(build_module.WIND_100M_M_S), rel=1e-9)
    assert (frame["dni"] >= 0).all() and (frame["dhi"] <= frame["ghi"] + 1e-9).all()


def test_full_example_validates(tmp_path: Path) -> None:
    write_example("frankfurt", tmp_path)
    p = load_problem(tmp_path / "scenario.yaml")
    assert p.periods == 8760
    assert str(p.time.index.tz) == "Europe/Berlin"
    assert p.scenario.currency == "EUR"
    # load: 60 MW IT at most 60·(0.3·0.9 + 0.7·0.65·1.25)·1.05·(1.2 + 0.01·(26.6 − 18))
    assert 45 < p.load_mw.mean() < p.load_mw.max() < 60 * 0.83875 * 1.05 * 1.287
    assert [o.name for o in p.ppas] == ["wind-onshore-ppa", "solar-ppa"]


def test_week_solves_with_the_european_keys(tmp_path: Path) -> None:
    written = write_example("frankfurt", tmp_path, periods=168)
    assert {p.name for p in written} == {"scenario.yaml", "grid.parquet", "README.md"}
    raw = yaml.safe_load((tmp_path / "scenario.yaml").read_text())
    assert raw["site"]["periods"] == 168
    assert raw["compliance"] == ["enefg_2027"]
    assert {o["group"] for o in raw["grid_offers"]} == {"supply"}
    assert {o["technology"] for o in raw["ppa_offers"]} == {"wind_onshore", "solar"}

    result = solve(tmp_path / "scenario.yaml")
    assert result.status == "optimal", result.message
    s = result.summary
    assert s["currency"] == "EUR"
    assert set(s["signed_offers"]) == {"supply"}
    signed = s["signed_offers"]["supply"]
    imports = s["grid_import_mwh"]
    total_import = sum(imports.values())
    assert imports[signed] == pytest.approx(total_import)  # only the signed offer imports
    breakdown = s["cost_breakdown"]
    # levies 32 and network energy 8 EUR on every MWh imported; capacity 100,000/MW-year on
    # the week's peak import, for 168/8760 of a year
    assert breakdown["levies"] == pytest.approx(32 * total_import, rel=1e-9)
    assert breakdown["network_energy"] == pytest.approx(8 * total_import, rel=1e-9)
    h = 168 / 8760
    assert breakdown["network_capacity"] == pytest.approx(
        100_000 * max(s["grid_peak_mw"].values()) * h, rel=1e-6
    )
    # EnEfG 2027: 100 % renewable on an annual balance, met with GOs for the imports
    rule = s["compliance"]["enefg_2027"]
    assert rule["applies"] and rule["pass"]
    assert s["renewable_share"]["annual"] == pytest.approx(1.0, abs=1e-6)
    go = s["certificates"]["nordic-hydro-go"]
    renewable = s["renewable_share"]["renewable_supply_mwh"]
    assert go["mwh"] + renewable == pytest.approx(s["served_load_mwh"], rel=1e-6)
    assert go["cost"] == pytest.approx(1.0 * go["mwh"])
    # market-based: imports not covered by a GO at the residual mix 0.65 t/MWh
    uncovered = total_import - go["mwh"]
    assert 0 <= uncovered < 1e-3 * total_import
    assert s["emissions_tco2"]["market_based"] == pytest.approx(0.65 * uncovered, abs=1e-6)
