"""Long-duration storage (``kind: long_duration_storage``), added as one unit module.

Each case is small enough to solve by hand; the derivation is in the docstring and the
numbers asserted are the derived ones (CONTRACT 3, docs/formulation.md).
"""

from __future__ import annotations

from typing import Any

import pytest
from pytest import approx

from optimizer.errors import ScenarioError
from optimizer.scenario import load_problem
from tests.core.helpers import horizon_fraction, scenario, solve_ok

R0 = {"discount_rate": 0.0}


def ldes(**kw: Any) -> dict[str, Any]:
    d: dict[str, Any] = {
        "name": "iron-air",
        "kind": "long_duration_storage",
        "power_capex_per_kw": 0.0,
        "energy_capex_per_kwh": 1.0,
        "lifetime_years": 20,
        "round_trip_efficiency": 1.0,
        "max_mw": 5,
    }
    d.update(kw)
    return d


def _ldes_case(self_discharge: float) -> dict[str, Any]:
    return scenario(
        [10, 10, 10],
        price=[20, 100, 100],
        technologies=[ldes(self_discharge_per_hour=self_discharge)],
        finance=R0,
    )


@pytest.mark.parametrize(("sigma", "delivered"), [(0.1, 4.5), (0.0, 5.0)])
def test_long_duration_storage_loses_its_self_discharge(sigma: float, delivered: float) -> None:
    """Three hours, load 10 MW, grid at 20 then 100, 100; a store of at most 5 MW, rte 1,
    energy capex 1/kWh (so E sits at what is used), self-discharge σ per hour.

    soc[t] = (1−σ)·soc[t−1] + ch[t] − dis[t], cyclic. Charging 5 MW in hour 0 and emptying
    by hour 2: soc0 = 5; with σ = 0.1, soc1 = 4.5 − dis1 and dis2 = 0.9·soc1, so the energy
    given back is 0.81·5 + 0.1·dis1, largest with dis1 = 4.5 (soc1 = 0): 4.5 MWh (each MWh
    charged at 20 returns 0.9 worth 90: worth storing). With σ = 0: 5 MWh.
    Imports: 15 MWh at 20, 10 − delivered at 100, 10 at 100. E = 5 MWh, capital
    5·1000·CRF·1·H with r = 0: CRF = 1/20, H = 3/8760.
    Objective = 300 + 100·(10 − delivered) + 1000 + capital.
    """
    r = solve_ok(_ldes_case(sigma))
    s = r.summary
    capital = 5 * 1000 * (1 / 20) * 1.0 * horizon_fraction(3, 60)
    assert s["storage_mwh"]["iron-air"] == approx(5.0)
    assert s["capacity_mw"]["iron-air"] == approx(5.0)
    assert s["objective"] == approx(300 + 100 * (10 - delivered) + 1000 + capital)
    dis = r.dispatch["discharge_mw:iron-air"].to_numpy()
    assert float(dis.sum()) == approx(delivered)
    # iron-air basis by default: 2,080 kg of iron per MWh (docs/materials.md) → 10.4 t
    assert s["materials"]["basis"]["iron-air"] == "iron_air"
    assert s["materials"]["total_tonnes"]["iron"] == approx(5 * 2.080)


def test_long_duration_storage_durations_up_to_200_hours() -> None:
    ok = scenario(
        [10], technologies=[ldes(min_duration_hours=100, max_duration_hours=200)], finance=R0
    )
    load_problem(ok)
    bad = scenario([10], technologies=[ldes(max_duration_hours=201)], finance=R0)
    with pytest.raises(ScenarioError) as exc:
        load_problem(bad)
    assert "technologies" in str(exc.value) and "max_duration_hours" in str(exc.value)
