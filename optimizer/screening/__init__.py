"""Screening: solve on typical days for fast sweeps — an estimate, not the full answer.

Method (docs/performance.md, "Screening"):

1. The horizon is cut into days of ``24/Δt`` steps. In each calendar month, the peak-load
   day and the day of least on-site and PPA supply are kept as they are (weight 1; the
   demand charge and the CFE target are set by such days), and the other days are clustered
   (hierarchical Ward, medoid representation: tsam's method, done in numpy by
   :func:`ward_medoids`; ``clustering="tsam"`` calls tsam) into ``days_per_month`` typical days over
   the columns that drive the answer (load, prices, grid CFE share and carbon intensity,
   every profile). A medoid is a real day, so the reduced problem is the full problem
   restricted to those days, each with a weight ``w`` = the number of days it stands for.
   Every non-negative series is rescaled so that its weighted total is the full one (load,
   PPA and on-site energy are preserved), capped at its maximum.
2. The LP is built by the same modules on the reduced problem (its time grid keeps the full
   horizon fraction H, the calendar months of its days and one local day per typical day).
   Then every per-step quantity that sums over the horizon is weighted: the cost of each
   per-step column and its coefficient in the CFE and emissions rows are multiplied by the
   weight of its step, the CFE row's load total is the weighted one, and PPA payments (which
   modules compute from profile sums) are recomputed from the full year's profiles.
   Capital costs, fixed fees and the demand charge's month fractions are already those of
   the full horizon. Each month's demand-charge peak is the peak over its kept days.
3. Storage, ``storage="linked"``: every real day d of the horizon is mapped
   to the typical day k(d) that stands for it (the clustering's assignments; an extreme day
   stands for itself), and the battery's state of charge is an inter-day state S[d] plus
   the typical day's intra-day swing, S[d+1] = S[d] + Δsoc[k(d)], cyclic over the year,
   with 0 ≤ S[d] + soc_intra[k(d), t] ≤ E through each typical day's max and min of
   soc_intra (Kotzur et al. 2018; ``optimizer/model/storage_periods.py``). A typical day's
   dispatch counts w times in the costs and w times in the chain, so a battery can carry
   energy from a cheap day to an expensive one, but never more often than the days occur.
   ``storage="cyclic"`` (the default, see ``DEFAULT_STORAGE`` for the measurements):
   each typical day is cyclic on its own, free to start at any state (no inter-day
   shifting, but no cost for each day's ideal starting state either).
   Chaining the typical days directly (as if consecutive) is biased: a battery charges on
   a day standing for 1 day and discharges on one standing for 10 (measured −11 %).
   When every day is kept (weights all 1) both are the full model.

The objective is the full-year-equivalent cost; ``summary["screening"]`` states the
method, the weights and the measured error to expect (``EXPECTED_OBJECTIVE_ERROR``).
"""

from __future__ import annotations

import dataclasses
import logging
import time
import warnings
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

import numpy as np
import pandas as pd

from optimizer.model import BuildOptions, BuiltModel, build_model
from optimizer.model.highs import HighsLp
from optimizer.model.storage_periods import StoragePeriods
from optimizer.scenario import Problem, load_problem
from optimizer.scenario.timeindex import TimeGrid

log = logging.getLogger(__name__)

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
EXPECTED_OBJECTIVE_ERROR_OTHER_DAYS = 0.10
"""The same for any other number of days a month: 2, 4 and 6 measured up to 9.8 % (the
error is not monotone in the number of typical days)."""


@dataclass(frozen=True)
class ReducedGrid(TimeGrid):
    """A time grid of typical days that keeps the full horizon's fraction of a year."""

    full_periods: int = 0

    @property
    def horizon_fraction(self) -> float:
        return self.full_periods * self.dt_hours / 8760.0


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
    steps' scaled features, Ward merges (the pair whose merge adds least to the
    within-cluster squared distance), the medoid the member of least summed Euclidean
    distance to its cluster (ties to the first). Returns (cluster of each row, medoid row
    of each cluster), clusters numbered by their first row. A month has at most 31 rows,
    so the O(n³) merge loop is instant, and it avoids importing tsam and scikit-learn
    (~2.5 s); ``choose_days(..., clustering="tsam")`` gives the same days
    (tests/performance/test_screening.py)."""
    v = np.asarray(data, dtype=float)
    span = v.max(axis=0) - v.min(axis=0)
    v = (v - v.min(axis=0)) / np.where(span > 0, span, 1.0)
    x = v.reshape(len(v) // per_day, per_day * v.shape[1])
    groups: list[list[int]] = [[i] for i in range(len(x))]
    centers = [x[i].copy() for i in range(len(x))]
    while len(groups) > max(n_clusters, 1):
        best, pair = np.inf, (0, 1)
        for a in range(len(groups)):
            for b in range(a + 1, len(groups)):
                na, nb = len(groups[a]), len(groups[b])
                cost = na * nb / (na + nb) * float(((centers[a] - centers[b]) ** 2).sum())
                if cost < best:
                    best, pair = cost, (a, b)
        a, b = pair
        na, nb = len(groups[a]), len(groups[b])
        centers[a] = (na * centers[a] + nb * centers[b]) / (na + nb)
        groups[a] = groups[a] + groups[b]
        del groups[b], centers[b]
    groups = sorted(sorted(g) for g in groups)
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


def choose_days(
    p: Problem,
    days_per_month: int = DEFAULT_DAYS_PER_MONTH,
    extreme_days: bool = True,
    clustering: str = "ward",
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


def _slice(obj: Any, sel: np.ndarray, w: np.ndarray, T: int) -> Any:
    """Restrict every per-step array to the chosen steps, keeping its weighted total.

    A non-negative series is rescaled so that its weighted sum over the typical days equals
    its sum over the full horizon (energy, load and clean supply are preserved, as tsam's
    ``preserve_column_means`` does), capped at the series' maximum (a profile stays ≤ 1).
    """
    if isinstance(obj, np.ndarray) and obj.ndim == 1 and obj.shape[0] == T:
        red = obj[sel].astype(float)
        weighted = float((w * red).sum())
        if obj.dtype.kind == "f" and weighted > 0 and bool((obj >= 0).all()):
            red = np.minimum(red * (float(obj.sum()) / weighted), float(obj.max()))
        return red
    if isinstance(obj, list):
        return [_slice(x, sel, w, T) for x in obj]
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        changes = {
            f.name: _slice(getattr(obj, f.name), sel, w, T)
            for f in dataclasses.fields(obj)
            if f.init and f.name not in ("scenario", "time")
        }
        return dataclasses.replace(obj, **changes)
    return obj


def reduce_problem(p: Problem, days: TypicalDays) -> Problem:
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
    reduced: Problem = _slice(p, sel, days.weights, p.periods)
    reduced.time = grid
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


def _step_of_columns(built: BuiltModel, lp: HighsLp) -> np.ndarray:
    """Step index of every LP column created by ``step_vars``; -1 for scalar columns."""
    out = np.full(lp.num_cols, -1, dtype=np.int64)
    for comp in built.builder.step_components:
        variables = list(comp.values())
        cols = lp.cols(variables)
        steps = np.fromiter((_last(v.index()) for v in variables), dtype=np.int64)
        ok = cols >= 0
        out[cols[ok]] = steps[ok]
    return out


def _last(index: Any) -> int:
    return int(index[-1])


@dataclass
class ScreeningResult:
    """A screening answer. ``summary`` has the summary.json keys that screening can give."""

    status: str
    summary: dict[str, Any]
    problem: Problem
    reduced: Problem
    days: TypicalDays
    built: BuiltModel
    lp: HighsLp

    @property
    def objective(self) -> float | None:
        v = self.summary.get("objective")
        return float(v) if v is not None else None


def _weighted_costs(
    built: BuiltModel, lp: HighsLp, full: Problem, w_col: np.ndarray
) -> list[tuple[str, str, np.ndarray, np.ndarray]]:
    """Every cost term with its full-horizon coefficients: (category, item, cols, coefs)."""
    b = built.builder
    ppas = {q.name: q for q in full.ppas}
    out = []
    for term in b.cost.terms:
        cols = lp.cols(term.variables)
        coefs = np.asarray(term.coefs, dtype=float).copy()
        ok = cols >= 0
        coefs[ok] *= w_col[cols[ok]]
        if term.category in ("ppa_energy", "ppa_settlement") and term.item in ppas:
            q = ppas[term.item]
            if term.category == "ppa_energy":
                coefs[:] = q.price_per_mwh * float(np.sum(q.profile) * full.dt)
            elif full.spot_price is not None:
                coefs[:] = float(((q.price_per_mwh - full.spot_price) * q.profile).sum() * full.dt)
        out.append((term.category, term.item, cols, coefs))
    return out


def solve_screening(
    scenario: Problem | str | Path | Mapping[str, Any],
    days_per_month: int = DEFAULT_DAYS_PER_MONTH,
    overrides: Iterable[str | tuple[str, Any]] = (),
    options: Any = None,
    extreme_days: bool = True,
    storage: str = DEFAULT_STORAGE,
) -> ScreeningResult:
    """Solve ``scenario`` on typical days; ``options`` is a :class:`SolveOptions`;
    ``storage`` is "linked" (state of charge carried across the real days, Kotzur) or
    "cyclic" (each typical day cyclic on its own)."""
    if storage not in STORAGE_MODES:
        raise ValueError(f"storage must be one of {', '.join(STORAGE_MODES)}, not {storage!r}")
    from optimizer.results import versions
    from optimizer.solve import SolveOptions, choose_settings

    options = options or SolveOptions()
    full = (
        scenario if isinstance(scenario, Problem) else load_problem(scenario, overrides=overrides)
    )
    t0 = time.perf_counter()
    days = choose_days(full, days_per_month, extreme_days)
    reduced = reduce_problem(full, days)
    built = build_model(reduced, BuildOptions(storage_periods=storage_periods(days, storage)))
    lp = HighsLp(built.model)
    b = built.builder
    step_col = _step_of_columns(built, lp)
    w_step = days.weights
    w_col = np.where(step_col >= 0, w_step[np.clip(step_col, 0, None)], 1.0)

    terms = _weighted_costs(built, lp, full, w_col)
    cost = np.zeros(lp.num_cols)
    for _, _, cols, coefs in terms:
        ok = cols >= 0
        np.add.at(cost, cols[ok], coefs[ok])
    lp.set_costs(lp.columns, cost)
    lp.cost = cost

    # Rows that sum over the horizon: weight their per-step coefficients.
    for name, key in (("cfe", "cfe_dirty_terms"), ("emissions_cap", "emissions_terms")):
        if name not in b.rows:
            continue
        row_coefs, variables = cast(tuple[list[float], list[Any]], b.extras[key])
        cols = lp.cols(variables)
        agg = np.zeros(lp.num_cols)
        ok = cols >= 0
        np.add.at(agg, cols[ok], np.asarray(row_coefs, dtype=float)[ok] * w_col[cols[ok]])
        i = lp.row(b.rows[name])
        for j in np.unique(cols[ok]):
            lp.h.changeCoeff(i, int(j), float(agg[j]))
        b.extras[key] = (
            agg[np.unique(cols[ok])].tolist(),
            [lp.columns[j] for j in np.unique(cols[ok])],
        )
    if "cfe" in b.rows:
        total = float((w_step * reduced.load_mw).sum() * full.dt)
        b.extras["cfe_total_load_mwh"] = total
        target = full.carbon.cfe_target
        if target is not None:
            lp.set_row_upper(b.rows["cfe"], (1.0 - target) * total)
    build_seconds = time.perf_counter() - t0

    status = lp.solve(choose_settings(options, reduced.periods))
    expected = (
        EXPECTED_OBJECTIVE_ERROR
        if days_per_month == DEFAULT_DAYS_PER_MONTH
        else EXPECTED_OBJECTIVE_ERROR_OTHER_DAYS
    )
    summary: dict[str, Any] = {
        "status": status,
        "scenario": full.scenario.name,
        "currency": full.scenario.currency,
        "build_seconds": build_seconds,
        "solve_seconds": lp.solve_seconds,
        "versions": versions(),
        "screening": {
            "method": (
                "typical days (tsam medoids per month, plus each month's peak-load and "
                "least-supply days), weighted; "
                + (
                    "storage linked across the real days (Kotzur et al. 2018)"
                    if storage == "linked"
                    else "storage cyclic within each typical day"
                )
            ),
            "storage": storage,
            "typical_days": days.days,
            "days_per_month": days_per_month,
            "steps": len(days.steps),
            "full_steps": full.periods,
            "expected_objective_error": expected,
            "note": (
                "screening estimate, not the full answer: expect the objective within about "
                f"{expected:.0%} of the full model's; confirm a decision "
                "with a full run (without --screening)"
            ),
        },
    }
    if status == "optimal":
        summary.update(_screening_numbers(built, lp, full, days, terms))
    return ScreeningResult(status, summary, full, reduced, days, built, lp)


def _screening_numbers(
    built: BuiltModel,
    lp: HighsLp,
    full: Problem,
    days: TypicalDays,
    terms: list[tuple[str, str, np.ndarray, np.ndarray]],
) -> dict[str, Any]:
    b = built.builder
    p = b.problem
    dt = p.dt
    w = days.weights
    x = lp.values(lp.columns)
    values = lp.values
    breakdown: dict[str, float] = {}
    for cat, _, cols, coefs in terms:
        ok = cols >= 0
        breakdown[cat] = breakdown.get(cat, 0.0) + float(coefs[ok] @ x[cols[ok]])
    for cat, _, v in b.cost.constants:
        breakdown[cat] = breakdown.get(cat, 0.0) + v
    carbon = breakdown.pop("carbon_price", 0.0)
    imports = b.imports.evaluate(values)
    certs = b.certificates.evaluate(values)
    covered = (
        np.clip(np.minimum(imports, certs), 0.0, None)
        if not b.certificates.is_empty
        else np.zeros(p.periods)
    )
    dirty = (1.0 - p.grid_cfe_share) * (imports - covered) + b.fossil.evaluate(values)
    served = p.load_mw + b.served_delta.evaluate(values)
    served_mwh = float((w * served).sum() * dt)
    emis = b.emissions.evaluate(values)
    gen_emis = emis - p.grid_carbon_intensity * imports * dt
    emis_mkt = p.grid_carbon_intensity * (imports - covered) * dt + gen_emis
    total_cost = lp.objective - carbon
    return {
        "objective": lp.objective,
        "total_cost": total_cost,
        "cost_breakdown": breakdown,
        "carbon_cost": carbon,
        "cfe_score": 1.0 - float((w * dirty).sum() * dt) / served_mwh if served_mwh else None,
        "cfe_target": full.carbon.cfe_target,
        "served_load_mwh": served_mwh,
        "emissions_tco2": {
            "location_based": float((w * emis).sum()),
            "market_based": float((w * emis_mkt).sum()),
        },
        "capacity_mw": {
            k: float(v)
            for k, v in zip(b.capacities, values(list(b.capacities.values())), strict=True)
        },
        "storage_mwh": {
            k: float(v) for k, v in zip(b.storage, values(list(b.storage.values())), strict=True)
        },
        "grid_import_mwh": {
            o.name: float((w * b.flows[f"grid_import_mw:{o.name}"].evaluate(values)).sum() * dt)
            for o in p.offers
        },
        "cost_per_mwh": total_cost / served_mwh if served_mwh else None,
    }
