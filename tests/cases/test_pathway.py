"""A pathway of modelled years (CONTRACT section 10), solved by hand.

Each year is one hour standing for a whole year (H = 1/8760, every cost of a year ÷ H is
that hour repeated 8,760 times), load 10 MW. Capital uses r = 0 unless said, so
CRF = 1/lifetime and every discount factor is 1.
"""

from __future__ import annotations

from typing import Any

import pytest
import yaml
from pytest import approx

from optimizer.errors import ScenarioError
from optimizer.scenario.study import load_study
from optimizer.solve import solve
from tests.core.helpers import horizon_fraction, scenario

HOURS = 8760.0


def _years(sc: dict[str, Any], *entries: dict[str, Any]) -> dict[str, Any]:
    sc["horizon"] = {"years": list(entries)}
    return sc


def _solar(capex_per_kw: float, lifetime: float, **extra: Any) -> dict[str, Any]:
    return {
        "name": "pv",
        "kind": "solar",
        "profile": 1.0,
        "capex_per_kw": capex_per_kw,
        "lifetime_years": lifetime,
        "max_mw": 10,
        **extra,
    }


def one_year_ppa() -> dict[str, Any]:
    """A baseload PPA at 50 starting 2028 for one year; the grid at 100 in 2027–2029."""
    return _years(
        scenario(
            [10],
            price=100,
            ppa_offers=[
                {
                    "name": "firm",
                    "kind": "baseload",
                    "price_per_mwh": 50,
                    "max_mw": 10,
                    "start_year": 2028,
                    "term_years": 1,
                }
            ],
        ),
        {"year": 2027},
        {"year": 2028},
        {"year": 2029},
    )


def test_an_asset_is_built_when_prices_rise() -> None:
    """2027 at 20/MWh, 2028 at 200/MWh; solar with profile 1 at capex 8,760/kW over 10
    years: 1000·8760/10 = 876,000 per MW-year, i.e. 100/MWh. Worth it at 200, not at 20:
    built in 2028 (10 MW), not before.
    Objective = 2027: 20·10·8760 = 1,752,000; 2028: 10·876,000 = 8,760,000."""
    sc = _years(
        scenario([10], price=20, technologies=[_solar(8760, 10)], finance={"discount_rate": 0}),
        {"year": 2027},
        {"year": 2028, "set": {"grid_offers[utility].energy_price_per_mwh": 200}},
    )
    r = solve(sc)
    s = r.summary
    assert r.status == "optimal", r.message
    y = s["years"]
    assert y["2027"]["built_mw"]["pv"] == approx(0.0, abs=1e-7)
    assert y["2028"]["built_mw"]["pv"] == approx(10.0)
    assert y["2027"]["capacity_mw"]["pv"] == approx(0.0, abs=1e-7)
    assert y["2028"]["capacity_mw"]["pv"] == approx(10.0)
    assert y["2027"]["total_cost"] == approx(20 * 10 * HOURS)
    assert y["2028"]["total_cost"] == approx(10 * 876_000)
    assert s["objective"] == approx(20 * 10 * HOURS + 10 * 876_000)
    assert list(r.dispatch["year"]) == ["2027", "2028"]


def test_a_ppa_with_a_one_year_term() -> None:
    """A baseload PPA at 50 starting 2028 for one year against the grid at 100 in 2027 and
    2028 and 2029: it delivers 10 MW in 2028 only. Objective = 2·100·10·8760 +
    50·10·8760 = 21,900,000."""
    sc = one_year_ppa()
    s = solve(sc).summary
    assert s["objective"] == approx((2 * 100 * 10 + 50 * 10) * HOURS)
    assert s["years"]["2027"]["capacity_mw"]["firm"] == 0.0
    assert s["years"]["2028"]["capacity_mw"]["firm"] == approx(10.0)
    assert s["years"]["2029"]["capacity_mw"]["firm"] == 0.0


def test_discounting_across_a_two_year_entry() -> None:
    """One entry 2027 standing for 2027 and 2028, r = 0.1: factor 1 + 1/1.1 = 1.909091.
    Grid only at 100: one year costs 8,760,000, the present value 16,723,636.36."""
    sc = _years(
        scenario([10], price=100, finance={"discount_rate": 0.1}), {"year": 2027, "weight_years": 2}
    )
    s = solve(sc).summary
    assert s["objective"] == approx(100 * 10 * HOURS * (1 + 1 / 1.1))
    assert s["years"]["2027"]["total_cost"] == approx(100 * 10 * HOURS)
    assert s["years"]["2027"]["discount_factor"] == approx(1 + 1 / 1.1)
    assert s["present_value"]["levelised_cost_per_mwh"] == approx(100.0)


def test_one_year_is_the_single_year_run() -> None:
    """A horizon of one year of weight 1 is the plain run scaled to a whole year (÷ H): the
    same LP with every cost multiplied by 1/H. Two days of the core test case."""
    base = scenario(
        [10, 4] * 24,
        price=[30, 90] * 24,
        technologies=[_solar(1200, 25)],
        finance={"discount_rate": 0.07},
    )
    base["technologies"][0]["profile"] = "pvcf"
    base["series"]["columns"]["pvcf"] = [0.0, 0.8] * 24
    plain = solve(base).summary
    one = solve(_years(dict(base), {"year": 2027})).summary
    H = horizon_fraction(48, 60)
    assert one["objective"] * H == approx(plain["objective"], rel=1e-9)
    assert one["years"]["2027"]["capacity_mw"]["pv"] == approx(plain["capacity_mw"]["pv"])


def test_a_lifetime_that_ends_inside_the_horizon() -> None:
    """Solar of one-year life at 100/MWh-equivalent against a grid at 200 in both years:
    built in 2027 it stands in 2027 only, so 10 MW is built again in 2028."""
    sc = _years(
        scenario(
            [10],
            price=200,
            technologies=[_solar(1000 * 100 * HOURS / 1e6, 1)],
            finance={"discount_rate": 0},
        ),
        {"year": 2027},
        {"year": 2028},
    )
    s = solve(sc).summary
    assert s["years"]["2027"]["built_mw"]["pv"] == approx(10.0)
    assert s["years"]["2028"]["built_mw"]["pv"] == approx(10.0)
    assert s["objective"] == approx(2 * 10 * 100 * HOURS)


def test_years_must_ascend_and_ppa_start_inside() -> None:
    sc = _years(scenario([10]), {"year": 2028}, {"year": 2027})
    with pytest.raises(ScenarioError) as exc:
        load_study(sc)
    assert "horizon" in str(exc.value) and "ascend" in str(exc.value)
    sc = _years(
        scenario(
            [10],
            ppa_offers=[{"name": "f", "kind": "baseload", "price_per_mwh": 1, "start_year": 2040}],
        ),
        {"year": 2027},
    )
    with pytest.raises(ScenarioError) as exc:
        load_study(sc)
    assert "ppa_offers[f].start_year" in str(exc.value)


def test_pv_degradation_per_year_of_age() -> None:
    """Solar (profile 1, capex 876/kW over 10 years at r = 0: 87,600 per MW-year, i.e.
    10/MWh) degrading 10 %/year, load 10, grid at 100 in both years, max_mw 10.
    2027: 10 MW built, output 10, no import. 2028: the 2027 build is one year old and gives
    9 MW; the standing capacity is already at max_mw, so nothing more can be built and the
    missing 1 MW is imported: 100·1·8760. Objective = 2·876,000 + 876,000."""
    sc = _years(
        scenario(
            [10],
            price=100,
            technologies=[{**_solar(876, 10), "degradation_per_year": 0.1}],
            finance={"discount_rate": 0},
        ),
        {"year": 2027},
        {"year": 2028},
    )
    s = solve(sc).summary
    y = s["years"]
    assert y["2027"]["built_mw"]["pv"] == approx(10.0)
    assert y["2028"]["built_mw"]["pv"] == approx(0.0, abs=1e-7)
    assert y["2028"]["grid_import_mwh"]["utility"] == approx(1.0 * HOURS)
    capital = 10 * 1000 * 876 / 10  # per year, both years
    assert s["objective"] == approx(2 * capital + 100 * 1 * HOURS)


def test_price_escalation_of_an_offer_and_a_ppa() -> None:
    """Grid at 100 escalating 10 %/year and a baseload PPA at 50 (0..4 MW) escalating 20 %/year
    from 2027; load 10; two years, r = 0. The PPA (50, then 60) is cheaper than the grid
    (100, then 110) in both years, so c = 4.
    2027: 4·50 + 6·100 = 800 an hour; 2028: 4·60 + 6·110 = 900 an hour. Objective =
    (800 + 900)·8760."""
    sc = _years(
        scenario(
            [10],
            price=100,
            ppa_offers=[
                {
                    "name": "firm",
                    "kind": "baseload",
                    "price_per_mwh": 50,
                    "max_mw": 4,
                    "price_escalation_per_year": 0.2,
                }
            ],
        ),
        {"year": 2027},
        {"year": 2028},
    )
    sc["grid_offers"][0]["price_escalation_per_year"] = 0.1
    s = solve(sc).summary
    assert s["years"]["2027"]["total_cost"] == approx(800 * HOURS)
    assert s["years"]["2028"]["total_cost"] == approx(900 * HOURS)
    assert s["objective"] == approx(1700 * HOURS)


def test_battery_capacity_fade_per_year_of_age() -> None:
    """A 1-hour battery (rte 1, max 10 MW, energy capex 1/kWh over 10 years at r = 0: 100 per
    MWh-year) fading 20 %/year; each year is two hours, load 10, grid at 20 then 100 (one
    cycle stands for 4,380 a year). Every usable MWh saves 80 a cycle (350,400 a year) against
    100 a year: worth all it can hold.
    2027: E = 10 MWh built, 10 MWh moved: imports 20 then 0 MWh → (400)·4380 + 1,000.
    2028: standing E stays ≤ 1 h·10 MW = 10 MWh, all of it the 2027 build, usable 0.8·10 = 8
    (a 2028 build would have to replace usable 2027 energy: 0.2 a MWh for 1.0 lost in 2027):
    imports 18 then 2 → (18·20 + 2·100)·4380 + 1,000."""
    sc = _years(
        scenario(
            [10, 10],
            price=[20, 100],
            technologies=[
                {
                    "name": "bess",
                    "kind": "battery",
                    "power_capex_per_kw": 0,
                    "energy_capex_per_kwh": 1,
                    "lifetime_years": 10,
                    "round_trip_efficiency": 1.0,
                    "max_duration_hours": 1,
                    "max_mw": 10,
                    "capacity_fade_per_year": 0.2,
                }
            ],
            finance={"discount_rate": 0},
        ),
        {"year": 2027},
        {"year": 2028},
    )
    r = solve(sc)
    y = r.summary["years"]
    assert y["2027"]["total_cost"] == approx(400 * 4380 + 1000)
    assert y["2028"]["total_cost"] == approx((18 * 20 + 2 * 100) * 4380 + 1000)
    dis = r.dispatch.groupby("year")["discharge_mw:bess"].sum()
    assert dis["2027"] == approx(10.0)
    assert dis["2028"] == approx(8.0)


def test_a_year_without_its_own_series_reads_the_base_file_by_position(tmp_path: Any) -> None:
    """The base series file carries 2027's timestamps; 2028 has no series of its own, so it
    reads the same rows by position: grid at 100, load 10, one hour → 876,000 a year each."""
    from tests.core.helpers import write_files

    base = scenario([10], price=[100])
    path = write_files(base, tmp_path)
    raw = yaml.safe_load(path.read_text())
    raw["horizon"] = {"years": [{"year": 2027}, {"year": 2028}]}
    path.write_text(yaml.safe_dump(raw))
    s = solve(path).summary
    assert s["years"]["2028"]["total_cost"] == approx(100 * 10 * HOURS)
    assert s["objective"] == approx(2 * 100 * 10 * HOURS)


def test_ppa_metrics_over_a_pathway() -> None:
    """``one_year_ppa`` with a flat spot of 70: the PPA (10 MW at 50, 2028 only) is signed
    in full. Per year (÷ H: a whole year): 2028 delivers 10·8760 = 87,600 MWh with a
    settlement cost (50 − 70)·87,600 = −1,752,000; 2027 and 2029 are outside its term:
    0 MW, 0 MWh, 0. Over the span (r = 0, every year weight 1): 87,600 MWh, settlement
    −1,752,000 (its present value), 10 MW at most; capture price 70 = the spot, rate 1."""
    sc = one_year_ppa()
    sc["grid"]["spot_price_per_mwh"] = 70
    s = solve(sc).summary
    top = s["ppa_metrics"]["firm"]
    assert top["contracted_mw"] == approx(10.0)
    assert top["energy_mwh"] == approx(87_600.0)
    assert top["settlement_cost"] == approx(-1_752_000.0)
    assert top["capture_price_per_mwh"] == approx(70.0)
    assert top["capture_rate"] == approx(1.0)
    by_year = {y: v["ppa_metrics"]["firm"] for y, v in s["years"].items()}
    assert by_year["2028"]["energy_mwh"] == approx(87_600.0)
    assert by_year["2028"]["settlement_cost"] == approx(-1_752_000.0)
    for y in ("2027", "2029"):
        assert by_year[y]["contracted_mw"] == approx(0.0)
        assert by_year[y]["energy_mwh"] == approx(0.0)
        assert by_year[y]["settlement_cost"] == approx(0.0)
