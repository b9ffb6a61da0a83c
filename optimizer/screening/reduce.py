"""Screening, step 2: the full problem restricted to the typical days, with step weights."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

import numpy as np

from optimizer.model.storage_periods import StoragePeriods
from optimizer.scenario import Problem
from optimizer.scenario.timeindex import TimeGrid
from optimizer.screening.days import (
    DEFAULT_REPRESENTATION,
    DEFAULT_STORAGE,
    REPRESENTATIONS,
    TypicalDays,
    check_choice,
)


@dataclass(frozen=True)
class ReducedGrid(TimeGrid):
    """A time grid of typical days that keeps the full horizon's fraction of a year."""

    full_periods: int = 0

    @property
    def horizon_fraction(self) -> float:
        return self.full_periods * self.dt_hours / 8760.0


def _slice(
    obj: Any,
    sel: np.ndarray,
    w: np.ndarray,
    T: int,
    scale: bool = True,
    rep: Any = None,
) -> Any:
    """Restrict every per-step array to the chosen steps, keeping its weighted total.

    A non-negative series is rescaled so that its weighted sum over the typical days equals
    its sum over the full horizon (energy, load and clean supply are preserved, as tsam's
    ``preserve_column_means`` does), never above the series' maximum (a profile stays ≤ 1):
    :func:`rescale` scales the values below the cap until the sum is met.
    """
    if isinstance(obj, np.ndarray) and obj.ndim == 1 and obj.shape[0] == T:
        if rep is not None and obj.dtype.kind == "f":
            return rep(obj)
        red = obj[sel].astype(float)
        if scale and obj.dtype.kind == "f" and bool((obj >= 0).all()):
            red = rescale(red, w, float(obj.sum()), float(obj.max()))
        return red
    if isinstance(obj, list):
        return [_slice(x, sel, w, T, scale, rep) for x in obj]
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        changes = {
            f.name: _slice(getattr(obj, f.name), sel, w, T, scale, rep)
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


def represent(days: TypicalDays, per_day: int, how: str) -> Any:
    """A function giving, for a per-step series of the full horizon, its values on the
    typical days. ``how="scaled"`` (the default): the medoid's own hours, scaled by
    :func:`rescale` so that its daily total is the mean daily total of the real days it
    stands for, no value above the largest of theirs (a series with a negative value, or a
    medoid day summing to 0, keeps the medoid's values): each cluster keeps its energy,
    and the hours are a real day's shape. ``"mean"`` the mean over the real days each
    stands for, step by step; ``"duration"`` the mean's daily shape with the values of
    the members' duration curve (all their values sorted, averaged in ``per_day`` equal
    chunks, given to the steps in the order of the mean profile): the cluster's total and,
    nearly, its distribution of values are kept. A day standing for itself is unchanged, and
    so is a 0/1 series (an availability indicator): the medoid's values."""
    order = np.asarray(days.order)

    def rep(x: np.ndarray) -> np.ndarray:
        x = np.asarray(x, dtype=float)
        out = x[days.steps].copy()
        if bool(np.isin(x, (0.0, 1.0)).all()):  # an indicator (grid_available): the medoid's
            return out
        n_days = len(x) // per_day
        X = x[: n_days * per_day].reshape(n_days, per_day)
        for k in range(days.days - (1 if len(x) % per_day else 0)):
            members = np.flatnonzero(order[:n_days] == k)
            if len(members) <= 1:
                continue
            V = X[members]
            mean = V.mean(axis=0)
            if how == "scaled":
                s0 = int(days.starts[k])
                med = out[s0 : s0 + per_day]
                target = float(mean.sum())
                if float(med.sum()) > 0 and bool((x >= 0).all()):
                    val = rescale(med, np.ones(per_day), target, float(V.max()))
                else:
                    val = med
                out[s0 : s0 + per_day] = val
                continue
            if how == "duration":
                srt = np.sort(V.ravel())[::-1].reshape(per_day, len(members)).mean(axis=1)
                val = np.empty(per_day)
                val[np.argsort(-mean, kind="stable")] = srt
            else:
                val = mean
            s0 = int(days.starts[k])
            out[s0 : s0 + per_day] = val
        return out

    return rep


def reduce_problem(
    p: Problem,
    days: TypicalDays,
    rescale_series: bool = True,
    representation: str = DEFAULT_REPRESENTATION,
) -> Problem:
    """The full problem restricted to the typical days (each typical day one local day),
    each typical day's float series formed as ``representation`` says
    (:data:`optimizer.screening.days.REPRESENTATIONS`); ``rescale_series`` applies to
    "medoid" only (the other forms keep every cluster's total themselves)."""
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
    check_choice("representation", representation, REPRESENTATIONS)
    rep = None if representation == "medoid" else represent(days, per_day, representation)
    reduced: Problem = _slice(p, sel, days.weights, p.periods, rescale_series, rep)
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
