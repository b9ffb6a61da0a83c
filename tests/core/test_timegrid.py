"""The time grid (CONTRACT section 3, first paragraph) and the series timestamps.

"step k begins at start + k·Δt of absolute time, read in the site's timezone (so in a zone
with daylight saving a local day can hold 23 or 25 hours). The series file's `timestamp`
column must name exactly these steps (local time, with or without UTC offset), else an input
error names the first row that differs."
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from optimizer.errors import ScenarioError
from optimizer.scenario import load_problem
from tests.core.helpers import column, local_stamps, scenario, solve_ok, write_files

# (zone, the DST day, its hours) — 2027: EU switches on 28 March / 31 October,
# the US on 14 March / 7 November.
DST_DAYS = [
    ("Europe/Berlin", "2027-03-28", 23),
    ("Europe/Berlin", "2027-10-31", 25),
    ("America/New_York", "2027-03-14", 23),
    ("America/New_York", "2027-11-07", 25),
]


def _flex_case(zone: str, day: str, hours: int) -> dict[str, Any]:
    """Two hours of the day before (22:00, 23:00), the DST day, two hours of the day after."""
    start = (pd.Timestamp(day) - pd.Timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M")
    prices = [100.0] * 2 + [50.0] * (hours - 1) + [5.0] + [10.0] * 2
    return scenario(
        10,
        periods=2 + hours + 2,
        price=prices,
        timezone=zone,
        start=start,
        load_extra={"flexible_share": 0.3},
    )


@pytest.mark.parametrize(("zone", "day", "hours"), DST_DAYS)
def test_flexible_load_conserved_per_local_day(zone: str, day: str, hours: int) -> None:
    """Load 10, flexible share 0.3; prices flat within each local day except the DST day's
    last hour (23:00 local) at 5 against 50.

    CONTRACT 3.5: "Σ(up − down) = 0 over each local day". Only inside the DST day is there
    anything to gain: 3 MW move into its last hour, saving 3·(50 − 5) = 135.
    Cost = 2·10·100 + ((hours − 1)·10·50 + 10·5 − 135) + 2·10·10.
    Grouping by UTC day, or by 24 steps, would mix days of different prices and cost less.
    """
    r = solve_ok(_flex_case(zone, day, hours))
    expected = 2000 + ((hours - 1) * 500 + 50 - 135) + 200
    assert r.summary["total_cost"] == pytest.approx(expected, abs=1e-6)
    d = r.dispatch
    stamps = pd.DatetimeIndex(d["timestamp"])
    assert stamps.tz is not None
    dates = stamps.tz_convert(zone).date
    net = (d["flex_up_mw"] - d["flex_down_mw"]).groupby(dates).sum()
    assert list(net.index.astype(str)) == [
        str((pd.Timestamp(day) - pd.Timedelta(days=1)).date()),
        day,
        str((pd.Timestamp(day) + pd.Timedelta(days=1)).date()),
    ]
    assert list(d.groupby(dates).size()) == [2, hours, 2]
    assert net.abs().max() < 1e-6
    served = column(r, "served_load_mw")
    assert served[2 + hours - 1] == pytest.approx(13, abs=1e-6)


@pytest.mark.parametrize(("zone", "day", "hours"), DST_DAYS)
def test_local_day_has_23_or_25_steps(zone: str, day: str, hours: int) -> None:
    """A horizon of exactly the DST day's hours, starting at local midnight, ends at the
    next local midnight: its last step begins at 23:00 local of the same day."""
    p = load_problem(scenario(1, periods=hours, timezone=zone, start=f"{day}T00:00"))
    idx = p.time.index
    assert len(idx) == hours
    assert str(idx[-1].date()) == day
    assert idx[-1].hour == 23
    assert len(set(idx.date)) == 1
    # one hour of absolute time between all steps, across the switch
    gaps = (idx[1:].tz_convert("UTC") - idx[:-1].tz_convert("UTC")).unique()
    assert list(gaps) == [pd.Timedelta(hours=1)]


def test_month_fractions_of_a_partial_horizon() -> None:
    """f[m] = share of month m's hours inside the horizon (CONTRACT 3.2). Berlin, 48 hours
    from 2027-03-31 00:00: March (743 h, DST) holds 24 of them, April (720 h) 24."""
    p = load_problem(scenario(1, periods=48, timezone="Europe/Berlin", start="2027-03-31T00:00"))
    assert list(p.time.month_fraction) == pytest.approx([24 / 743, 24 / 720])


@pytest.mark.parametrize("with_offset", [False, True])
@pytest.mark.parametrize(("zone", "day", "hours"), DST_DAYS)
def test_series_timestamps_with_and_without_offset(
    tmp_path: Path, zone: str, day: str, hours: int, with_offset: bool
) -> None:
    """A DST day written as local wall time (autumn: 02:00 or 01:00 appears twice; spring:
    it is skipped) or with its UTC offset: both name the grid's steps and are accepted."""
    sc = scenario(
        [float(i) for i in range(hours)], timezone=zone, start=f"{day}T00:00", periods=hours
    )
    stamps = local_stamps(sc["site"], with_offset=with_offset)
    if not with_offset:
        assert len(set(stamps)) == hours - (1 if hours == 25 else 0)
    path = write_files(sc, tmp_path, timestamps=stamps)
    p = load_problem(path)
    assert list(p.load_mw) == [float(i) for i in range(hours)]


def test_series_timestamps_in_utc_naming_the_same_instants(tmp_path: Path) -> None:
    """Timestamps with an offset name instants: the same steps written in UTC ('Z') match."""
    sc = scenario([1, 2, 3], timezone="America/New_York", start="2027-03-14T00:00")
    stamps = [
        ts.strftime("%Y-%m-%dT%H:%MZ")
        for ts in pd.date_range("2027-03-14T05:00", periods=3, freq="h", tz="UTC")
    ]
    p = load_problem(write_files(sc, tmp_path, timestamps=stamps))
    assert list(p.load_mw) == [1, 2, 3]


def test_spring_gap_timestamp_in_series_is_refused(tmp_path: Path) -> None:
    """Berlin 2027-03-28: a file that lists 02:00 (which does not exist) after 01:00 differs
    from the grid at row 3 (the grid's third step is 03:00)."""
    sc = scenario([1.0] * 4, timezone="Europe/Berlin", start="2027-03-28T00:00")
    stamps = ["2027-03-28T00:00", "2027-03-28T01:00", "2027-03-28T02:00", "2027-03-28T03:00"]
    with pytest.raises(ScenarioError) as info:
        load_problem(write_files(sc, tmp_path, timestamps=stamps))
    errs = [e for e in info.value.errors if e.field == "series.timestamp"]
    assert errs and errs[0].row == 3


def test_wrong_offset_is_refused(tmp_path: Path) -> None:
    """The right wall times with a wrong UTC offset name other instants: row 1 differs."""
    sc = scenario([1.0, 2.0], timezone="Europe/Berlin", start="2027-01-04T00:00")
    stamps = ["2027-01-04T00:00+02:00", "2027-01-04T01:00+02:00"]
    with pytest.raises(ScenarioError) as info:
        load_problem(write_files(sc, tmp_path, timestamps=stamps))
    errs = [e for e in info.value.errors if e.field == "series.timestamp"]
    assert errs and errs[0].row == 1


def test_start_in_a_dst_gap_is_refused() -> None:
    """2027-03-28 02:30 does not exist in Berlin: site.start is named."""
    with pytest.raises(ScenarioError) as info:
        load_problem(scenario(1, periods=2, timezone="Europe/Berlin", start="2027-03-28T02:30"))
    assert any(e.field == "site.start" for e in info.value.errors)


def test_start_with_offset_is_the_same_instant() -> None:
    """A start given with its UTC offset is read as that instant, shown in the site zone."""
    p = load_problem(
        scenario(1, periods=2, timezone="Europe/Berlin", start="2027-01-04T00:00+01:00")
    )
    assert p.time.index[0] == pd.Timestamp("2027-01-03T23:00", tz="UTC")
    assert p.time.index[0].hour == 0


def test_fifteen_minute_grid_over_spring_gap() -> None:
    """Four 15-minute steps from 01:30 Berlin on 2027-03-28: 01:30, 01:45, 03:00, 03:15."""
    p = load_problem(
        scenario(
            1,
            periods=4,
            resolution_minutes=15,
            timezone="Europe/Berlin",
            start="2027-03-28T01:30",
        )
    )
    assert [ts.strftime("%H:%M") for ts in p.time.index] == ["01:30", "01:45", "03:00", "03:15"]
    assert p.dt == 0.25


def test_parquet_series_with_tz_aware_timestamps(tmp_path: Path) -> None:
    """A Parquet series whose timestamp column is tz-aware (here in UTC) names the steps of
    a New York grid by their instants and is accepted; its values are read in order."""
    sc = scenario([1, 2, 3], timezone="America/New_York", start="2027-11-07T00:00")
    path = write_files(sc, tmp_path)
    frame = pd.read_csv(tmp_path / "profiles.csv")
    frame["timestamp"] = pd.date_range("2027-11-07T04:00", periods=3, freq="h", tz="UTC")
    frame.to_parquet(tmp_path / "profiles.parquet", index=False)
    text = path.read_text().replace("profiles.csv", "profiles.parquet")
    path.write_text(text)
    p = load_problem(path)
    assert list(p.load_mw) == [1, 2, 3]
    assert [ts.strftime("%H:%M%z") for ts in p.time.index] == [
        "00:00-0400",
        "01:00-0400",
        "01:00-0500",
    ]


def test_whole_dst_month_has_fraction_one() -> None:
    """Berlin, March 2027 from 1 March 00:00 for 743 hours (one lost to DST): the horizon
    holds all of March, f = 1 (CONTRACT 3.2: "1 for a whole month")."""
    p = load_problem(scenario(1, periods=743, timezone="Europe/Berlin", start="2027-03-01T00:00"))
    assert list(p.time.month_fraction) == pytest.approx([1.0])
    assert p.time.index[-1].strftime("%Y-%m-%d %H:%M") == "2027-03-31 23:00"
