"""Numbers the report derives from the dispatch table (no plotting, no HTML).

* :func:`supply_columns` sorts the dispatch columns into sources (positive) and sinks
  (charging, export, curtailment: negative), so that for every step
  ``Σ sources − Σ sinks = served_load`` (CONTRACT 3.5).
* :func:`costliest_week` picks the 7-day window shown in the dispatch chart.
* :func:`monthly_energy` sums each source and sink per local calendar month, MWh.
* :func:`cfe_matrix` is the hourly CFE score as a (local day × local hour) matrix.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd

from optimizer.scenario.timeindex import TimeGrid

SourceKind = Literal["grid", "ppa", "solar", "wind", "generator", "battery", "sink"]


@dataclass(frozen=True)
class Flow:
    """One dispatch column as it is drawn: ``sign`` +1 supplies the site, −1 takes from it."""

    column: str
    label: str
    kind: SourceKind
    sign: int


def supply_columns(dispatch: pd.DataFrame, tech_kinds: dict[str, str] | None = None) -> list[Flow]:
    """The energy flows of the balance (CONTRACT 3.5), sources first, then sinks.

    ``tech_kinds`` maps a technology name to its kind (solar, wind, generator) for colours;
    virtual-PPA certificates are not energy and are left out.
    """
    kinds = tech_kinds or {}
    sources: list[Flow] = []
    sinks: list[Flow] = []
    for col in dispatch.columns:
        prefix, _, name = col.partition(":")
        if not name:
            if col == "export_mw":
                sinks.append(Flow(col, "export", "sink", -1))
            elif col == "curtailment_mw":
                sinks.append(Flow(col, "curtailment", "sink", -1))
            continue
        if prefix == "grid_import_mw":
            sources.append(Flow(col, f"grid: {name}", "grid", 1))
        elif prefix == "ppa_delivery_mw":
            sources.append(Flow(col, f"PPA: {name}", "ppa", 1))
        elif prefix == "output_mw":
            kind = kinds.get(name, "generator")
            k: SourceKind = kind if kind in ("solar", "wind", "generator") else "generator"  # type: ignore[assignment]
            sources.append(Flow(col, name, k, 1))
        elif prefix == "discharge_mw":
            sources.append(Flow(col, f"{name} discharge", "battery", 1))
        elif prefix == "charge_mw":
            sinks.append(Flow(col, f"{name} charge", "battery", -1))
    order = {"grid": 0, "ppa": 1, "wind": 2, "solar": 3, "generator": 4, "battery": 5, "sink": 6}
    sources.sort(key=lambda f: order[f.kind])
    return sources + sinks


@dataclass(frozen=True)
class Week:
    """Steps ``[start, stop)`` of the dispatch shown in the report, and why they were chosen."""

    start: int
    stop: int
    basis: str
    """What was maximised: "marginal_value", "served_load" or "whole_horizon"."""
    value: float
    """The maximised sum (money for marginal_value, MWh for served_load)."""

    def label(self, index: pd.DatetimeIndex) -> str:
        first = index[self.start]
        last = index[self.stop - 1]
        return f"{first:%a %d %b %Y} – {last:%a %d %b %Y}"


def costliest_week(dispatch: pd.DataFrame, time: TimeGrid, days: int = 7) -> Week:
    """The ``days`` consecutive local days with the highest marginal value of the served load.

    The window starts at a local midnight (the first step of a local day) and spans ``days``
    whole local days (so 167 or 169 hours across a daylight-saving change). It maximises
    ``Σ_t marginal_price[t]·served_load[t]·Δt`` — what the energy of that week is worth at
    the margin, demand charges and scarcity included, which is where the site's supply costs
    the most. Without marginal prices (a solve that did not return duals) it maximises the
    served energy instead. A horizon of ``days`` days or fewer is shown whole.
    """
    n = len(dispatch)
    day_id = np.asarray(time.day_id)
    day_starts = np.flatnonzero(np.r_[True, np.diff(day_id) != 0])
    bounds = np.r_[day_starts, n]
    n_days = len(day_starts)
    served = np.asarray(dispatch["served_load_mw"], dtype=float)
    if "marginal_price_per_mwh" in dispatch:
        weight = np.asarray(dispatch["marginal_price_per_mwh"], dtype=float) * served
        basis = "marginal_value"
    else:
        weight = served
        basis = "served_load"
    weight = np.nan_to_num(weight) * time.dt_hours
    if n_days <= days:
        return Week(0, n, "whole_horizon", float(weight.sum()))
    csum = np.r_[0.0, np.cumsum(weight)]
    starts = bounds[: n_days - days + 1]
    stops = bounds[days : n_days + 1]
    sums = csum[stops] - csum[starts]
    k = int(np.argmax(sums))
    return Week(int(starts[k]), int(stops[k]), basis, float(sums[k]))


def monthly_energy(dispatch: pd.DataFrame, time: TimeGrid, flows: list[Flow]) -> pd.DataFrame:
    """MWh of every flow per local month (sinks negative) and the served load, by "YYYY-MM"."""
    labels = [time.month_labels[i] for i in np.asarray(time.month_id)]
    data = {f.label: dispatch[f.column].to_numpy(dtype=float) * f.sign for f in flows}
    data["served load"] = dispatch["served_load_mw"].to_numpy(dtype=float)
    frame = pd.DataFrame(data) * time.dt_hours
    frame["month"] = labels
    out = frame.groupby("month", sort=False).sum()
    return out


@dataclass(frozen=True)
class CfeMatrix:
    """Hourly CFE score by local day (rows) and local hour 0..23 (columns); NaN = no step."""

    values: np.ndarray
    days: list[pd.Timestamp]
    served_mwh: np.ndarray
    """Served energy of every cell, MWh (the weight of the cell in the CFE score)."""


def cfe_matrix(dispatch: pd.DataFrame, time: TimeGrid) -> CfeMatrix:
    """Hourly CFE ``1 − Σ dirty / Σ served`` of every (local day, local hour) cell.

    Sub-hourly steps of one local hour are pooled (energy-weighted); the hour repeated when
    daylight saving ends is pooled too, and the skipped hour stays NaN. Weighting the cells
    by ``served_mwh`` gives back the CFE score of CONTRACT 3.6.
    """
    day_id = np.asarray(time.day_id)
    hour = np.asarray(time.hour)
    n_days = int(day_id.max()) + 1 if len(day_id) else 0
    served = np.zeros((n_days, 24))
    dirty = np.zeros((n_days, 24))
    present = np.zeros((n_days, 24), dtype=bool)
    dt = time.dt_hours
    np.add.at(served, (day_id, hour), dispatch["served_load_mw"].to_numpy(dtype=float) * dt)
    np.add.at(dirty, (day_id, hour), dispatch["dirty_supply_mw"].to_numpy(dtype=float) * dt)
    present[day_id, hour] = True
    with np.errstate(divide="ignore", invalid="ignore"):
        values = np.where(served > 0, 1.0 - dirty / np.where(served > 0, served, 1.0), 1.0)
    values = np.where(present, values, np.nan)
    starts = np.flatnonzero(np.r_[True, np.diff(day_id) != 0]) if len(day_id) else np.zeros(0)
    days = [pd.Timestamp(time.index[int(i)]).normalize() for i in starts]
    return CfeMatrix(values, days, served)


def flatten_numbers(value: Any, prefix: str = "") -> list[tuple[str, Any]]:
    """``{"a": {"b": 1}}`` → ``[("a.b", 1)]``: leaves of nested dicts and lists, in order."""
    if isinstance(value, dict):
        out: list[tuple[str, Any]] = []
        for k, v in value.items():
            out.extend(flatten_numbers(v, f"{prefix}.{k}" if prefix else str(k)))
        return out
    if isinstance(value, list) and not all(isinstance(v, (int, float, str)) for v in value):
        out = []
        for i, v in enumerate(value):
            out.extend(flatten_numbers(v, f"{prefix}[{i}]"))
        return out
    return [(prefix, value)]
