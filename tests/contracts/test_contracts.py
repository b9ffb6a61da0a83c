"""Supply contracts as signed (CONTRACT 13): every number derived by hand in the docstring.

Two hourly steps unless said otherwise, so H = 2/8760 and a fee of 8,760 per year is 2 over
the horizon.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from optimizer.decisions import compare
from optimizer.model import build_model
from optimizer.scenario import load_problem
from optimizer.solve import solve

H2 = 2.0 / 8760.0


def _sc(load: list[float], spot: list[float], offers: list[dict[str, Any]], **extra: Any) -> dict:  # type: ignore[type-arg]
    sc: dict[str, Any] = {
        "name": "contracts",
        "currency": "EUR",
        "site": {
            "timezone": "UTC",
            "start": "2027-01-04T00:00",
            "periods": len(load),
            "resolution_minutes": 60,
        },
        "series": {"columns": {"load": load, "spot": spot}},
        "load": {"mw": "load"},
        "grid": {
            "carbon_intensity_tco2_per_mwh": 0.5,
            "cfe_share": 0.0,
            "spot_price_per_mwh": "spot",
        },
        "grid_offers": offers,
    }
    for k, v in extra.items():
        if k == "site":
            sc["site"].update(v)
        else:
            sc[k] = v
    return sc


def exclusive_case(fixed_price: float = 58.0, adder: float = 5.0) -> dict:  # type: ignore[type-arg]
    """Load 10 MW; spot [10, 100]. fixed: 58/MWh and a fee of 8,760/yr (2 over the horizon);
    index: spot + 5 and a fee of 4,380/yr (1). Hour by hour the mix would take index in step 1
    (15 < 58) and fixed in step 2: 150 + 580 + 2 + 1 = 733. Signed alone: fixed 58·20 + 2 =
    1,162; index (15 + 105)·10 + 1 = 1,201. The answer is fixed, with its fee only: 1,162."""
    return _sc(
        [10, 10],
        [10, 100],
        [
            {
                "name": "fixed",
                "group": "supply",
                "energy_price_per_mwh": fixed_price,
                "fixed_per_year": 8760,
            },
            {
                "name": "index",
                "group": "supply",
                "index_adder_per_mwh": adder,
                "fixed_per_year": 4380,
            },
        ],
    )


def test_exclusive_offers_sign_the_better_single_one() -> None:
    r = solve(load_problem(exclusive_case()))
    s = r.summary
    assert r.status == "optimal"
    assert s["objective"] == pytest.approx(1162.0)
    assert s["signed_offers"] == {"supply": "fixed"}
    assert s["grid_import_mwh"] == pytest.approx({"fixed": 20.0, "index": 0.0})
    assert s["cost_breakdown"]["grid_fixed"] == pytest.approx(2.0)  # the index fee is not paid
    # duals come from the LP with the choice fixed: the marginal price is fixed's 58
    assert s["marginal_price_per_mwh"]["mean"] == pytest.approx(58.0)


def test_exclusive_offers_milp_gives_the_same_answer() -> None:
    """The MILP path (one binary per grouped offer, imports ≤ M·y) agrees with enumeration."""
    from optimizer.model.highs import HighsLp

    p = load_problem(exclusive_case())
    built = build_model(p)
    lp = HighsLp(built.model)
    lp.choice_method = "milp"
    assert lp.solve() == "optimal"
    assert lp.objective == pytest.approx(1162.0)
    assert lp.choices_solved == 0


def test_group_without_a_group_keeps_section_3_2() -> None:
    """The same two offers without a group: the hourly mix (3.2), both fees paid: 733."""
    sc = exclusive_case()
    for o in sc["grid_offers"]:
        o.pop("group")
    assert solve(load_problem(sc)).summary["objective"] == pytest.approx(733.0)


def test_compare_values_and_grid_breakevens() -> None:
    """Value of fixed = 1,201 − 1,162 = 39 (the next best, index, named); index is unsigned:
    value 0, nothing saved (an unsigned offer pays nothing).
    Breakevens. fixed stops being signed when 20·p + 2 > 1,201, above p = 59.95; index
    would be signed when (10 + a + 100 + a)·10 + 1 < 1,162, below an adder a = 3.05."""
    r = compare(load_problem(exclusive_case()))
    it = {i.name: i for i in r.items}
    assert it["fixed"].value == pytest.approx(39.0)
    assert it["fixed"].signed and it["fixed"].alternative == "index"
    assert it["index"].value == 0.0 and it["index"].saving_if_dropped == 0.0
    assert not it["index"].signed
    assert it["fixed"].breakeven_price_per_mwh == pytest.approx(59.95, abs=0.011)
    assert it["fixed"].breakeven_direction == "down"
    assert it["fixed"].breakeven == "not signed above 59.95"
    lo, hi = it["fixed"].breakeven_bracket
    assert lo < 59.95 < hi + 1e-9 or hi < 59.95 < lo
    assert it["index"].breakeven_index_adder_per_mwh == pytest.approx(3.05, abs=0.011)
    assert it["index"].breakeven == "signed below spot + 3.05"
    assert it["index"].breakeven_price_per_mwh is None
    d = r.to_dict()
    assert d["signed_offers"] == {"supply": "fixed"}
    assert [i["name"] for i in d["items"]] == ["fixed", "index"]  # ranked by value


def test_grid_breakeven_verified_by_a_cold_solve_on_each_side() -> None:
    """Independently of compare: fresh solves a cent either side of 59.95 sign the other."""
    below = solve(load_problem(exclusive_case(fixed_price=59.94)))
    above = solve(load_problem(exclusive_case(fixed_price=59.96)))
    assert below.summary["signed_offers"] == {"supply": "fixed"}
    assert above.summary["signed_offers"] == {"supply": "index"}
    assert above.summary["objective"] == pytest.approx(1201.0)


def test_unused_offer_without_group_is_worth_zero_and_saves_its_fee() -> None:
    """utility 50/MWh serves 10 MW in 2 steps (1,000); spare: 60/MWh and a fee of 8,760/yr
    (2), never used. Section 3.2: its fee is paid (objective 1,002). Its value is 0, and
    dropping it saves the 2."""
    sc = _sc(
        [10, 10],
        [30, 30],
        [
            {"name": "utility", "energy_price_per_mwh": 50},
            {"name": "spare", "energy_price_per_mwh": 60, "fixed_per_year": 8760},
        ],
    )
    r = compare(load_problem(sc))
    assert r.base.objective == pytest.approx(1002.0)
    it = {i.name: i for i in r.items}
    assert it["spare"].value == 0.0
    assert it["spare"].saving_if_dropped == pytest.approx(2.0)
    assert "saves its fixed fee" in it["spare"].verdict
    # spare would be used below 50 (the utility's price)
    assert it["spare"].breakeven_price_per_mwh == pytest.approx(50.0, abs=0.011)
    assert it["spare"].breakeven == "used below 50.00"


def block_case(take_or_pay: float) -> dict:  # type: ignore[type-arg]
    """Load [10, 2] MW, spot [25, 20]. A 6 MW block at 30 with swing 50 % (3..9 MW delivered
    in each step), unused block energy resold at spot − 5, the rest at spot (no adder).

    With take-or-pay 100 % (Σ d ≥ 12 MWh): the block costs 30·12 = 360 however split; with
    d1 + d2 = 12, the cost is 360 + 25·(10 − d1) − 15·(d2 − 2) = 460 − 10·d1, so d1 = 9,
    d2 = 3: 360 + 25 − 15 = 370 (rest 1 MWh, resold 1 MWh).
    Without take-or-pay: the block is dearer than spot in both steps, so each at its swing
    minimum 3: 30·6 + 25·7 − 15·1 = 340."""
    return _sc(
        [10, 2],
        [25, 20],
        [
            {
                "name": "block",
                "block_mw": 6,
                "energy_price_per_mwh": 30,
                "swing_share": 0.5,
                "take_or_pay_share": take_or_pay,
                "resale_spread_per_mwh": 5,
            }
        ],
    )


def test_block_with_swing_take_or_pay_and_spot_settlement() -> None:
    r = solve(load_problem(block_case(1.0)))
    s = r.summary
    assert s["objective"] == pytest.approx(370.0)
    assert s["block_offers"]["block"] == pytest.approx(
        {"block_mwh": 12.0, "delivered_mwh": 12.0, "resold_mwh": 1.0, "rest_mwh": 1.0}
    )
    assert s["cost_breakdown"]["grid_resale"] == pytest.approx(-15.0)
    assert r.dispatch is not None
    assert r.dispatch["grid_import_mw:block"].tolist() == pytest.approx([10.0, 2.0])
    assert solve(load_problem(block_case(0.0))).summary["objective"] == pytest.approx(340.0)


def test_network_capacity_charge_on_the_peak_and_levies() -> None:
    """Load [10, 30] MW at 50/MWh: energy 50·40 = 2,000. Capacity 8,760/MW-yr on the peak
    30 MW × H: 8,760·30·2/8760 = 60. Network energy 2·40 = 80; levies 3·40 = 120. Total
    2,260, whatever the supplier."""
    sc = _sc(
        [10, 30],
        [30, 30],
        [{"name": "utility", "energy_price_per_mwh": 50}],
        site={
            "network": {"capacity_charge_per_mw_year": 8760, "energy_charge_per_mwh": 2},
            "levies_per_mwh": 3,
        },
    )
    s = solve(load_problem(sc)).summary
    cb = s["cost_breakdown"]
    assert cb["network_capacity"] == pytest.approx(60.0)
    assert cb["network_energy"] == pytest.approx(80.0)
    assert cb["levies"] == pytest.approx(120.0)
    assert s["total_cost"] == pytest.approx(2260.0)


def test_network_capacity_charge_monthly_peak() -> None:
    """Steps at 31 Jan 23:00 (10 MW) and 1 Feb 00:00 (30 MW): rate/12·Σ f[m]·peak[m] with
    f[Jan] = 1/744, f[Feb] = 1/672 hours: 8,760/12·(10/744 + 30/672)."""
    sc = _sc(
        [10, 30],
        [30, 30],
        [{"name": "utility", "energy_price_per_mwh": 50}],
        site={
            "start": "2027-01-31T23:00",
            "network": {
                "capacity_charge_per_mw_year": 8760,
                "capacity_charge_basis": "monthly_peak",
            },
        },
    )
    s = solve(load_problem(sc)).summary
    assert s["cost_breakdown"]["network_capacity"] == pytest.approx(
        8760 / 12 * (10 / 744 + 30 / 672)
    )


def ppa_case(rule: str) -> dict:  # type: ignore[type-arg]
    """Load 10 MW, grid 50/MWh, spot [−10, 40]; a pay-as-produced PPA, profile [1, 1],
    strike 30, at most 4 MW (always worth taking at its 4 MW: it replaces grid at 50)."""
    return _sc(
        [10, 10],
        [-10, 40],
        [{"name": "utility", "energy_price_per_mwh": 50}],
        ppa_offers=[
            {
                "name": "wind",
                "kind": "pay_as_produced",
                "technology": "wind_onshore",
                "profile": 1.0,
                "price_per_mwh": 30,
                "max_mw": 4,
                "negative_price_rule": rule,
            }
        ],
    )


@pytest.mark.parametrize(
    ("rule", "objective", "ppa_energy", "delivered"),
    [
        # pay: 30·8 + grid 50·12 = 840
        ("pay", 840.0, 240.0, 8.0),
        # no_pay_below_zero: step 1 delivered but not paid: 30·4 + 50·12 = 720
        ("no_pay_below_zero", 720.0, 120.0, 8.0),
        # curtail: nothing delivered in step 1: 30·4 + 50·16 = 920
        ("curtail", 920.0, 120.0, 4.0),
    ],
)
def test_ppa_negative_price_rules(
    rule: str, objective: float, ppa_energy: float, delivered: float
) -> None:
    s = solve(load_problem(ppa_case(rule))).summary
    assert s["objective"] == pytest.approx(objective)
    assert s["cost_breakdown"]["ppa_energy"] == pytest.approx(ppa_energy)
    m = s["ppa_metrics"]["wind"]
    assert m["energy_mwh"] == pytest.approx(delivered)
    # settlement cost Σ paid·(30 − spot)·4: pay (30 + 10)·4 + (30 − 40)·4 = 120; the other
    # two rules pay nothing in step 0 (spot −10): (30 − 40)·4 = −40
    assert m["settlement_cost"] == pytest.approx(120.0 if rule == "pay" else -40.0)
    if rule == "curtail":
        # profile [0, 1]: capture price 40, average spot 15, shape cost (15 − 40)·4 = −100
        assert m["capture_price_per_mwh"] == pytest.approx(40.0)
        assert m["capture_rate"] == pytest.approx(40.0 / 15.0)
        assert m["shape_cost"] == pytest.approx(-100.0)
    else:
        # flat profile: capture price = average spot 15, rate 1, no shape cost
        assert m["capture_price_per_mwh"] == pytest.approx(15.0)
        assert m["capture_rate"] == pytest.approx(1.0)
        assert m["shape_cost"] == pytest.approx(0.0, abs=1e-9)


def test_ppa_technology_renewable_ledger_and_materials_basis() -> None:
    """A nuclear PPA is carbon-free but not renewable: its delivery stays out of the
    renewable ledger; wind (and a PPA without technology) goes in. wind_onshore takes the
    wind_onshore materials basis."""
    sc = ppa_case("pay")
    sc["ppa_offers"].append(
        {"name": "npp", "kind": "baseload", "technology": "nuclear", "price_per_mwh": 80}
    )
    sc["ppa_offers"].append(
        {"name": "plain", "kind": "pay_as_produced", "profile": 0.5, "price_per_mwh": 90}
    )
    p = load_problem(sc)
    assert {q.name: q.renewable for q in p.ppas} == {"wind": True, "npp": False, "plain": True}
    c = build_model(p).builder.base
    # every variable at 1: wind 1·1 + plain 1·0.5 = 1.5 MW per step; npp (1 MW) not counted
    assert c.renewable.evaluate(lambda vs: np.ones(len(vs))) == pytest.approx([1.5, 1.5])
    # all three deliver into the balance (carbon-free whatever the technology)
    assert c.physical_supply.evaluate(lambda vs: np.ones(len(vs))) == pytest.approx([2.5, 2.5])
    bases = {it.name: it.basis for it in p.materials.items}
    assert bases.get("wind") == "wind_onshore"


def test_plausibility_warnings_name_the_field() -> None:
    """0.065 per MWh beside a spot of 30 reads as per kWh; a 12,000 MW load as kW; a CFE
    target of 0.9 with no clean supply at all (grid clean share 0, no PPA) is unreachable."""
    sc = _sc(
        [12000, 12000],
        [30, 30],
        [{"name": "utility", "energy_price_per_mwh": 0.065}],
        carbon={"cfe_target": 0.0},
    )
    r = solve(load_problem(sc))
    w = r.summary["warnings"]
    assert any(x.startswith("grid_offers[utility].energy_price_per_mwh") for x in w)
    assert any(x.startswith("load.mw") for x in w)
    from optimizer.scenario.plausibility import check

    sc["carbon"] = {"cfe_target": 0.9}
    sc["grid_offers"][0]["energy_price_per_mwh"] = 65
    sc["series"]["columns"]["load"] = [10, 10]
    got = check(load_problem(sc))
    assert len(got) == 1 and got[0].startswith("carbon.cfe_target")


def test_infeasible_load_names_the_binding_limit() -> None:
    """Load 30 MW in step 2 with a 20 MW connection: 10 MWh unserved, the limit binds once."""
    sc = _sc(
        [10, 30],
        [30, 30],
        [{"name": "utility", "energy_price_per_mwh": 50}],
        site={"grid_import_limit_mw": 20},
    )
    r = solve(load_problem(sc))
    assert r.status == "infeasible"
    assert "site.grid_import_limit_mw 20 binds in 1 step" in r.message
    assert r.diagnosis["binding_limits"] == ["site.grid_import_limit_mw 20 binds in 1 step"]


def test_required_item_value_at_the_best_relaxed_target() -> None:
    """Load 10 MW, grid 50/MWh and no clean share; a wind PPA, profile [1, 0], strike 60,
    at most 10 MW; CFE target 0.5: wind must cover step 1 (10 MWh clean of 20). Without wind
    the best reachable score is 0: value_relaxed = 1,000 − (600 + 500) = −100 at target 0."""
    sc = _sc(
        [10, 10],
        [30, 30],
        [{"name": "utility", "energy_price_per_mwh": 50}],
        series={"columns": {"load": [10, 10], "spot": [30, 30], "wind": [1.0, 0.0]}},
        ppa_offers=[
            {
                "name": "wind",
                "kind": "pay_as_produced",
                "profile": "wind",
                "price_per_mwh": 60,
                "max_mw": 10,
            }
        ],
        carbon={"cfe_target": 0.5},
    )
    r = compare(load_problem(sc), breakeven=False)
    assert r.base.objective == pytest.approx(1100.0)
    wind = next(i for i in r.items if i.name == "wind")
    assert wind.required and wind.value is None
    assert wind.relaxed_target is not None
    assert wind.relaxed_target["field"] == "carbon.cfe_target"
    assert wind.relaxed_target["best_without"] == pytest.approx(0.0, abs=1e-6)
    assert wind.value_relaxed == pytest.approx(-100.0)
    assert np.isfinite(wind.value_relaxed)
