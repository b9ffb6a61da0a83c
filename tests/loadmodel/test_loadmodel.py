"""The datacenter load model: hand-checkable numbers and scenario use."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from optimizer.errors import ScenarioError
from optimizer.loadmodel import DatacenterLoadSpec, datacenter_load, it_load_mw, pue
from optimizer.scenario import load_problem


def _index(periods: int = 48, tz: str = "Etc/GMT+5") -> pd.DatetimeIndex:
    return pd.date_range("2027-01-01", periods=periods, freq="h", tz=tz)


def test_flat_pue_gives_it_times_pue() -> None:
    """Training only (share 1, utilisation 0.9), slope 0: load = 200·0.9·1.2 = 216 MW."""
    spec = DatacenterLoadSpec(
        it_capacity_mw=200,
        training_share=1.0,
        training_utilisation=0.9,
        pue_base=1.2,
        pue_slope_per_c=0.0,
    )
    frame = datacenter_load(spec, _index(), np.linspace(-10, 40, 48))
    np.testing.assert_allclose(frame["it_load_mw"], 180.0)
    np.testing.assert_allclose(frame["load_mw"], 216.0)


def test_temperature_slope_adds_slope_times_excess() -> None:
    """PUE = 1.15 + 0.01·max(0, T − 18): at 30 °C 1.27, at 18 °C and below 1.15; the load
    added is exactly IT·0.01·(T − 18)."""
    spec = DatacenterLoadSpec(
        it_capacity_mw=100,
        training_share=1.0,
        training_utilisation=1.0,
        pue_base=1.15,
        pue_slope_per_c=0.01,
        economiser_threshold_c=18,
    )
    temps = np.array([10.0, 18.0, 30.0, 35.5])
    np.testing.assert_allclose(pue(spec, temps), [1.15, 1.15, 1.27, 1.325])
    frame = datacenter_load(spec, _index(4), temps)
    np.testing.assert_allclose(
        frame["load_mw"] - 100 * 1.15, 100 * 0.01 * np.maximum(0, temps - 18)
    )


def test_inference_diurnal_shape() -> None:
    """Inference only, ū = 0.6, a = 0.3, peak 20 h: 100·0.6·1.3 = 78 MW at 20:00,
    100·0.6·0.7 = 42 MW at 08:00, 60 MW at 14:00 and 02:00, mean over a day 60 MW."""
    spec = DatacenterLoadSpec(
        it_capacity_mw=100,
        training_share=0.0,
        inference_utilisation=0.6,
        inference_diurnal_amplitude=0.3,
        inference_peak_hour=20,
    )
    it = it_load_mw(spec, _index(24))
    assert it[20] == pytest.approx(78.0)
    assert it[8] == pytest.approx(42.0)
    assert it[14] == pytest.approx(60.0) and it[2] == pytest.approx(60.0)
    assert it.mean() == pytest.approx(60.0)


def test_growth_compounds_over_elapsed_time() -> None:
    """g = 10 %/year: after 8760 h the IT load is 1.1× the first step's, after 4380 h √1.1×."""
    spec = DatacenterLoadSpec(it_capacity_mw=50, training_share=1.0, growth_per_year=0.1)
    it = it_load_mw(spec, _index(8761))
    assert it[8760] / it[0] == pytest.approx(1.1)
    assert it[4380] / it[0] == pytest.approx(1.1**0.5)


def test_peak_above_capacity_is_refused() -> None:
    with pytest.raises(ValueError, match="above 1"):
        DatacenterLoadSpec(
            it_capacity_mw=1, inference_utilisation=0.8, inference_diurnal_amplitude=0.5
        )


def _doc(load: dict[str, Any], **extra: Any) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "site": {
            "timezone": "America/New_York",
            "start": "2027-07-01T00:00",
            "periods": 24,
            "resolution_minutes": 60,
        },
        "load": load,
        "grid": {"carbon_intensity_tco2_per_mwh": 0.4, "cfe_share": 0.3},
        "grid_offers": [{"name": "u", "energy_price_per_mwh": 60}],
    }
    doc.update(extra)
    return doc


def test_scenario_load_model_with_constant_temperature() -> None:
    """load.mw = {datacenter: ...} fills load_mw and it_load_mw: training only at 0.9 of
    200 MW, PUE 1.2 + 0.01·(25 − 20) = 1.25 → 180 MW IT, 225 MW site."""
    spec = {
        "it_capacity_mw": 200,
        "training_share": 1.0,
        "training_utilisation": 0.9,
        "pue_base": 1.2,
        "pue_slope_per_c": 0.01,
        "economiser_threshold_c": 20,
        "temperature_c": 25,
    }
    p = load_problem(_doc({"mw": {"datacenter": spec}}))
    np.testing.assert_allclose(p.load_mw, 225.0)
    assert p.it_load_mw is not None
    np.testing.assert_allclose(p.it_load_mw, 180.0)


def test_scenario_load_model_from_weather(tmp_path: Path) -> None:
    """Temperature from the Greensboro TMY3: 1 July 00:00 EDT = 30 June 23:00 EST, row
    24·180 + 23 = 4343 of the file, read here with plain pandas."""
    raw = pd.read_csv(
        Path(__import__("pvlib").__file__).parent / "data" / "723170TYA.CSV", skiprows=1
    )
    temps = raw["Dry-bulb (C)"].to_numpy()[4343 : 4343 + 24]
    spec = {
        "it_capacity_mw": 100,
        "training_share": 1.0,
        "training_utilisation": 1.0,
        "pue_base": 1.1,
        "pue_slope_per_c": 0.02,
        "economiser_threshold_c": 15,
    }
    p = load_problem(
        _doc({"mw": {"datacenter": spec}}, weather={"file": "pvlib:723170TYA.CSV"}),
        base_dir=tmp_path,
    )
    np.testing.assert_allclose(p.load_mw, 100 * (1.1 + 0.02 * np.maximum(0, temps - 15)))


@pytest.mark.parametrize(
    ("spec", "field"),
    [
        ({"it_capacity_mw": 0}, "load.mw.datacenter.it_capacity_mw"),
        ({"it_capacity_mw": 10, "training_share": 1.5}, "load.mw.datacenter.training_share"),
        ({"it_capacity_mw": 10, "pue": 1.2}, "load.mw.datacenter.pue"),
        ({"it_capacity_mw": 10}, "load.mw.datacenter.temperature_c"),  # no weather section
        ({"it_capacity_mw": 10, "temperature_c": "t"}, "load.mw.datacenter.temperature_c"),
    ],
)
def test_bad_load_model_names_the_field(spec: dict[str, Any], field: str) -> None:
    with pytest.raises(ScenarioError) as info:
        load_problem(_doc({"mw": {"datacenter": spec}}))
    fields = [e.field for e in info.value.errors]
    assert field in fields, fields
