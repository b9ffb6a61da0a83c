"""Screening, step 2: the full problem restricted to the typical days, with step weights."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

import numpy as np

from optimizer.model.storage_periods import StoragePeriods
from optimizer.scenario import Problem
from optimizer.scenario.timeindex import TimeGrid
from optimizer.screening.days import DEFAULT_STORAGE, TypicalDays


@dataclass(frozen=True)
class ReducedGrid(TimeGrid):
    """A time grid of typical days that keeps the full horizon's fraction of a year."""

    full_periods: int = 0

    @property
    def horizon_fraction(self) -> float:
        return self.full_periods * self.dt_hours / 8760.0


def _slice(obj: Any, sel: np.ndarray, w: np.ndarray, T: int, scale: bool = True) -> Any:
    """Restrict every per-step array to the chosen steps, keeping its weighted total.

    A non-negative series is rescaled so that its weighted sum over the typical days equals
    its sum over the full horizon (energy, load and clean supply are preserved, as tsam's
    ``preserve_column_means`` does), never above the series' maximum (a profile stays ≤ 1):
    :func:`rescale` scales the values below the cap until the sum is met.
    """
    if isinstance(obj, np.ndarray) and obj.ndim == 1 and obj.shape[0] == T:
        red = obj[sel].astype(float)
        if scale and obj.dtype.kind == "f" and bool((obj >= 0).all()):
            red = rescale(red, w, float(obj.sum()), float(obj.max()))
        return red
    if isinstance(obj, list):
        return [_slice(x, sel, w, T, scale) for x in obj]
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        changes = {
            f.name: _slice(getattr(obj, f.name), sel, w, T, scale)
            for f in dataclasses.fields(obj)
            if f.init and f.name not in ("scenario", "time", "study")
        }
        return dataclasses.replace(obj, **changes)
    return obj


def rescale(red: np.ndarray, w: np.ndarray, target: float, cap: float) -> np.ndarray:
    """Scale ``red`` so that ``Σ w·red = target`` with every value ≤ ``cap``: values at the
    cap stay there and the others take up the rest (tsam's iterative rescaling). When even
    every value at the cap cannot reach the target, every value is at the cap."""
    out = red.copy()
    if target <= 0 or float((w * out).sum()) <= 0:
        return out
    for _ in range(50):
        total = float((w * out).sum())
        if abs(total - target) <= 1e-12 * max(target, 1.0):
            break
        free = out < cap * (1.0 - 1e-12)
        fixed = float((w * out)[~free].sum())
        movable = float((w * out)[free].sum())
        if movable <= 0:
            break
        factor = (target - fixed) / movable
        out = np.where(free, np.minimum(out * factor, cap), out)
    return out


def reduce_problem(p: Problem, days: TypicalDays, rescale_series: bool = True) -> Problem:
    """The full problem restricted to the typical days (each typical day one local day)."""
    sel = days.steps
    g = p.time
    per_day = round(24.0 / p.dt)
    day_id = np.repeat(np.arange(days.days), per_day)[: len(sel)]
    if len(day_id) < len(sel):
        day_id = np.concatenate([day_id, np.full(len(sel) - len(day_id), days.days - 1)])
    grid = ReducedGrid(
        index=g.index[sel],
        dt_hours=g.dt_hours,
        month=g.month[sel],
        weekday=g.weekday[sel],
        hour=g.hour[sel],
        month_id=g.month_id[sel],
        month_fraction=g.month_fraction,
        month_labels=g.month_labels,
        day_id=day_id,
        full_periods=p.periods,
    )
    reduced: Problem = _slice(p, sel, days.weights, p.periods, rescale_series)
    reduced.time = grid
    reduced.step_weight = days.weights.astype(float)
    reduced.study = None
    return reduced


def storage_periods(days: TypicalDays, storage: str = DEFAULT_STORAGE) -> StoragePeriods | None:
    """The battery formulation on ``days``: linked across the real days they stand for, or
    each typical day cyclic on its own. None (cyclic over the horizon, the full model's)
    when every day is kept with weight 1 and storage is "cyclic": the chain is then the
    full horizon itself. Linked with every day kept is the full model too (exactly)."""
    if storage == "cyclic" and bool((days.weights == 1.0).all()):
        return None
    return StoragePeriods(
        starts=tuple(int(s) for s in days.starts),
        order=tuple(int(k) for k in days.order),
        linked=storage == "linked",
    )
