"""Hand-solvable cases of 2-29 steps, one per feature of CONTRACT section 3.

Every expected number is derived in the test's docstring from the contract's equations,
never from running the model. Tolerances are those of an LP solved to optimality (1e-6).
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.core.helpers import (
    battery,
    column,
    crf,
    horizon_fraction,
    scenario,
    solve_ok,
)

TOL = 1e-6


def approx(x: float) -> Any:
    return pytest.approx(x, rel=1e-7, abs=TOL)


# --------------------------------------------------------------------------------------------
# 3.4 battery


def _arbitrage_case(prices: list[float]) -> dict[str, Any]:
    return scenario(
        [10, 10],
        price=prices,
        technologies=[
            battery(
                power_capex_per_kw=250,
                energy_capex_per_kwh=220,
                fixed_om_per_kw_year=8,
                lifetime_years=15,
                round_trip_efficiency=0.81,
                min_duration_hours=1,
                max_duration_hours=1,
                max_mw=5,
            )
        ],
        finance={"discount_rate": 0.07},
    )


def _arbitrage_expected() -> tuple[float, float]:
    """(objective, capital) of the arbitrage case; see the test docstring."""
    H = horizon_fraction(2, 60)
    f = crf(0.07, 15)
    c_power = 1000 * (f * 250 + 8) * H  # 3.1, per MW
    c_energy = 1000 * f * 220 * H  # per MWh
    capital = 5 * c_power + 5 * c_energy
    return 20 * 15 + 100 * (10 - 0.81 * 5) + capital, capital


@pytest.mark.parametrize("prices", [[20.0, 100.0], [100.0, 20.0]])
def test_battery_arbitrage_between_two_prices(prices: list[float]) -> None:
    """Two hours, load 10 MW, grid at 20 then 100 (and, reversed, 100 then 20).

    CONTRACT 3.4: "soc[t] = soc[t-1] + η·ch[t]·Δt - dis[t]·Δt/η with η =
    sqrt(round_trip_efficiency), and cyclic: soc before the first step equals soc after the
    last". rte 0.81 → η = 0.9. Duration fixed at 1 h, so E = P ≤ 5.
    Charging P in the cheap hour stores 0.9·P (≤ E) and gives back dis = 0.9·0.9·P = 0.81·P,
    saving 100·0.81 − 20·1 = 61 per MW. Capital per MW (3.1) with CRF(7 %, 15 y) = 0.10979,
    H = 2/8760: 1000·(0.10979·250 + 8)·H + 1000·0.10979·220·H = 8.093 + 5.515 = 13.61 < 61,
    so P = max_mw = 5, E = 5.
    Imports: cheap hour 10 + 5 = 15 MWh at 20; dear hour 10 − 4.05 = 5.95 MWh at 100.
    Objective = 300 + 595 + 5·13.61 = 963.04. With the dear hour first the cycle wraps
    around (discharge in hour 1 from the energy charged in hour 2): same numbers; a model
    without the cyclic condition would either gain nothing (soc0 = 0) or get free energy.
    """
    r = solve_ok(_arbitrage_case(prices))
    s = r.summary
    expected, capital = _arbitrage_expected()
    assert s["objective"] == approx(expected)
    assert s["total_cost"] == approx(expected)
    assert s["cost_breakdown"]["capital"] == approx(capital)
    assert s["capacity_mw"]["bess"] == approx(5.0)
    assert s["storage_mwh"]["bess"] == approx(5.0)
    cheap = prices.index(20.0)
    dear = 1 - cheap
    charge = column(r, "charge_mw:bess")
    discharge = column(r, "discharge_mw:bess")
    assert charge[cheap] == approx(5.0)
    assert discharge[dear] == approx(4.05)
    assert charge[dear] == approx(0.0)
    assert discharge[cheap] == approx(0.0)
    assert s["grid_import_mwh"]["utility"] == approx(15 + 5.95)


def test_battery_max_duration_caps_energy() -> None:
    """Six hours, load 10 MW, grid at 20 for three hours then 100 for three; rte 1 (η = 1).

    CONTRACT 3.4: "min_duration·P ≤ E ≤ max_duration·P". max_mw 5, max_duration 2 → E ≤ 10.
    Every MWh stored saves 80, so the battery fills E = 10 in the cheap hours and empties it
    in the dear ones (≤ 5 MW a step). Capital with CRF(7 %, 10 y) = 0.142378, H = 6/8760:
    per MW 1000·0.142378·100·H = 9.752, per MWh 1000·0.142378·50·H = 4.876; per MW of a
    2-hour battery 9.752 + 2·4.876 = 19.50 < 160, so P = 5, E = 10 (without the cap E = 15).
    Imports: 30 + 10 = 40 MWh at 20 and 30 − 10 = 20 MWh at 100 → 800 + 2000 = 2800.
    """
    sc = scenario(
        [10] * 6,
        price=[20, 20, 20, 100, 100, 100],
        technologies=[
            battery(
                power_capex_per_kw=100,
                energy_capex_per_kwh=50,
                min_duration_hours=1,
                max_duration_hours=2,
                max_mw=5,
            )
        ],
        finance={"discount_rate": 0.07},
    )
    r = solve_ok(sc)
    s = r.summary
    H = horizon_fraction(6, 60)
    f = crf(0.07, 10)
    capital = 5 * 1000 * f * 100 * H + 10 * 1000 * f * 50 * H
    assert s["storage_mwh"]["bess"] == approx(10.0)
    assert s["capacity_mw"]["bess"] == approx(5.0)
    assert s["objective"] == approx(2800 + capital)


def test_battery_min_duration_forces_energy() -> None:
    """The arbitrage case with min_duration 3 h, max_duration 4 h: E ≥ 3·P.

    CONTRACT 3.4: "min_duration·P ≤ E". Energy capacity costs money, so E sits at its lower
    bound 3·P. Per MW: 61 of savings (as in the two-price case) against capital
    8.093 + 3·5.515 = 24.64 < 61, so P = 5 and E = 15.
    Objective = 300 + 595 + 5·8.093 + 15·5.515 = 1018.19.
    """
    sc = _arbitrage_case([20, 100])
    sc["technologies"][0].update(min_duration_hours=3, max_duration_hours=4)
    r = solve_ok(sc)
    s = r.summary
    H = horizon_fraction(2, 60)
    f = crf(0.07, 15)
    capital = 5 * 1000 * (f * 250 + 8) * H + 15 * 1000 * f * 220 * H
    assert s["storage_mwh"]["bess"] == approx(15.0)
    assert s["objective"] == approx(300 + 595 + capital)


# --------------------------------------------------------------------------------------------
# 3.1 sized assets


def test_solar_sized_to_load_with_annualised_capital() -> None:
    """Two hours, load 10 MW, grid at 100; solar profile [1, 0], capex 1100/kW, O&M 18/kW-y.

    CONTRACT 3.1: "A sized asset of P MW costs P·1000·(CRF·capex_per_kw +
    fixed_om_per_kw_year)·H". CRF(7 %, 30 y) = 0.080586, H = 2/8760: 24.35 per MW, less than
    the 100 a MW saves in hour 1; beyond 10 MW the output is curtailed (worth nothing), so
    P = 10. Objective = 10·24.35 + 100·10 (hour 2 from the grid) = 1243.5.
    """
    sc = scenario(
        [10, 10],
        price=100,
        columns={"solar_cf": [1.0, 0.0]},
        technologies=[
            {
                "name": "roof-solar",
                "kind": "solar",
                "profile": "solar_cf",
                "capex_per_kw": 1100,
                "fixed_om_per_kw_year": 18,
                "lifetime_years": 30,
                "max_mw": 60,
            }
        ],
        finance={"discount_rate": 0.07},
    )
    r = solve_ok(sc)
    s = r.summary
    per_mw = 1000 * (crf(0.07, 30) * 1100 + 18) * horizon_fraction(2, 60)
    assert s["capacity_mw"]["roof-solar"] == approx(10.0)
    assert s["cost_breakdown"]["capital"] == approx(10 * per_mw)
    assert s["objective"] == approx(10 * per_mw + 1000)
    assert s["grid_import_mwh"]["utility"] == approx(10.0)


# --------------------------------------------------------------------------------------------
# 3.2 grid offers


def test_demand_charge_prorated_within_one_month() -> None:
    """Two January hours, load [10, 30]; offer A at 50 with a demand charge, B at 80 without.

    CONTRACT 3.2: demand charge "rate·peak[o,m]·f[m] ... where f[m] is the share of month m's
    hours that lie inside the horizon". f[Jan] = 2/744, rate 16740 → 45 per MW of A's peak.
    A's first 10 MW serve both hours, saving 2·30 = 60 > 45: taken. MW above 10 serve hour 2
    only, saving 30 < 45: left to B. So A = [10, 10], peak 10, B = [0, 20].
    Energy 50·20 + 80·20 = 2600, demand 45·10 = 450, total 3050. (Without the proration the
    peak charge would be 167 400 per MW and A would not be used at all.)
    """
    sc = scenario(
        [10, 30],
        grid_offers=[
            {"name": "A", "energy_price_per_mwh": 50, "demand_charge_per_mw_month": 16740},
            {"name": "B", "energy_price_per_mwh": 80},
        ],
    )
    r = solve_ok(sc)
    s = r.summary
    assert column(r, "grid_import_mw:A") == [approx(10), approx(10)]
    assert column(r, "grid_import_mw:B") == [approx(0), approx(20)]
    assert s["cost_breakdown"]["grid_energy"] == approx(2600)
    assert s["cost_breakdown"]["grid_demand"] == approx(450)
    assert s["total_cost"] == approx(3050)
    assert s["grid_import_mwh"] == {"A": approx(20), "B": approx(20)}


def test_demand_charge_across_a_local_month_boundary() -> None:
    """New York, four hours from 2027-01-31 22:00 local: two January, two February hours.

    CONTRACT 3.2: "for each local calendar month m, rate·peak[o,m]·f[m]". Loads [10, 20, 30,
    5] → January peak 20 with f = 2/744, February peak 30 with f = 2/672 (2027 is not a leap
    year). Rate 10000: demand = 10000·(20·2/744 + 30·2/672) = 537.634 + 892.857 = 1430.49.
    Energy 50·65 = 3250. (Read in UTC the four hours all fall in February: peak 30 once.)
    """
    sc = scenario(
        [10, 20, 30, 5],
        timezone="America/New_York",
        start="2027-01-31T22:00",
        grid_offers=[
            {"name": "utility", "energy_price_per_mwh": 50, "demand_charge_per_mw_month": 10000}
        ],
    )
    s = solve_ok(sc).summary
    demand = 10000 * (20 * 2 / 744 + 30 * 2 / 672)
    assert s["cost_breakdown"]["grid_demand"] == approx(demand)
    assert s["total_cost"] == approx(3250 + demand)


def test_fixed_fee_paid_even_when_offer_unused() -> None:
    """Two hours, load 10; a second offer priced 999/MWh with fixed_per_year 87600.

    CONTRACT 3.2: "fixed_per_year·H is paid whether or not the offer is used". H = 2/8760,
    so the unused offer costs 87600·2/8760 = 20. Energy 50·20 = 1000. Total 1020.
    """
    sc = scenario(
        [10, 10],
        grid_offers=[
            {"name": "utility", "energy_price_per_mwh": 50},
            {"name": "unused", "energy_price_per_mwh": 999, "fixed_per_year": 87600},
        ],
    )
    s = solve_ok(sc).summary
    assert s["grid_import_mwh"]["unused"] == approx(0.0)
    assert s["cost_breakdown"]["grid_fixed"] == approx(20.0)
    assert s["total_cost"] == approx(1020.0)
    assert s["objective"] == approx(1020.0)


def test_tou_blocks_first_match_local_time() -> None:
    """New York, Friday 2027-01-08 and Saturday 2027-01-09 (48 hours), load 10 MW.

    CONTRACT 3.2: "the first block that matches a step sets its price" (local time, Monday 0).
    Blocks: July only at 999 (never matches), weekdays 17-20 at 200, hours 8-20 at 100,
    default 40. Friday: 4 h at 200 + 9 h (8-16) at 100 + 11 h at 40 = 2140 per MW;
    Saturday (weekday 5): 13 h at 100 + 11 h at 40 = 1740 per MW. Total 10·3880 = 38800.
    """
    tou = {
        "tou": [
            {"months": [7], "price_per_mwh": 999},
            {"weekdays": [0, 1, 2, 3, 4], "hours": [17, 18, 19, 20], "price_per_mwh": 200},
            {"hours": list(range(8, 21)), "price_per_mwh": 100},
            {"price_per_mwh": 40},
        ]
    }
    sc = scenario(10, periods=48, price=tou, timezone="America/New_York", start="2027-01-08T00:00")
    r = solve_ok(sc)
    assert r.summary["total_cost"] == approx(38800)
    friday = [200 if 17 <= h <= 20 else 100 if 8 <= h <= 20 else 40 for h in range(24)]
    saturday = [100 if 8 <= h <= 20 else 40 for h in range(24)]
    assert column(r, "marginal_price_per_mwh") == [approx(p) for p in friday + saturday]


# --------------------------------------------------------------------------------------------
# 3.3 PPAs


def test_virtual_ppa_settlement_and_certificates() -> None:
    """Two hours, load 10, grid at 50, spot [30, 70], cfe_share 0.2, intensity 0.5.

    A virtual PPA of exactly 4 MW (min = max) at strike 40 with profile [1, 0.5].
    CONTRACT 3.3: settlement Σ(price − spot)·c·profile·Δt = 10·4·1 + (−30)·4·0.5 = −20 (income
    20); certificates v = [4, 2]. CONTRACT 3.6: I = [10, 10], u = min(I, v) = [4, 2],
    cfe_score = 1 − 0.8·(6 + 8)/20 = 0.44. CONTRACT 3.7: location-based 0.5·20 = 10 tCO2,
    market-based 0.5·(6 + 8) = 7 tCO2. Total cost 50·20 − 20 = 980. Delivers no energy: the
    grid still imports 20 MWh.
    """
    sc = scenario(
        [10, 10],
        spot=[30, 70],
        cfe_share=0.2,
        carbon_intensity=0.5,
        columns={"vppa_cf": [1.0, 0.5]},
        ppa_offers=[
            {
                "name": "wind-v",
                "kind": "virtual",
                "profile": "vppa_cf",
                "price_per_mwh": 40,
                "min_mw": 4,
                "max_mw": 4,
            }
        ],
    )
    r = solve_ok(sc)
    s = r.summary
    assert s["cost_breakdown"]["ppa_settlement"] == approx(-20)
    assert s["total_cost"] == approx(980)
    assert s["cfe_score"] == approx(0.44)
    assert s["emissions_tco2"]["location_based"] == approx(10)
    assert s["emissions_tco2"]["market_based"] == approx(7)
    assert s["grid_import_mwh"]["utility"] == approx(20)
    assert s["capacity_mw"]["wind-v"] == approx(4)


def test_virtual_ppa_certificates_never_cover_more_than_imports() -> None:
    """The same case with a 20 MW virtual PPA: v = [20, 10] ≥ I = [10, 10].

    CONTRACT 3.3: certificates cover imports "never more than the imports of that step", so
    u = [10, 10] and cfe_score = 1 exactly (not above 1); market-based emissions 0.
    Settlement 10·20·1 − 30·20·0.5 = −100; total cost 1000 − 100 = 900.
    """
    sc = scenario(
        [10, 10],
        spot=[30, 70],
        cfe_share=0.2,
        columns={"vppa_cf": [1.0, 0.5]},
        ppa_offers=[
            {
                "name": "wind-v",
                "kind": "virtual",
                "profile": "vppa_cf",
                "price_per_mwh": 40,
                "min_mw": 20,
                "max_mw": 20,
            }
        ],
    )
    s = solve_ok(sc).summary
    assert s["cfe_score"] == approx(1.0)
    assert s["emissions_tco2"]["market_based"] == approx(0.0)
    assert s["emissions_tco2"]["location_based"] == approx(10.0)
    assert s["total_cost"] == approx(900)


def _vppa_target_case(target: float) -> dict[str, Any]:
    return scenario(
        [10, 10],
        spot=[30, 70],
        cfe_share=0.2,
        columns={"vppa_cf": [1.0, 0.5]},
        ppa_offers=[
            {
                "name": "wind-v",
                "kind": "virtual",
                "profile": "vppa_cf",
                "price_per_mwh": 60,
                "max_mw": 100,
            }
        ],
        carbon={"cfe_target": target},
    )


def test_cfe_target_buys_just_enough_certificates() -> None:
    """Load 10 ×2, cfe_share 0.2, virtual PPA at 60 on spot [30, 70], profile [1, 0.5].

    Settlement per MW: 30·1 + (−10)·0.5 = 25 (a cost), so without a target c = 0 and
    cfe_score = 0.2. CONTRACT 3.6 with c ≤ 10: dirty = 0.8·((10 − c) + (10 − 0.5c)).
    Target 0.5 → dirty ≤ 0.5·20 = 10 → 20 − 1.5c ≤ 12.5 → c = 5. Total 1000 + 125 = 1125.
    The CFE row's shadow price: a MW of c removes 0.8·1.5 = 1.2 MWh of dirty energy for 25,
    i.e. 20.833 per MWh.
    """
    r = solve_ok(_vppa_target_case(0.5))
    s = r.summary
    assert s["capacity_mw"]["wind-v"] == approx(5.0)
    assert s["total_cost"] == approx(1125)
    assert s["cfe_score"] == approx(0.5)
    assert s["shadow_prices"]["cfe_per_mwh"] == approx(25 / 1.2)


def test_pay_as_produced_paid_for_curtailed_energy() -> None:
    """Load 10 ×2; a pay-as-produced PPA of exactly 30 MW, profile [1, 0.5], at 40.

    CONTRACT 3.3: "the buyer pays price·c·profile[t]·Δt for all of it, also what the site
    curtails or exports". Delivery [30, 15] > load: no imports, curtailment [20, 5] = 25 MWh,
    PPA payment 40·45 = 1800 = total cost. No grid energy → cfe_score 1.
    """
    sc = scenario(
        [10, 10],
        columns={"wind_cf": [1.0, 0.5]},
        ppa_offers=[
            {
                "name": "wind-a",
                "kind": "pay_as_produced",
                "profile": "wind_cf",
                "price_per_mwh": 40,
                "min_mw": 30,
                "max_mw": 30,
            }
        ],
    )
    r = solve_ok(sc)
    s = r.summary
    assert s["cost_breakdown"]["ppa_energy"] == approx(1800)
    assert s["total_cost"] == approx(1800)
    assert s["grid_import_mwh"]["utility"] == approx(0)
    assert column(r, "curtailment_mw") == [approx(20), approx(5)]
    assert column(r, "ppa_delivery_mw:wind-a") == [approx(30), approx(15)]
    assert s["cfe_score"] == approx(1.0)


def test_export_revenue_of_surplus() -> None:
    """The curtailment case with grid_export_limit_mw 8 and export_price 10.

    CONTRACT 3.5: 0 ≤ export ≤ 8, revenue Σ export_price·export·Δt. Surplus [20, 5] →
    export [8, 5], curtail [12, 0]; revenue 10·13 = 130; total 1800 − 130 = 1670.
    """
    sc = scenario(
        [10, 10],
        columns={"wind_cf": [1.0, 0.5]},
        site_extra={"grid_export_limit_mw": 8, "export_price": 10},
        ppa_offers=[
            {
                "name": "wind-a",
                "kind": "pay_as_produced",
                "profile": "wind_cf",
                "price_per_mwh": 40,
                "min_mw": 30,
                "max_mw": 30,
            }
        ],
    )
    r = solve_ok(sc)
    s = r.summary
    assert column(r, "export_mw") == [approx(8), approx(5)]
    assert column(r, "curtailment_mw") == [approx(12), approx(0)]
    assert s["cost_breakdown"]["export_revenue"] == approx(-130)
    assert s["total_cost"] == approx(1670)


def test_no_buying_from_the_grid_to_sell_back() -> None:
    """Export price 100 above the grid's 50, export limit 50, PPA delivery [30, 15], load 10.

    CONTRACT 3.5: "export[t] ≤ Σ physical PPA delivery[t] + Σ g[t] + Σ dis[t]". So export is
    at most [30, 15] (not the 50 MW limit); the load is then served from the grid (10 MW a
    step, allowed by that inequality). Revenue 100·45 = 4500, grid 50·20 = 1000, PPA 1800:
    total 1000 + 1800 − 4500 = −1700. Without the rule: export 50 twice, imports 30 and 45,
    total 3750 + 1800 − 10000 = −4450.
    """
    sc = scenario(
        [10, 10],
        columns={"wind_cf": [1.0, 0.5]},
        site_extra={"grid_export_limit_mw": 50, "export_price": 100},
        ppa_offers=[
            {
                "name": "wind-a",
                "kind": "pay_as_produced",
                "profile": "wind_cf",
                "price_per_mwh": 40,
                "min_mw": 30,
                "max_mw": 30,
            }
        ],
    )
    r = solve_ok(sc)
    assert column(r, "export_mw") == [approx(30), approx(15)]
    assert r.summary["total_cost"] == approx(-1700)


def test_baseload_ppa_delivers_in_every_step() -> None:
    """Three hours, load [10, 5, 20], grid at 50; a baseload PPA at 30, up to 100 MW.

    CONTRACT 3.3: "baseload: delivers c MW in every step at price per MWh". Each MW costs
    30·3 = 90 and displaces 50 in each step where the load is ≥ that MW: MW 0-5 save 150,
    MW 5-10 save 100 (> 90), MW 10-20 save 50 (< 90). So c = 10, delivered [10, 10, 10]
    (5 MW curtailed in hour 2), grid [0, 0, 10]. Total 900 + 500 = 1400.
    """
    sc = scenario(
        [10, 5, 20],
        ppa_offers=[{"name": "base", "kind": "baseload", "price_per_mwh": 30, "max_mw": 100}],
    )
    r = solve_ok(sc)
    s = r.summary
    assert s["capacity_mw"]["base"] == approx(10)
    assert column(r, "ppa_delivery_mw:base") == [approx(10)] * 3
    assert column(r, "grid_import_mw:utility") == [approx(0), approx(0), approx(10)]
    assert s["cost_breakdown"]["ppa_energy"] == approx(900)
    assert s["total_cost"] == approx(1400)


# --------------------------------------------------------------------------------------------
# 3.5 flexibility, 3.7 emissions cap


def test_flexibility_moves_load_to_the_cheaper_hour() -> None:
    """Two hours of one day, load 10, flexible_share 0.3, grid at [100, 20].

    CONTRACT 3.5: served = load + up − down, up, down ≤ 0.3·10 = 3, Σ(up − down) = 0 over the
    local day. 3 MW move to hour 2: served [7, 13]; cost 700 + 260 = 960; served 20 MWh.
    """
    sc = scenario([10, 10], price=[100, 20], load_extra={"flexible_share": 0.3})
    r = solve_ok(sc)
    assert column(r, "served_load_mw") == [approx(7), approx(13)]
    assert r.summary["total_cost"] == approx(960)
    assert r.summary["served_load_mwh"] == approx(20)


def test_emissions_cap_and_its_shadow_price() -> None:
    """Two hours, load 10, grid at 50 with 0.5 tCO2/MWh; a baseload PPA at 80 up to 100 MW.

    CONTRACT 3.7: location-based emissions 0.5·(10 − c)·2 ≤ 4 tCO2 → c ≥ 6. Each MW of c
    costs (80 − 50)·2 = 60 more and saves 1 tCO2: c = 6, total 80·12 + 50·8 = 1360, shadow
    price of the cap 60 per tCO2.
    """
    sc = scenario(
        [10, 10],
        ppa_offers=[{"name": "base", "kind": "baseload", "price_per_mwh": 80, "max_mw": 100}],
        carbon={"max_emissions_tco2": 4},
    )
    s = solve_ok(sc).summary
    assert s["capacity_mw"]["base"] == approx(6)
    assert s["total_cost"] == approx(1360)
    assert s["emissions_tco2"]["location_based"] == approx(4)
    assert s["shadow_prices"]["emissions_cap_per_tco2"] == approx(60)


def test_carbon_price_in_objective_not_in_total_cost() -> None:
    """The emissions case with no cap and a carbon price of 40 per tCO2.

    CONTRACT 3.8: minimise total_cost + carbon price·emissions. A MW of baseload costs 60
    more and saves 1 tCO2 worth 40: not taken. total_cost = 1000, emissions 10 tCO2,
    objective = 1000 + 400 = 1400. At 70 per tCO2 it is taken up to the load: c = 10,
    total_cost 1600, emissions 0, objective 1600.
    """
    base: dict[str, Any] = {
        "ppa_offers": [{"name": "base", "kind": "baseload", "price_per_mwh": 80, "max_mw": 100}]
    }
    s40 = solve_ok(scenario([10, 10], carbon={"price_per_tco2": 40}, **base)).summary
    assert s40["total_cost"] == approx(1000)
    assert s40["objective"] == approx(1400)
    s70 = solve_ok(scenario([10, 10], carbon={"price_per_tco2": 70}, **base)).summary
    assert s70["total_cost"] == approx(1600)
    assert s70["objective"] == approx(1600)
    assert s70["emissions_tco2"]["location_based"] == approx(0)


# --------------------------------------------------------------------------------------------
# time: 15-minute steps and DST days


def test_fifteen_minute_steps() -> None:
    """Eight 15-minute steps (2 h), load 10, grid at 20 for the first hour and 100 for the
    second; grid cfe_share 0.5, intensity 0.5; a gas generator (fuel 60, 0.42 tCO2/MWh).

    CONTRACT 3: Δt = 0.25 h, H = 2/8760. Generator capital per MW (3.1, CRF(7 %, 25 y) =
    0.085811): 1000·(0.085811·900 + 15)·H = 21.06, less than the 4·0.25·(100 − 60) = 40 a MW
    saves in the dear hour; so P = 10 and it runs the dear hour: fuel 60·10·1 h = 600.
    Grid 20·10·1 h = 200. Emissions: 0.5·10 + 0.42·10 = 9.2 tCO2 (no certificates: the
    market-based figure is the same). cfe_score = 1 − (0.5·10 + 10)/20 = 0.25.
    """
    sc = scenario(
        10,
        periods=8,
        resolution_minutes=15,
        price=[20] * 4 + [100] * 4,
        cfe_share=0.5,
        carbon_intensity=0.5,
        technologies=[
            {
                "name": "gas",
                "kind": "generator",
                "capex_per_kw": 900,
                "fixed_om_per_kw_year": 15,
                "lifetime_years": 25,
                "fuel_per_mwh": 60,
                "carbon_intensity_tco2_per_mwh": 0.42,
                "max_mw": 100,
            }
        ],
        finance={"discount_rate": 0.07},
    )
    r = solve_ok(sc)
    s = r.summary
    per_mw = 1000 * (crf(0.07, 25) * 900 + 15) * horizon_fraction(8, 15)
    assert s["capacity_mw"]["gas"] == approx(10)
    assert s["cost_breakdown"]["generator_fuel"] == approx(600)
    assert s["cost_breakdown"]["grid_energy"] == approx(200)
    assert s["total_cost"] == approx(800 + 10 * per_mw)
    assert s["emissions_tco2"]["location_based"] == approx(9.2)
    assert s["emissions_tco2"]["market_based"] == approx(9.2)
    assert s["cfe_score"] == approx(0.25)
    assert s["served_load_mwh"] == approx(20)
    assert s["grid_import_mwh"]["utility"] == approx(10)
    assert len(r.dispatch) == 8


@pytest.mark.parametrize(
    ("start", "periods", "month_hours", "dear_hour", "dear_steps"),
    [
        # Berlin 2027-03-28: 02:00 does not exist; March has 31·24 − 1 = 743 hours.
        ("2027-03-28T00:00", 23, 743, 3, 1),
        # Berlin 2027-10-31: 02:00 happens twice; October has 31·24 + 1 = 745 hours.
        ("2027-10-31T00:00", 25, 745, 2, 2),
    ],
)
def test_dst_day(
    start: str, periods: int, month_hours: int, dear_hour: int, dear_steps: int
) -> None:
    """A whole local DST day in Europe/Berlin, load 10; TOU: local hour ``dear_hour`` at 500,
    otherwise 50; demand charge rate 10·month_hours per MW-month.

    CONTRACT 3: "a local day can hold 23 or 25 hours"; 3.2: TOU hours and months are local.
    Spring (23 steps): hour 3 happens once → energy 10·(22·50 + 500) = 16000.
    Autumn (25 steps): hour 2 happens twice → energy 10·(23·50 + 2·500) = 21500.
    Demand: f = periods/month_hours → 10·month_hours·10·periods/month_hours = 100·periods
    (2300 and 2500). served_load = 10·periods.
    """
    tou = {"tou": [{"hours": [dear_hour], "price_per_mwh": 500}, {"price_per_mwh": 50}]}
    sc = scenario(
        10,
        periods=periods,
        timezone="Europe/Berlin",
        start=start,
        grid_offers=[
            {
                "name": "utility",
                "energy_price_per_mwh": tou,
                "demand_charge_per_mw_month": 10 * month_hours,
            }
        ],
    )
    r = solve_ok(sc)
    s = r.summary
    energy = 10 * ((periods - dear_steps) * 50 + dear_steps * 500)
    assert s["cost_breakdown"]["grid_energy"] == approx(energy)
    assert s["cost_breakdown"]["grid_demand"] == approx(100 * periods)
    assert s["served_load_mwh"] == approx(10 * periods)
    assert len(r.dispatch) == periods


def test_index_offer_price_is_spot_plus_adder() -> None:
    """CONTRACT 3.2 / section 2: with ``index_adder_per_mwh`` "price = spot + adder".
    Spot [30, 70], adder 5 → index price [35, 75]; a fixed offer at 60 beside it. Load 10:
    index in hour 1 (35 < 60), fixed in hour 2 (60 < 75): 350 + 600 = 950."""
    sc = scenario(
        [10, 10],
        spot=[30, 70],
        grid_offers=[
            {"name": "index", "index_adder_per_mwh": 5},
            {"name": "fixed", "energy_price_per_mwh": 60},
        ],
    )
    r = solve_ok(sc)
    assert column(r, "grid_import_mw:index") == [approx(10), approx(0)]
    assert column(r, "grid_import_mw:fixed") == [approx(0), approx(10)]
    assert r.summary["total_cost"] == approx(950)


def test_import_limit_shared_by_all_offers() -> None:
    """CONTRACT 3.2: "Σ_o imp[o,t] ≤ grid_import_limit_mw and imp[o,t] ≤ max_mw". A at 30 up
    to 5 MW, B at 60, limit 8 MW together; a fixed 10 MW generator (no capital) at 100 per
    MWh covers the rest. Load 10: A 5, B 3, generator 2 → per hour 150 + 180 + 200 = 530,
    two hours 1060."""
    sc = scenario(
        [10, 10],
        site_extra={"grid_import_limit_mw": 8},
        grid_offers=[
            {"name": "A", "energy_price_per_mwh": 30, "max_mw": 5},
            {"name": "B", "energy_price_per_mwh": 60},
        ],
        technologies=[
            {
                "name": "gas",
                "kind": "generator",
                "capex_per_kw": 0,
                "lifetime_years": 20,
                "fuel_per_mwh": 100,
                "carbon_intensity_tco2_per_mwh": 0.4,
                "min_mw": 10,
                "max_mw": 10,
            }
        ],
        finance={"discount_rate": 0.05},
    )
    r = solve_ok(sc)
    assert column(r, "grid_import_mw:A") == [approx(5)] * 2
    assert column(r, "grid_import_mw:B") == [approx(3)] * 2
    assert column(r, "output_mw:gas") == [approx(2)] * 2
    assert r.summary["total_cost"] == approx(1060)


def test_flexibility_shaves_the_demand_peak() -> None:
    """Two January hours, load [10, 30], flexible share 0.5, grid at 50 with a demand
    charge of 45 per MW over the horizon (rate 16740, f = 2/744).

    CONTRACT 3.5: "0 ≤ up, down ≤ flexible_share·load[t]": hour 1 may take up to 0.5·10 = 5
    more, hour 2 may shed up to 15. Energy is the same in both hours, so only the peak
    matters: served [15, 25], peak 25. Cost 50·40 + 45·25 = 3125 (without flexibility
    3350; were the bound 0.5·30 in both hours, [20, 20] and 2900).
    """
    sc = scenario(
        [10, 30],
        load_extra={"flexible_share": 0.5},
        grid_offers=[
            {"name": "utility", "energy_price_per_mwh": 50, "demand_charge_per_mw_month": 16740}
        ],
    )
    r = solve_ok(sc)
    assert column(r, "served_load_mw") == [approx(15), approx(25)]
    assert r.summary["total_cost"] == approx(3125)
