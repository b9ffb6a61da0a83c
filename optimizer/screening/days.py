"""Screening, step 1: choose typical days (docs/performance.md, "Screening").

In each calendar month the peak-load day and the day of least on-site and PPA supply are
kept as they are (weight 1), and the other days are clustered (hierarchical Ward, medoid
representation: tsam's method, here through :func:`scipy.cluster.hierarchy.linkage`) into
``days_per_month`` typical days over the columns that drive the answer (load, prices, grid
CFE share and carbon intensity, every profile).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

from optimizer.scenario import Problem

DEFAULT_DAYS_PER_MONTH = 3
STORAGE_MODES = ("linked", "cyclic")
DEFAULT_STORAGE = "cyclic"
"""Measured (docs/performance.md): at 3 days a month the linked form's objective error was
+1.69 % on year-cfe90 and −0.16 % on the Greensboro example, the cyclic form's +0.21 % and
−0.88 %; over 2–6 days a month neither is consistently better, the typical-day
representation dominates the error. The cyclic form (smaller worst case) stays the default."""
EXPECTED_OBJECTIVE_ERROR = 0.02
"""Relative objective error to expect from screening at the default 3 days a month,
measured on the full-year cases in benchmarks/bench_fullyear.py (docs/performance.md:
at most 0.9 % cyclic, 1.7 % linked); the goal the method is held to."""
EXPECTED_OBJECTIVE_ERROR_OTHER_DAYS = 0.12
"""The same for any other number of days a month: on year-cfe90 (CFE target 0.9) the
cyclic form measured −11.1 % at 2 days and +1.6 to +2.8 % at 4 to 12 (docs/performance.md):
the error does not shrink steadily with more days, because medoid days under-represent the
multi-day wind lulls that a 90 % hourly target is sized for."""


@dataclass
class TypicalDays:
    """The chosen steps of the full horizon and the weight of each."""

    steps: np.ndarray
    """Indices into the full horizon, in calendar order."""
    weights: np.ndarray
    """Days of the full horizon each chosen step stands for (one value per step)."""
    days: int
    """Number of typical days."""
    order: np.ndarray
    """For every real day of the full horizon (calendar order, a part day at the end
    included), the typical day (0..days−1) that stands for it; an extreme day stands for
    itself only."""
    starts: np.ndarray
    """Position in ``steps`` of the first step of each typical day."""


def _features(p: Problem) -> pd.DataFrame:
    cols: dict[str, np.ndarray] = {
        "load": p.load_mw,
        "cfe_share": p.grid_cfe_share,
        "carbon": p.grid_carbon_intensity,
    }
    if p.spot_price is not None:
        cols["spot"] = p.spot_price
    for o in p.offers:
        cols[f"price:{o.name}"] = np.broadcast_to(o.price, (p.periods,))
    for q in p.ppas:
        cols[f"ppa:{q.name}"] = np.broadcast_to(q.profile, (p.periods,))
    for r in p.renewables:
        cols[f"re:{r.name}"] = np.broadcast_to(r.profile, (p.periods,))
    df = pd.DataFrame({k: np.asarray(v, dtype=float) for k, v in cols.items()})
    varying = [c for c in df.columns if float(df[c].max() - df[c].min()) > 1e-12]
    return df[varying]


def ward_medoids(data: np.ndarray, per_day: int, n_clusters: int) -> tuple[np.ndarray, np.ndarray]:
    """Hierarchical (Ward) clustering of the days of ``data`` (steps × features, whole
    days of ``per_day`` steps) into ``n_clusters`` and each cluster's medoid, as tsam does
    it with ``cluster_method="hierarchical"`` and medoid representation: each feature
    min-max scaled over all steps (a constant one becomes 0), a day the vector of its
    steps' scaled features, Ward linkage (:func:`scipy.cluster.hierarchy.linkage`), the
    medoid the member of least summed Euclidean distance to its cluster (ties to the
    first). Returns (cluster of each row, medoid row of each cluster), clusters numbered by
    their first row. ``choose_days(..., clustering="tsam")`` gives the same days
    (tests/performance/test_screening.py) without importing tsam and scikit-learn."""
    from scipy.cluster.hierarchy import fcluster, linkage

    v = np.asarray(data, dtype=float)
    span = v.max(axis=0) - v.min(axis=0)
    v = (v - v.min(axis=0)) / np.where(span > 0, span, 1.0)
    x = v.reshape(len(v) // per_day, per_day * v.shape[1])
    k = max(min(n_clusters, len(x)), 1)
    if len(x) == 1:
        labels = np.ones(1, dtype=np.int64)
    else:
        labels = fcluster(linkage(x, method="ward"), t=k, criterion="maxclust")
    groups = sorted(sorted(np.flatnonzero(labels == lab).tolist()) for lab in np.unique(labels))
    assigned = np.empty(len(x), dtype=np.int64)
    medoids = np.empty(len(groups), dtype=np.int64)
    for c, g in enumerate(groups):
        assigned[g] = c
        sub = x[g]
        dist = np.sqrt(((sub[:, None, :] - sub[None, :, :]) ** 2).sum(axis=2)).sum(axis=0)
        medoids[c] = g[int(np.argmin(np.round(dist, 10)))]
    return assigned, medoids


def _tsam_medoids(data: pd.DataFrame, n_clusters: int, dt: float) -> tuple[np.ndarray, np.ndarray]:
    """The same clustering by tsam itself (imports tsam and scikit-learn, ~2.5 s)."""
    import tsam

    data = data.copy()
    data.index = pd.date_range("2001-01-01", periods=len(data), freq=f"{dt}h")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        agg = tsam.aggregate(data, n_clusters, period_duration=24, preserve_column_means=False)
    centers = np.asarray(list(agg.clustering.cluster_centers or ()), dtype=np.int64)
    return np.asarray(agg.cluster_assignments, dtype=np.int64), centers


def _reweight(
    feats: pd.DataFrame,
    per_day: int,
    month_days: np.ndarray,
    chosen: list[tuple[int, float]],
    extremes: list[tuple[int, float]],
) -> list[tuple[int, float]]:
    """Weights of a month's clustered days such that the weighted sums of every feature
    over the month's days equal the month's own sums (least squares, each weight within
    [0.25, 3] times its cluster's size, the total equal to the number of days), so that
    no series needs rescaling: real days, real shapes, the month's energy."""
    from scipy.optimize import lsq_linear

    v = feats.to_numpy(dtype=float)
    day_sum = v[: (len(v) // per_day) * per_day].reshape(-1, per_day, v.shape[1]).sum(axis=1)
    target = day_sum[month_days].sum(axis=0) - sum(w * day_sum[d] for d, w in extremes)
    scale = np.where(np.abs(target) > 1e-9, np.abs(target), 1.0)
    A = (day_sum[[d for d, _ in chosen]] / scale).T
    b = target / scale
    n = np.array([w for _, w in chosen])
    heavy = 1e3  # the total number of days, nearly exactly
    A = np.vstack([A, heavy * np.ones(len(chosen))])
    b = np.concatenate([b, [heavy * n.sum()]])
    res = lsq_linear(A, b, bounds=(0.25 * n, 3.0 * n))
    return [(d, float(x)) for (d, _), x in zip(chosen, res.x, strict=True)]


def choose_days(
    p: Problem,
    days_per_month: int = DEFAULT_DAYS_PER_MONTH,
    extreme_days: bool = True,
    clustering: str = "ward",
    reweight: bool = False,
) -> TypicalDays:
    """Typical days per calendar month (hierarchical medoids) and their weights; with
    ``extreme_days`` also each month's peak-load day and its day of least supply.
    ``clustering``: "ward" (:func:`ward_medoids`, numpy) or "tsam" (the same by tsam)."""
    per_day = round(24.0 / p.dt)
    T = p.periods
    n_days = T // per_day
    feats = _features(p)
    month_of_day = p.time.month_id[np.arange(n_days) * per_day]
    steps: list[np.ndarray] = []
    weights: list[np.ndarray] = []
    rep_of = np.full(n_days, -1, dtype=np.int64)  # the kept day that stands for each day
    load_day = p.load_mw[: n_days * per_day].reshape(n_days, per_day)
    supply = np.zeros(T)
    for prof in [q.profile for q in p.ppas if q.kind != "virtual"] + [
        r.profile for r in p.renewables
    ]:
        supply = supply + np.broadcast_to(prof, (T,))
    supply_day = supply[: n_days * per_day].reshape(n_days, per_day).sum(axis=1)
    for m in np.unique(month_of_day):
        days = np.flatnonzero(month_of_day == m)
        extremes: list[tuple[int, float]] = []
        if extreme_days and len(days) > days_per_month + 2:
            # The month's peak-load day (its demand charge) and its day of least on-site and
            # PPA supply (the hardest day for the CFE target), each standing for itself.
            peak = int(days[np.argmax(load_day[days].max(axis=1))])
            rest = days[days != peak]
            lull = int(rest[np.argmin(supply_day[rest])])
            extremes = [(peak, 1.0), (lull, 1.0)]
            days = rest[rest != lull]
        if len(days) <= days_per_month or feats.shape[1] == 0:
            chosen = [(int(d), 1.0) for d in days] if len(days) <= days_per_month else []
            rep_of[days] = days
            if not chosen:  # nothing varies: one day stands for all
                chosen = [(int(days[0]), float(len(days)))]
                rep_of[days] = days[0]
        else:
            rows = np.concatenate([np.arange(d * per_day, (d + 1) * per_day) for d in days])
            data = feats.iloc[rows].reset_index(drop=True)
            if clustering == "tsam":
                assigned, centers = _tsam_medoids(data, days_per_month, p.dt)
            else:
                assigned, centers = ward_medoids(
                    data.to_numpy(dtype=float), per_day, days_per_month
                )
            medoid = days[centers]
            rep_of[days] = medoid[assigned]
            chosen = [
                (int(medoid[c]), float(np.count_nonzero(assigned == c)))
                for c in range(len(centers))
            ]
        for d, _ in extremes:
            rep_of[d] = d
        if reweight and len(chosen) > 1:
            chosen = _reweight(feats, per_day, np.flatnonzero(month_of_day == m), chosen, extremes)
        for d, w in sorted(chosen + extremes):
            steps.append(np.arange(d * per_day, (d + 1) * per_day))
            weights.append(np.full(per_day, w))
    kept = [int(s[0]) // per_day for s in steps]  # the real day of each typical day
    position = {d: i for i, d in enumerate(kept)}
    order = [position[int(r)] for r in rep_of]
    tail = np.arange(n_days * per_day, T)  # a part day at the end stands for itself
    if len(tail):
        steps.append(tail)
        weights.append(np.ones(len(tail)))
        order.append(len(steps) - 1)
    sel = np.concatenate(steps)
    starts = np.cumsum([0] + [len(s) for s in steps[:-1]])
    return TypicalDays(sel, np.concatenate(weights), len(steps), np.asarray(order), starts)
