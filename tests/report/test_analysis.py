"""The report's derived numbers: costliest week, monthly energy, CFE heat map, flow signs.

Synthetic dispatch tables on real time grids give hand-known answers; the solved week cases
are checked against independent totals (summary.json, the contract's balance and CFE score).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from optimizer.model.flows import FlowIndex
from optimizer.report.analysis import (
    cfe_matrix,
    clean_steps,
    costliest_week,
    drawn_flows,
    flatten_numbers,
    flow_index,
    monthly_energy,
)
from optimizer.results import cfe_score_from_dispatch
from optimizer.scenario.timeindex import build_time_grid


def _frame(time, price=None, served=None):  # type: ignore[no-untyped-def]
    n = time.periods
    data = {
        "timestamp": time.index,
        "served_load_mw": np.full(n, 10.0) if served is None else served,
    }
    if price is not None:
        data["marginal_price_per_mwh"] = price
    return pd.DataFrame(data)


def test_week_holding_the_price_spike_starts_at_its_first_midnight() -> None:
    """20 days of 10 MW at price 1, one hour at 10,000 on day 12: every 7-day window holding
    day 12 scores 7·24·10 − 10 + 100,000 alike, so argmax takes the first: days 6..12."""
    time = build_time_grid("2027-03-01T00:00", "UTC", 20 * 24, 60)
    price = np.ones(time.periods)
    price[12 * 24 + 15] = 10_000.0
    week = costliest_week(_frame(time, price), time)
    assert (week.start, week.stop) == (6 * 24, 13 * 24)
    assert week.basis == "marginal_value"
    assert week.value == pytest.approx(7 * 24 * 10 - 10 + 100_000)
    assert week.label(time.index) == "Sun 07 Mar 2027 – Sat 13 Mar 2027"


def test_week_across_spring_forward_has_167_hours() -> None:
    """New York skips 02:00 on 14 Mar 2027: the local week 8..14 Mar has 6·24 + 23 steps."""
    time = build_time_grid("2027-03-08T00:00", "America/New_York", 10 * 24, 60)
    price = np.ones(time.periods)
    price[:10] = 500.0  # the first hours of 8 Mar make the first window the costliest
    week = costliest_week(_frame(time, price), time)
    assert week.start == 0
    assert week.stop - week.start == 167
    assert time.index[week.stop].strftime("%Y-%m-%d %H:%M") == "2027-03-15 00:00"


def test_week_from_served_load_without_prices_and_short_horizon() -> None:
    """Without marginal prices the most served energy wins; ≤ 7 days are shown whole."""
    time = build_time_grid("2027-01-04T00:00", "UTC", 15 * 24, 60)
    served = np.full(time.periods, 10.0)
    served[-24:] = 50.0  # the last day is the heaviest: the last 7 days win
    week = costliest_week(_frame(time, served=served), time)
    assert (week.start, week.stop, week.basis) == (8 * 24, 15 * 24, "served_load")
    assert week.value == pytest.approx(6 * 24 * 10 + 24 * 50)

    short = build_time_grid("2027-01-04T00:00", "UTC", 5 * 24 * 4, 15)
    week = costliest_week(_frame(short, price=np.ones(short.periods)), short)
    assert (week.start, week.stop, week.basis) == (0, short.periods, "whole_horizon")
    assert week.value == pytest.approx(5 * 24 * 10)  # 10 MW x 1 per MWh x 120 h


def test_cfe_matrix_pools_quarter_hours() -> None:
    """15-minute steps: hour 0 of day 0 has served 4×10 MW and dirty 10, 0, 0, 10 MW, so its
    CFE is 1 − 20/40 = 0.5; every other hour is clean (dirty 0) → 1."""
    time = build_time_grid("2027-01-04T00:00", "UTC", 2 * 24 * 4, 15)
    dirty = np.zeros(time.periods)
    dirty[[0, 3]] = 10.0
    d = _frame(time)
    d["dirty_supply_mw"] = dirty
    m = cfe_matrix(d, time)
    assert m.values.shape == (2, 24)
    assert m.values[0, 0] == pytest.approx(0.5)
    assert np.all(m.values.ravel()[1:] == 1.0)
    assert m.served_mwh[0, 0] == pytest.approx(10.0)  # 4 × 10 MW × 0.25 h
    assert [d.strftime("%Y-%m-%d") for d in m.days] == ["2027-01-04", "2027-01-05"]


def test_cfe_matrix_leaves_the_skipped_hour_empty() -> None:
    time = build_time_grid("2027-03-14T00:00", "America/New_York", 24, 60)
    d = _frame(time)
    d["dirty_supply_mw"] = 0.0
    m = cfe_matrix(d, time)
    assert m.values.shape == (2, 24)  # 23 hours of 14 Mar and the first hour of 15 Mar
    assert np.isnan(m.values[0, 2])  # 02:00 does not exist that day
    assert np.count_nonzero(~np.isnan(m.values)) == 24


@pytest.mark.parametrize("case", ["week-basic", "week-contracts"])
def test_heat_map_weighted_by_served_energy_is_the_cfe_score(solved_case, case: str) -> None:  # type: ignore[no-untyped-def]
    """Σ cells (1 − cfe)·served / Σ served = 1 − CFE score, the score results.py computes
    from the dispatch by the contract's formula."""
    r = solved_case(case)
    m = cfe_matrix(r.dispatch, r.problem.time)
    ok = ~np.isnan(m.values)
    pooled = float((m.values[ok] * m.served_mwh[ok]).sum() / m.served_mwh[ok].sum())
    assert pooled == pytest.approx(cfe_score_from_dispatch(r.dispatch, r.problem.dt), abs=1e-9)
    assert pooled == pytest.approx(r.summary["cfe_score"], abs=1e-9)


@pytest.mark.parametrize("case", ["week-basic", "week-contracts"])
def test_monthly_energy_balances_and_matches_the_summary(solved_case, case: str) -> None:  # type: ignore[no-untyped-def]
    """Both weeks span June and July. In each month sources − sinks = served load (CONTRACT
    3.5); the months of each grid offer add up to summary.grid_import_mwh."""
    r = solved_case(case)
    kinds = {t.name: t.kind for t in r.problem.scenario.technologies}
    flows = drawn_flows(flow_index(r.flows, r.dispatch, kinds))
    monthly = monthly_energy(r.dispatch, r.problem.time, flows)
    assert list(monthly.index) == ["2027-06", "2027-07"]
    net = monthly[[f.label for f in flows]].sum(axis=1)
    np.testing.assert_allclose(net, monthly["served load"], rtol=1e-7, atol=1e-6)
    for offer, total in r.summary["grid_import_mwh"].items():
        assert monthly[f"grid: {offer}"].sum() == pytest.approx(total, rel=1e-9, abs=1e-9)
    assert monthly["served load"].sum() == pytest.approx(r.summary["served_load_mwh"])


def test_flow_signs_of_the_contracts_case(solved_case) -> None:  # type: ignore[no-untyped-def]
    r = solved_case("week-contracts")
    signs = {f.column: f.sign for f in drawn_flows(r.flows)}
    # a report written from files (no FlowIndex) reads the same flows off the columns
    from_files = drawn_flows(flow_index(FlowIndex(), r.dispatch))
    assert {f.column: f.sign for f in from_files} == signs
    assert signs == {
        "grid_import_mw:utility-tou": 1,
        "grid_import_mw:index": 1,
        "ppa_delivery_mw:wind-a": 1,
        "ppa_delivery_mw:firm-block": 1,
        "discharge_mw:battery": 1,
        "charge_mw:battery": -1,
        "curtailment_mw": -1,
    }  # virtual-PPA certificates are not energy; soc is not a flow


def test_flatten_numbers() -> None:
    assert flatten_numbers({"a": {"b": 1, "c": [1, 2]}, "d": [{"e": 3}]}) == [
        ("a.b", 1),
        ("a.c", [1, 2]),
        ("d[0].e", 3),
    ]


def test_clean_steps_count_steps_not_local_hours() -> None:
    """Issue 18: New York repeats 01:00 on 7 Nov 2027; a day of 25 steps has 25 hours. The
    heat map pools the repeated hour into one cell (24 cells), the count does not."""
    time = build_time_grid("2027-11-07T00:00", "America/New_York", 25, 60)
    d = _frame(time)
    d["dirty_supply_mw"] = 0.0
    d.loc[3, "dirty_supply_mw"] = 5.0  # one dirty step
    assert clean_steps(d) == (24, 25)
    m = cfe_matrix(d, time)
    assert np.count_nonzero(~np.isnan(m.values)) == 24
