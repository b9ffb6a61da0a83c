"""Screening, step 1: choose typical days (docs/performance.md, "Screening").

In each calendar month the peak-load day and the day of least on-site and PPA supply are
kept as they are (weight 1), and the other days of the whole year (``scope="year"``; per
month with ``"month"``) are clustered (hierarchical Ward, medoid representation: tsam's
method, here through :func:`scipy.cluster.hierarchy.linkage`) into ``days_per_month`` ×
months typical days over the supply columns (load, grid CFE share, every profile;
``features="all"`` adds the prices and the carbon intensity).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

from optimizer.scenario import Problem

DEFAULT_DAYS_PER_MONTH = 6
"""Typical days a month (times the months, clustered over the whole year) by default: the
fewest at which the objective error measured on year-cfe90 and the Greensboro example was
within 1 % (−0.36 %, +0.28 %; docs/performance.md, "Screening accuracy";
benchmarks/bench_screening.py)."""
STORAGE_MODES = ("linked", "cyclic")
DEFAULT_STORAGE = "cyclic"
"""Measured (docs/performance.md): with the default days (whole-year clustering on supply,
cluster-scaled medoids) the linked form's error was +2.1/+3.5/+1.4 % on year-cfe90 at
3/6/12 days a month against −2.9/−0.4/−0.1 % cyclic; the cyclic form stays the default."""
SCOPES = ("year", "month")
DEFAULT_SCOPE = "year"
"""Cluster the days of the whole year together (``days_per_month`` × months typical days)
or each month's days apart ("month", the earlier method)."""
FEATURES = ("supply", "all", "daily")
DEFAULT_FEATURES = "supply"
"""The columns the days are clustered on: "supply" the load, the grid's CFE share and every
PPA and on-site profile (what sizes clean supply); "all" also the prices and the carbon
intensity (the earlier method); "daily" the supply columns plus each one's daily mean
(weights the days' energy; measured, not better)."""
REPRESENTATIONS = ("scaled", "medoid", "duration", "mean")
DEFAULT_REPRESENTATION = "scaled"
"""How a typical day's series are formed (:func:`optimizer.screening.reduce.represent`):
"scaled" the medoid's own hours scaled to its cluster's mean daily total (capped at the
cluster's maximum); "medoid" the medoid's hours with one rescale over the whole horizon
(the earlier method); "duration" and "mean" (not real days; measured worse)."""

EXPECTED_OBJECTIVE_ERROR_BY_DAYS: dict[int, float] = {
    2: 0.04,
    3: 0.035,
    4: 0.03,
    6: 0.015,
    8: 0.015,
    10: 0.015,
    12: 0.015,
}
"""Relative objective error to expect per typical days a month, with the default method
and storage: the largest |error| measured on year-cfe90 and the Greensboro example (at
most 0.87 % from 6 days on) and on a 3-year year-cfe90 pathway (+0.74 % at 6, +1.09 % at
12), rounded up (docs/performance.md, "Screening accuracy" and "Screening a pathway";
benchmarks/bench_screening.py, bench_screening_pathway.py). Days between two measured
settings take the smaller setting's bound."""
EXPECTED_OBJECTIVE_ERROR = EXPECTED_OBJECTIVE_ERROR_BY_DAYS[DEFAULT_DAYS_PER_MONTH]
"""The bound at the default days a month."""
EXPECTED_OBJECTIVE_ERROR_OTHER_DAYS = 0.12
"""A bound for settings not measured as a default (1 day a month, or another method than
the default): the worst the earlier per-month method measured (−11.1 % at 2 days)."""


def expected_objective_error(
    days_per_month: int, default_method: bool = True, storage: str = DEFAULT_STORAGE
) -> float:
    """The objective error to state for a screening run (see
    :data:`EXPECTED_OBJECTIVE_ERROR_BY_DAYS`): the measured bound of the largest measured
    setting at or below ``days_per_month``; :data:`EXPECTED_OBJECTIVE_ERROR_OTHER_DAYS`
    below 2 days or off the default method and storage."""
    below = [d for d in EXPECTED_OBJECTIVE_ERROR_BY_DAYS if d <= days_per_month]
    if not default_method or storage != DEFAULT_STORAGE or not below:
        return EXPECTED_OBJECTIVE_ERROR_OTHER_DAYS
    return EXPECTED_OBJECTIVE_ERROR_BY_DAYS[max(below)]


def check_choice(name: str, value: str, allowed: tuple[str, ...]) -> None:
    """A clear error naming the argument when ``value`` is not one of ``allowed``."""
    if value not in allowed:
        raise ValueError(f"{name} must be one of {', '.join(allowed)}, not {value!r}")


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


def _features(p: Problem, which: str = DEFAULT_FEATURES) -> pd.DataFrame:
    """The per-step columns the days are clustered on (those that vary). "supply": the
    load, the grid's CFE share and every PPA and on-site profile — and, when no profile
    varies (nothing about clean supply to tell days apart), the prices and the carbon
    intensity as "all" has them."""
    supply: dict[str, np.ndarray] = {}
    for q in p.ppas:
        supply[f"ppa:{q.name}"] = np.broadcast_to(q.profile, (p.periods,))
    for r in p.renewables:
        supply[f"re:{r.name}"] = np.broadcast_to(r.profile, (p.periods,))
    varies = any(float(np.ptp(v)) > 1e-12 for v in supply.values())
    cols: dict[str, np.ndarray] = {"load": p.load_mw, "cfe_share": p.grid_cfe_share}
    if which == "all" or not varies:
        cols["carbon"] = p.grid_carbon_intensity
        if p.spot_price is not None:
            cols["spot"] = p.spot_price
        for o in p.offers:
            cols[f"price:{o.name}"] = np.broadcast_to(o.price, (p.periods,))
    cols.update(supply)
    if which == "daily":
        per_day = round(24.0 / p.dt)
        n = (p.periods // per_day) * per_day
        for k, v in [*supply.items(), ("load", p.load_mw)]:
            v = np.asarray(v, dtype=float)
            d = v.copy()
            d[:n] = np.repeat(v[:n].reshape(-1, per_day).mean(axis=1), per_day)
            cols[f"daily:{k}"] = d
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
    scope: str = DEFAULT_SCOPE,
    features: str = DEFAULT_FEATURES,
) -> TypicalDays:
    """``days_per_month`` typical days a month (hierarchical medoids; ``scope="year"``: the
    same number, clustered over the whole year's days) and their weights; with
    ``extreme_days`` also each month's peak-load day and its day of least supply.
    ``clustering``: "ward" (:func:`ward_medoids`, numpy) or "tsam" (the same by tsam);
    ``features``: :data:`FEATURES`; ``reweight`` (per-month scope only) refits the weights
    to the month's sums."""
    check_choice("scope", scope, SCOPES)
    check_choice("features", features, FEATURES)
    if days_per_month < 1:
        raise ValueError(f"days_per_month must be at least 1, not {days_per_month}")
    per_day = round(24.0 / p.dt)
    T = p.periods
    n_days = T // per_day
    feats = _features(p, features)
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
    groups: list[tuple[np.ndarray, int]] = []  # days to cluster, and into how many
    all_extremes: list[tuple[int, float]] = []
    months = np.unique(month_of_day)
    for m in months:
        days = np.flatnonzero(month_of_day == m)
        if extreme_days and len(days) > days_per_month + 2:
            # The month's peak-load day (its demand charge) and its day of least on-site and
            # PPA supply (the hardest day for the CFE target), each standing for itself.
            peak = int(days[np.argmax(load_day[days].max(axis=1))])
            rest = days[days != peak]
            lull = int(rest[np.argmin(supply_day[rest])])
            all_extremes += [(peak, 1.0), (lull, 1.0)]
            days = rest[rest != lull]
        groups.append((days, days_per_month))
    if scope == "year":
        # as many typical days as per month (each month's days, at most days_per_month)
        k = sum(min(len(g), n) for g, n in groups)
        groups = [(np.sort(np.concatenate([g for g, _ in groups])), k)]
    for days, k in groups:
        if len(days) <= k or feats.shape[1] == 0:
            chosen = [(int(d), 1.0) for d in days] if len(days) <= k else []
            rep_of[days] = days
            if not chosen:  # nothing varies: one day stands for all
                chosen = [(int(days[0]), float(len(days)))]
                rep_of[days] = days[0]
        else:
            rows = np.concatenate([np.arange(d * per_day, (d + 1) * per_day) for d in days])
            data = feats.iloc[rows].reset_index(drop=True)
            if clustering == "tsam":
                assigned, centers = _tsam_medoids(data, k, p.dt)
            else:
                assigned, centers = ward_medoids(data.to_numpy(dtype=float), per_day, k)
            medoid = days[centers]
            rep_of[days] = medoid[assigned]
            chosen = [
                (int(medoid[c]), float(np.count_nonzero(assigned == c)))
                for c in range(len(centers))
            ]
        if reweight and len(chosen) > 1 and scope == "month":
            m = month_of_day[days[0]]
            ext = [(d, w) for d, w in all_extremes if month_of_day[d] == m]
            chosen = _reweight(feats, per_day, np.flatnonzero(month_of_day == m), chosen, ext)
        for d, w in chosen:
            steps.append(np.arange(d * per_day, (d + 1) * per_day))
            weights.append(np.full(per_day, w))
    for d, w in all_extremes:
        rep_of[d] = d
        steps.append(np.arange(d * per_day, (d + 1) * per_day))
        weights.append(np.full(per_day, w))
    by_day = np.argsort([int(s[0]) for s in steps], kind="stable")  # calendar order
    steps = [steps[i] for i in by_day]
    weights = [weights[i] for i in by_day]
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
