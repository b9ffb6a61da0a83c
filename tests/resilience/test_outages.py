"""Outages, lost load and backup adequacy (CONTRACT 12, docs/resilience.md).

Every expected number is derived by hand in the docstring. Common data: r = 0, so a
generator of ``capex_per_kw`` c over 1 year costs ``1000·c·H`` per MW with H = T/8760;
``capex_per_kw: 4380`` over T = 6 hours is 1000·4380·6/8760 = 3000 per MW.
"""

from __future__ import annotations

import math
from typing import Any

import pytest
from pytest import approx

from optimizer.errors import ScenarioError
from optimizer.scenario import load_problem
from tests.core.helpers import column, scenario, solve_ok

R0 = {"discount_rate": 0.0}
OUTAGE = {"start": "2027-01-04T02:00", "hours": 2}  # steps 2 and 3 (UTC, hourly)


def gen(**kw: Any) -> dict[str, Any]:
    d: dict[str, Any] = {
        "name": "gen",
        "kind": "generator",
        "capex_per_kw": 4380,
        "lifetime_years": 1,
        "fuel_per_mwh": 100,
        "carbon_intensity_tco2_per_mwh": 0.7,
    }
    d.update(kw)
    return d


def six_hours(resilience: dict[str, Any], **kw: Any) -> dict[str, Any]:
    return scenario([10] * 6, price=50, finance=R0, technologies=[gen(**kw)], resilience=resilience)


def test_generator_sized_by_outage_fuel_not_binding() -> None:
    """Six hours of 10 MW, grid at 50, a generator at 3000 per MW and fuel 100/MWh (dearer
    than the grid: it runs only when it must); a 2-hour outage in steps 2-3, 12 h of fuel.

    No import in the outage and the whole load is critical, so g = 10 in steps 2-3 and
    P = 10. Fuel used 20 MWh ≤ 12·10 = 120 (not binding: 1/6 of the tank).
    Objective = 10·3000 + 4·10·50 + 20·100 = 30000 + 2000 + 2000 = 34000.
    """
    r = solve_ok(six_hours({"outages": [OUTAGE], "fuel_storage_hours": 12}))
    s = r.summary
    assert s["capacity_mw"]["gen"] == approx(10.0)
    assert s["objective"] == approx(34000.0)
    assert column(r, "grid_import_mw:utility")[2:4] == approx([0.0, 0.0], abs=1e-9)
    o = s["resilience"]["outages"][0]
    assert o["generator_mwh"] == approx(20.0)
    assert o["unserved_mwh"] == approx(0.0, abs=1e-9)
    assert o["battery_mwh"] == approx(0.0, abs=1e-9)
    assert o["start"] == OUTAGE["start"] and o["hours"] == 2
    assert o["fuel_used_share"] == approx(20 / 120)


def test_generator_sized_by_outage_fuel_binding() -> None:
    """As above with 1 h of fuel on site: Σ_{outage} g·Δt = 20 ≤ 1·P → P = 20 (the tank,
    not the power, sizes the generator). Objective = 20·3000 + 2000 + 2000 = 64000.
    """
    r = solve_ok(six_hours({"outages": [OUTAGE], "fuel_storage_hours": 1}))
    s = r.summary
    assert s["capacity_mw"]["gen"] == approx(20.0)
    assert s["objective"] == approx(64000.0)
    assert s["resilience"]["outages"][0]["fuel_used_share"] == approx(1.0)
    assert s["resilience"]["fuel_storage_mwh"] == approx(20.0)
    # fuel hours at the critical peak: 20 MWh / 10 MW = 2 h
    assert s["resilience"]["autonomy_hours"] == approx(2.0)


def test_generator_own_fuel_storage_overrides_site() -> None:
    """The generator's own ``fuel_storage_hours: 2`` beats the site's 1: P = 20/2 = 10."""
    r = solve_ok(six_hours({"outages": [OUTAGE], "fuel_storage_hours": 1}, fuel_storage_hours=2))
    assert r.summary["capacity_mw"]["gen"] == approx(10.0)


@pytest.mark.parametrize(("voll", "P", "objective"), [(1000, 5.0, 28000.0), (2000, 10.0, 34000.0)])
def test_value_of_lost_load_shed(voll: float, P: float, objective: float) -> None:
    """Critical share 0.5: 5 MW must be served in the outage, the other 5 may be shed at
    VoLL. A MW of generator above 5 costs 3000 + 2 h·100 fuel = 3200 and saves 2 MWh of
    lost load, worth 2·VoLL.

    VoLL 1000: 2000 < 3200 → shed. P = 5, lost = 5·2 = 10 MWh at 1000 = 10000;
    objective = 5·3000 + 2000 (grid) + 10·100 (fuel) + 10000 = 28000.
    VoLL 2000: 4000 > 3200 → P = 10, nothing lost; objective = 30000 + 2000 + 2000 = 34000.
    """
    res = {"outages": [OUTAGE], "critical_load_share": 0.5, "value_of_lost_load_per_mwh": voll}
    r = solve_ok(six_hours(res))
    s = r.summary
    assert s["capacity_mw"]["gen"] == approx(P)
    assert s["objective"] == approx(objective)
    lost = (10 - P) * 2
    assert s["resilience"]["outages"][0]["unserved_mwh"] == approx(lost, abs=1e-7)
    assert s["cost_breakdown"].get("lost_load", 0.0) == approx(lost * voll, abs=1e-6)
    assert sum(column(r, "served_load_mw")) == approx(60 - lost)
    assert s["served_load_mwh"] == approx(60 - lost)


def test_critical_share_binds_flexibility_in_outage() -> None:
    """Flexible share 0.5 could move 5 MW out of the outage; with critical share 1 the
    served load in outage steps stays ≥ 10, so the generator still carries 10 MW:
    P = 10 and the objective is the fuel-not-binding case's 34000 (flexibility is free
    but cannot help: the grid price is flat).
    """
    sc = six_hours({"outages": [OUTAGE]})
    sc["load"]["flexible_share"] = 0.5
    r = solve_ok(sc)
    assert r.summary["capacity_mw"]["gen"] == approx(10.0)
    assert r.summary["objective"] == approx(34000.0)
    served = column(r, "served_load_mw")
    assert served[2] >= 10 - 1e-6 and served[3] >= 10 - 1e-6


def test_n_plus_one_capacity() -> None:
    """Three hours of [8, 10, 9] MW, no outage; units of 4 MW, N+1: P ≥ 10 + 1·4 = 14
    (N continuous). Per MW 1000·4380·3/8760 = 1500; the generator is not run (fuel 100 >
    grid 50). Objective = 14·1500 + 27·50 = 22350.

    Survival (docs/resilience.md): n = ⌈14/4⌉ = 4 units, k = ⌈10/4⌉ = 3 needed; for
    D = 24 h (the default) q = 0.995·(1 − 0.0094)·(1 − 1/1100)^24 and
    S = 4·q³·(1 − q) + q⁴.
    """
    sc = scenario(
        [8, 10, 9],
        price=50,
        finance=R0,
        technologies=[gen(unit_mw=4, redundancy=1)],
        resilience={},
    )
    r = solve_ok(sc)
    s = r.summary
    assert s["capacity_mw"]["gen"] == approx(14.0)
    assert s["objective"] == approx(22350.0)
    g = s["resilience"]["generators"]["gen"]
    assert g["units"] == 4 and g["redundancy"] == 1
    q = 0.995 * (1 - 0.0094) * (1 - 1 / 1100) ** 24
    assert s["resilience"]["survival_hours"] == 24
    assert s["resilience"]["survival_probability"] == approx(4 * q**3 * (1 - q) + q**4)


def test_n_plus_r_uses_critical_share() -> None:
    """Critical share 0.5 of the 10 MW peak, N+2 of 2 MW units: P ≥ 5 + 4 = 9."""
    sc = scenario(
        [8, 10, 9],
        price=50,
        finance=R0,
        technologies=[gen(unit_mw=2, redundancy=2)],
        resilience={"critical_load_share": 0.5},
    )
    assert solve_ok(sc).summary["capacity_mw"]["gen"] == approx(9.0)


def test_run_hour_cap_binding() -> None:
    """Ten hours of 10 MW, grid at 100; a generator of exactly 10 MW (no capital) burning
    fuel at 20: it would run all ten hours. ``max_run_hours_per_year: 2628`` with
    H = 10/8760 allows 2628·10·H = 30 MWh (3 full-load hours) outside outages; a 2-hour
    outage in steps 0-1 adds 20 MWh that do not count.
    Generator 50 MWh at 20 = 1000; imports 100 − 50 = 50 MWh at 100 = 5000; total 6000.
    Emissions: 50·0.7 (generator) + 50·0.5 (grid) = 60 tCO2; outside outages 30·0.7 = 21.
    """
    sc = scenario(
        [10] * 10,
        price=100,
        finance=R0,
        technologies=[
            gen(capex_per_kw=0, fuel_per_mwh=20, min_mw=10, max_mw=10, max_run_hours_per_year=2628)
        ],
        resilience={"outages": [{"start": "2027-01-04T00:00", "hours": 2}]},
    )
    r = solve_ok(sc)
    s = r.summary
    assert s["objective"] == approx(6000.0)
    assert s["emissions_tco2"]["location_based"] == approx(60.0)
    g = s["resilience"]["generators"]["gen"]
    assert g["run_hours_outside_outages"] == approx(3.0)
    assert g["max_run_hours_in_horizon"] == approx(3.0)
    assert g["emissions_outside_outages_tco2"] == approx(21.0)
    assert g["emissions_in_outages_tco2"] == approx(14.0)


def test_battery_carries_state_of_charge_into_outage() -> None:
    """Four hours of 10 MW, grid at 50; a free battery (rte 1, no capital) of up to 20 MW
    and 20 MWh, and a generator at 1000·4380·4/8760 = 2000 per MW: the battery charges
    from the grid before the 2-hour outage in steps 2-3 and carries it alone (the state of
    charge at the outage start is 20 MWh). Objective = 40 MWh·50 = 2000, P_gen = 0.
    """
    sc = scenario(
        [10] * 4,
        price=50,
        finance=R0,
        technologies=[
            gen(),
            {
                "name": "bess",
                "kind": "battery",
                "power_capex_per_kw": 0,
                "energy_capex_per_kwh": 0,
                "lifetime_years": 10,
                "round_trip_efficiency": 1.0,
                "max_mw": 20,
                "max_duration_hours": 1,
            },
        ],
        resilience={"outages": [OUTAGE]},
    )
    r = solve_ok(sc)
    s = r.summary
    assert s["objective"] == approx(2000.0)
    assert s["capacity_mw"]["gen"] == approx(0.0, abs=1e-9)
    o = s["resilience"]["outages"][0]
    assert o["battery_mwh"] == approx(20.0)
    assert o["battery_soc_at_start_mwh"] == approx(20.0)


def test_outage_outside_horizon_refused() -> None:
    sc = six_hours({"outages": [{"start": "2027-03-01T00:00", "hours": 2}]})
    with pytest.raises(ScenarioError) as exc:
        load_problem(sc)
    assert "resilience.outages[0].start" in str(exc.value)


def test_overlapping_outages_refused() -> None:
    sc = six_hours({"outages": [OUTAGE, {"start": "2027-01-04T03:00", "hours": 1}]})
    with pytest.raises(ScenarioError) as exc:
        load_problem(sc)
    assert "resilience.outages[1].start" in str(exc.value) and "overlaps" in str(exc.value)


def test_redundancy_needs_unit_size() -> None:
    sc = six_hours({}, redundancy=1)
    with pytest.raises(ScenarioError) as exc:
        load_problem(sc)
    assert "unit_mw" in str(exc.value)


def test_outage_in_local_time() -> None:
    """``start`` is local time: 02:00 in New York on 4 January 2027 is 07:00 UTC; with the
    site starting at local midnight the outage covers steps 2 and 3."""
    sc = scenario(
        [10] * 6,
        price=50,
        finance=R0,
        timezone="America/New_York",
        technologies=[gen()],
        resilience={"outages": [OUTAGE]},
    )
    p = load_problem(sc)
    assert p.grid_available is not None
    assert list(p.grid_available) == [1, 1, 0, 0, 1, 1]


def test_no_keys_build_no_new_rows() -> None:
    """Without the new keys nothing of this issue is built (the LP is today's)."""
    from optimizer.model import build_model

    sc = scenario([10] * 6, price=50, finance=R0, technologies=[gen()])
    built = build_model(load_problem(sc))
    names = {c.name for c in built.model.component_objects(descend_into=True)}
    assert not any(
        n.endswith(("resilience", "demand_response", "compute_flexibility")) for n in names
    )
    p = load_problem(sc)
    assert p.resilience is None and p.demand_response == [] and p.load_flex is None
    assert p.grid_available is None
    assert math.isfinite(solve_ok(sc).summary["objective"])
