"""Numbers the report derives from the dispatch table (no plotting, no HTML).

* :func:`drawn_flows` sorts the energy flows of the balance (from the run's
  :class:`~optimizer.model.flows.FlowIndex`, never from column names) into sources
  (positive) and sinks (charging, export, curtailment: negative), so that for every step
  ``Σ sources − Σ sinks = served_load`` (CONTRACT 3.5).
* :func:`costliest_week` picks the 7-day window shown in the dispatch chart.
* :func:`monthly_energy` sums each source and sink per local calendar month, MWh.
* :func:`cfe_matrix` is the hourly CFE score as a (local day × local hour) matrix;
  :func:`clean_steps` counts the fully carbon-free steps of the dispatch itself.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any, Literal

import numpy as np
import pandas as pd

from optimizer.model.flows import Flow, FlowIndex, FlowKind
from optimizer.scenario.timeindex import TimeGrid

Group = Literal["grid", "ppa", "solar", "wind", "generator", "battery", "sink"]

_ORDER: dict[str, int] = {
    "grid": 0,
    "ppa": 1,
    "wind": 2,
    "solar": 3,
    "generator": 4,
    "battery": 5,
    "sink": 6,
}
_SINK_LABELS = {FlowKind.EXPORT: "export", FlowKind.CURTAILMENT: "curtailment"}


@dataclass(frozen=True)
class Drawn:
    """One flow of the balance as it is drawn: ``sign`` +1 supplies the site, −1 takes."""

    flow: Flow
    label: str
    group: Group
    sign: int

    @property
    def column(self) -> str:
        return self.flow.column

    @property
    def hatched(self) -> bool:
        """Battery charging: drawn hatched in the colour of the battery's discharge."""
        return self.flow.kind is FlowKind.CHARGE


def flow_index(
    flows: FlowIndex, dispatch: pd.DataFrame | None, asset_kinds: Mapping[str, str] | None = None
) -> FlowIndex:
    """The run's flows, or those behind the dispatch columns when the run has none (a report
    written from files); ``asset_kinds`` fills in technology kinds a flow does not carry."""
    if not len(flows) and dispatch is not None:
        flows = FlowIndex.from_columns(dispatch.columns)
    kinds = asset_kinds or {}
    return FlowIndex(
        f if f.asset_kind or f.asset not in kinds else replace(f, asset_kind=kinds[f.asset])
        for f in flows
    )


def drawn_flows(flows: FlowIndex) -> list[Drawn]:
    """The energy flows of the balance (CONTRACT 3.5), sources first, then sinks.

    Virtual-PPA certificates are not energy and are left out; a technology's output is
    grouped (and coloured) by its kind: solar, wind, else generator.
    """
    sources: list[Drawn] = []
    sinks: list[Drawn] = []
    for f in flows:
        if f.kind is FlowKind.GRID_IMPORT:
            sources.append(Drawn(f, f"grid: {f.asset}", "grid", 1))
        elif f.kind is FlowKind.PPA_DELIVERY:
            sources.append(Drawn(f, f"PPA: {f.asset}", "ppa", 1))
        elif f.kind is FlowKind.OUTPUT:
            group: Group = "generator"
            if f.asset_kind == "solar":
                group = "solar"
            elif f.asset_kind == "wind":
                group = "wind"
            sources.append(Drawn(f, f.asset, group, 1))
        elif f.kind is FlowKind.DISCHARGE:
            sources.append(Drawn(f, f"{f.asset} discharge", "battery", 1))
        elif f.kind is FlowKind.CHARGE:
            sinks.append(Drawn(f, f"{f.asset} charge", "battery", -1))
        elif f.kind in _SINK_LABELS:
            sinks.append(Drawn(f, _SINK_LABELS[f.kind], "sink", -1))
    sources.sort(key=lambda d: _ORDER[d.group])
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


def monthly_energy(dispatch: pd.DataFrame, time: TimeGrid, flows: list[Drawn]) -> pd.DataFrame:
    """MWh of every flow per local month (sinks negative) and the served load, by "YYYY-MM".

    Summed with ``np.add.at`` on the month ids (no pandas group-by: a full year takes
    well under a millisecond)."""
    month_id = np.asarray(time.month_id)
    n = int(month_id.max()) + 1 if len(month_id) else 0
    columns = [f.label for f in flows] + ["served load"]
    signs = np.array([f.sign for f in flows] + [1], dtype=float)
    values = dispatch[[f.column for f in flows] + ["served_load_mw"]].to_numpy(dtype=float)
    sums = np.zeros((n, len(columns)))
    np.add.at(sums, month_id, values * signs * time.dt_hours)
    present = np.unique(month_id)  # months in the order of the horizon
    labels = [time.month_labels[int(i)] for i in present]
    return pd.DataFrame(sums[present], index=pd.Index(labels, name="month"), columns=columns)


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


def clean_steps(dispatch: pd.DataFrame, tolerance: float = 1e-3) -> tuple[int, int]:
    """``(fully carbon-free steps, steps)`` of the dispatch: a step is fully carbon-free when
    its dirty supply is at most ``tolerance`` of its served load (0.1 %).

    Steps are counted as they are in the dispatch: the hour repeated when daylight saving
    ends is two steps (the heat map pools it into one cell; this count does not).
    """
    served = dispatch["served_load_mw"].to_numpy(dtype=float)
    dirty = dispatch["dirty_supply_mw"].to_numpy(dtype=float)
    clean = dirty <= tolerance * np.maximum(served, 0.0) + 1e-9
    return int(np.count_nonzero(clean)), len(served)


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
