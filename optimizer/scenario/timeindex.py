"""The one time index of a scenario (CONTRACT section 3, first paragraph).

Step k begins at ``start + k·Δt`` of absolute time, read in the site's time zone, so a local
day in a zone with daylight saving can hold 23 or 25 hours. Local calendar attributes
(month, weekday, hour, day) come from that reading.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from optimizer.errors import ScenarioError


@dataclass(frozen=True)
class TimeGrid:
    """The steps of a scenario and their local calendar."""

    index: pd.DatetimeIndex
    """Start of every step, tz-aware in the site's zone."""
    dt_hours: float
    month: np.ndarray
    """Local calendar month 1..12 of every step."""
    weekday: np.ndarray
    """Local weekday 0..6, Monday 0."""
    hour: np.ndarray
    """Local hour 0..23."""
    month_id: np.ndarray
    """0-based id of the local (year, month) of every step, in order of appearance."""
    month_fraction: np.ndarray
    """f[m]: share of the hours of local month m that lie in the horizon."""
    month_labels: list[str]
    """"YYYY-MM" of every month id."""
    day_id: np.ndarray
    """0-based id of the local calendar day of every step."""

    @property
    def periods(self) -> int:
        return len(self.index)

    @property
    def horizon_fraction(self) -> float:
        """H = T·Δt / 8760."""
        return self.periods * self.dt_hours / 8760.0


def parse_start(start: str, timezone: str) -> pd.Timestamp:
    """The first step as a tz-aware timestamp; local wall time, or an offset converted."""
    try:
        ts = pd.Timestamp(start)
    except (ValueError, TypeError) as exc:
        raise ScenarioError.single(
            "site.start", f"not an ISO 8601 date and time: {start!r}"
        ) from exc
    if ts is pd.NaT:
        raise ScenarioError.single("site.start", f"not an ISO 8601 date and time: {start!r}")
    if ts.tzinfo is not None:
        return ts.tz_convert(timezone)
    try:
        return ts.tz_localize(timezone, ambiguous="raise", nonexistent="raise")
    except Exception as exc:  # pytz/zoneinfo raise different types for DST gaps and folds
        raise ScenarioError.single(
            "site.start",
            f"{start} does not name one instant in {timezone} (it falls in a daylight-saving "
            "gap or fold); give it with its UTC offset",
        ) from exc


def build_time_grid(start: str, timezone: str, periods: int, resolution_minutes: int) -> TimeGrid:
    first = parse_start(start, timezone)
    utc = pd.date_range(
        first.tz_convert("UTC"), periods=periods, freq=pd.Timedelta(minutes=resolution_minutes)
    )
    index = utc.tz_convert(timezone)
    dt_hours = resolution_minutes / 60.0

    months = np.asarray(index.month, dtype=np.int64)
    years = np.asarray(index.year, dtype=np.int64)
    ym = years * 12 + (months - 1)
    month_keys, month_id = np.unique(ym, return_inverse=True)
    fractions = np.empty(len(month_keys))
    labels: list[str] = []
    for i, key in enumerate(month_keys):
        y, m = divmod(int(key), 12)
        m += 1
        begin = pd.Timestamp(year=y, month=m, day=1).tz_localize(
            timezone, nonexistent="shift_forward", ambiguous=False
        )
        end = (pd.Timestamp(year=y, month=m, day=1) + pd.offsets.MonthBegin(1)).tz_localize(
            timezone, nonexistent="shift_forward", ambiguous=False
        )
        month_hours = (end - begin) / pd.Timedelta(hours=1)
        inside = float(np.count_nonzero(month_id == i)) * dt_hours
        fractions[i] = inside / month_hours
        labels.append(f"{y:04d}-{m:02d}")

    dates = np.asarray(index.normalize().tz_localize(None).asi8)
    _, day_id = np.unique(dates, return_inverse=True)

    return TimeGrid(
        index=index,
        dt_hours=dt_hours,
        month=months,
        weekday=np.asarray(index.weekday, dtype=np.int64),
        hour=np.asarray(index.hour, dtype=np.int64),
        month_id=np.asarray(month_id, dtype=np.int64),
        month_fraction=fractions,
        month_labels=labels,
        day_id=np.asarray(day_id, dtype=np.int64),
    )
