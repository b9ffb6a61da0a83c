"""Weather-derived profiles: reading, hour mapping, solar and wind physics, scenario keys.

Expected numbers are derived by hand in each docstring or read independently from the raw
weather file with pandas (not through pvlib)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from optimizer.errors import ScenarioError
from optimizer.profiles import SolarSpec, WindSpec, weather_profiles
from optimizer.profiles.solar import solar_per_unit
from optimizer.profiles.weather import bundled_pvlib_file, hour_of_year, read_weather
from optimizer.profiles.wind import hub_wind_speed, wind_per_unit, wind_per_unit_from_speed
from optimizer.scenario import load_problem

TMY3 = bundled_pvlib_file("723170TYA.CSV")


@pytest.fixture(scope="module")
def raw_tmy3() -> pd.DataFrame:
    """The Greensboro TMY3 file read with plain pandas (independent of pvlib)."""
    return pd.read_csv(TMY3, skiprows=1)


def test_read_tmy3_matches_raw_file(raw_tmy3: pd.DataFrame) -> None:
    """8760 rows in file order; temperature, wind (m/s) and pressure (mbar → Pa) as in the file."""
    wx = read_weather(TMY3)
    assert len(wx.frame) == 8760
    assert (wx.latitude, wx.longitude, wx.utc_offset_hours) == (36.1, -79.95, -5.0)
    np.testing.assert_allclose(wx.frame["temp_air"], raw_tmy3["Dry-bulb (C)"])
    np.testing.assert_allclose(wx.frame["wind_speed"], raw_tmy3["Wspd (m/s)"])
    np.testing.assert_allclose(wx.frame["pressure"], raw_tmy3["Pressure (mbar)"] * 100.0)
    assert wx.frame["temp_air"].iloc[0] == 10.0  # first data line of the file: 10.0 °C


def test_read_tmy2_units() -> None:
    """TMY2 stores tenths of °C and of m/s; Miami's temperatures lie in 0..40 °C."""
    wx = read_weather(bundled_pvlib_file("12839.tm2"))
    assert len(wx.frame) == 8760
    assert wx.frame["temp_air"].min() > 0.0 and wx.frame["temp_air"].max() < 40.0
    assert wx.frame["wind_speed"].max() < 30.0
    assert wx.utc_offset_hours == -5.0


def test_hour_mapping_through_utc_with_dst() -> None:
    """Row = 24·(day − 1) + standard-time hour. 1 July 12:00 EDT = 11:00 EST, day 182:
    24·181 + 11 = 4355. The same instant in Etc/GMT+5 maps to the same row. 29 February
    reuses 28 February (day 59, 24·58 = 1392)."""
    ny = pd.DatetimeIndex([pd.Timestamp("2027-07-01 12:00", tz="America/New_York")])
    est = ny.tz_convert("Etc/GMT+5")
    assert hour_of_year(ny, -5.0).tolist() == [4355]
    assert hour_of_year(est, -5.0).tolist() == [4355]
    jan = pd.DatetimeIndex([pd.Timestamp("2027-01-01 00:00", tz="America/New_York")])
    assert hour_of_year(jan, -5.0).tolist() == [0]
    leap = pd.DatetimeIndex(
        [
            pd.Timestamp("2028-02-28 05:00", tz="Etc/GMT+5"),
            pd.Timestamp("2028-02-29 05:00", tz="Etc/GMT+5"),
        ]
    )
    assert hour_of_year(leap, -5.0).tolist() == [1397, 1397]


def test_solar_zero_at_night_and_peak_near_solar_noon(raw_tmy3: pd.DataFrame) -> None:
    """No irradiance in the file (GHI = 0) → no output. Solar noon at 79.95° W in UTC−5 is
    12:00 + 4 min·4.95° ≈ 12:20 (± 16 min equation of time), so a south-facing array's
    mean output by standard-time hour peaks in hour 11 or 12 (11:00-13:00)."""
    wx = read_weather(TMY3)
    cf = solar_per_unit(wx, SolarSpec(tilt_deg=25.0), 2027)
    dark = raw_tmy3["GHI (W/m^2)"].to_numpy() == 0
    assert dark.sum() > 4000
    assert np.all(cf[dark] == 0.0)
    assert cf.min() >= 0.0 and cf.max() <= 1.0
    by_hour = cf.reshape(365, 24).mean(axis=0)
    assert int(np.argmax(by_hour)) in (11, 12)
    assert by_hour[:5].max() == 0.0 and by_hour[21:].max() == 0.0
    # Capacity factor per MW AC of a 1.3 DC/AC fixed array in North Carolina: 0.17..0.24
    # (NREL ATB/PVWatts range for the Southeast).
    assert 0.17 < cf.mean() < 0.24


def test_solar_dc_ac_ratio_clips_at_one() -> None:
    """DC/AC 1.5 clips at the inverter (max exactly 1); DC/AC 0.5 can never reach 0.6
    (0.5 · 1.1 kW/m² clear-sky POA at most, before losses)."""
    wx = read_weather(TMY3)
    assert solar_per_unit(wx, SolarSpec(dc_ac_ratio=1.5), 2027).max() == pytest.approx(1.0)
    assert solar_per_unit(wx, SolarSpec(dc_ac_ratio=0.5), 2027).max() < 0.6


def test_single_axis_tracking_beats_fixed() -> None:
    """A tracker gathers more energy than a latitude-tilt fixed array (typically +15-25 %)."""
    wx = read_weather(TMY3)
    fixed = solar_per_unit(wx, SolarSpec(), 2027).mean()
    track = solar_per_unit(wx, SolarSpec(tracking="single_axis"), 2027).mean()
    assert 1.05 < track / fixed < 1.35


def test_wind_power_curve_cut_in_rated_cut_out() -> None:
    """V126/3300 (windpowerlib oedb curve): 0 at or below 2.5 m/s, 3300 kW from 12 m/s to
    the curve's last point 22.5 m/s, 0 beyond it (cut-out). Losses scale the whole curve."""
    spec = WindSpec(turbine="V126/3300")
    speeds = np.array([0.0, 1.0, 2.5, 12.0, 15.0, 22.5, 26.0])
    out = wind_per_unit_from_speed(speeds, spec, "wind.turbine")
    np.testing.assert_allclose(out, [0, 0, 0, 1, 1, 1, 0])
    lossy = wind_per_unit_from_speed(speeds, WindSpec(losses_fraction=0.1), "w")
    np.testing.assert_allclose(lossy, [0, 0, 0, 0.9, 0.9, 0.9, 0])
    # 7.0 m/s on the curve: 1,150 kW / 3,300 kW
    assert wind_per_unit_from_speed(np.array([7.0]), spec, "w")[0] == pytest.approx(1150 / 3300)


def test_hellman_shear() -> None:
    """v_hub = v_10·(h/10)^α: with α = 1/3 and h = 80 m the factor is 8^(1/3) = 2."""
    wx = read_weather(TMY3)
    v = hub_wind_speed(wx, WindSpec(hub_height_m=80.0, shear_exponent=1 / 3))
    np.testing.assert_allclose(v, 2.0 * wx.frame["wind_speed"].to_numpy())
    cf = wind_per_unit(wx, WindSpec())
    assert cf.min() >= 0.0 and cf.max() <= 1.0


def test_unknown_turbine_names_the_field() -> None:
    wx = read_weather(TMY3)
    with pytest.raises(ScenarioError) as info:
        wind_per_unit(wx, WindSpec(turbine="V126"), "ppa_offers[w].profile.wind.turbine")
    assert info.value.errors[0].field == "ppa_offers[w].profile.wind.turbine"
    assert "V126/3300" in info.value.errors[0].message


def _scenario(tmp: Path, **extra: Any) -> dict[str, Any]:
    """A 48-step scenario on the Greensboro weather, every profile from weather."""
    doc: dict[str, Any] = {
        "site": {
            "timezone": "America/New_York",
            "start": "2027-07-01T00:00",
            "periods": 48,
            "resolution_minutes": 60,
        },
        "weather": {"file": "pvlib:723170TYA.CSV"},
        "load": {"mw": 10},
        "grid": {"carbon_intensity_tco2_per_mwh": 0.4, "cfe_share": 0.3},
        "grid_offers": [{"name": "u", "energy_price_per_mwh": 60}],
        "ppa_offers": [
            {"name": "w", "kind": "pay_as_produced", "profile": {"wind": {}}, "price_per_mwh": 40}
        ],
        "technologies": [
            {
                "name": "pv",
                "kind": "solar",
                "profile": {"solar": {"tracking": "single_axis"}},
                "capex_per_kw": 1000,
                "lifetime_years": 30,
            }
        ],
        "finance": {"discount_rate": 0.07},
    }
    doc.update(extra)
    return doc


def test_scenario_profiles_equal_library_profiles(tmp_path: Path) -> None:
    """``profile: {solar: ...}`` in a scenario resolves to the same numbers as the library
    function (and ``dcopt profiles``) for the same steps; numbers and columns still work."""
    p = load_problem(_scenario(tmp_path), base_dir=tmp_path)
    ref = weather_profiles(
        "pvlib:723170TYA.CSV",
        year=2027,
        timezone="America/New_York",
        start="2027-07-01T00:00",
        periods=48,
        solar=SolarSpec(tracking="single_axis"),
        wind=WindSpec(),
    )
    np.testing.assert_allclose(p.renewables[0].profile, ref["solar_cf"])
    np.testing.assert_allclose(p.ppas[0].profile, ref["wind_cf"])
    assert p.renewables[0].profile.max() > 0.5
    # the contract's forms are unchanged: a number still works beside weather profiles
    doc = _scenario(tmp_path)
    doc["ppa_offers"][0]["profile"] = 0.5
    assert load_problem(doc, base_dir=tmp_path).ppas[0].profile.tolist() == [0.5] * 48


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (
            {
                "technologies": [
                    {
                        "name": "pv",
                        "kind": "solar",
                        "profile": {"solar": {"tilt_deg": 100}},
                        "capex_per_kw": 1,
                        "lifetime_years": 30,
                    }
                ]
            },
            "technologies[pv].profile.solar.tilt_deg",
        ),
        (
            {
                "ppa_offers": [
                    {
                        "name": "w",
                        "kind": "virtual",
                        "profile": {"wind": {"turbine": "X1"}},
                        "price_per_mwh": 40,
                    }
                ],
                "grid": {
                    "carbon_intensity_tco2_per_mwh": 0.4,
                    "cfe_share": 0.3,
                    "spot_price_per_mwh": 30,
                },
            },
            "ppa_offers[w].profile.wind.turbine",
        ),
        ({"weather": None}, "ppa_offers[w].profile"),
        ({"weather": {"file": "nope.csv"}}, "weather.file"),
        (
            {
                "ppa_offers": [
                    {
                        "name": "w",
                        "kind": "pay_as_produced",
                        "profile": {"wind": {"hub": 3}},
                        "price_per_mwh": 1,
                    }
                ]
            },
            "ppa_offers[w].profile.wind.hub",
        ),
    ],
)
def test_bad_weather_profiles_name_the_field(
    tmp_path: Path, change: dict[str, Any], field: str
) -> None:
    with pytest.raises(ScenarioError) as info:
        load_problem(_scenario(tmp_path, **change), base_dir=tmp_path)
    fields = [e.field for e in info.value.errors]
    assert field in fields, fields
