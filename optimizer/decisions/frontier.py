"""The cost–carbon frontier: cost against a 24/7 CFE target or an emissions cap (CONTRACT 6).

The LP is built once with the CFE row (``BuildOptions(cfe_row=True)``; for a cap sweep also
the emissions row) and kept in HiGHS. Each point moves one row bound,

    CFE row:        Σ_t dirty[t]·Δt ≤ (1 − x)·Σ_t load[t]·Δt
    emissions row:  Σ_t emissions[t] ≤ cap

and re-solves with the simplex from the previous optimal basis (a bound change keeps the
basis dual feasible, so the dual simplex needs only the pivots between neighbouring optima).
Points are solved from the loosest to the tightest goal. The numbers of each point come
from :func:`optimizer.results.extract`, as ``dcopt run --set carbon.cfe_target=x`` reports
them. A target beyond the reachable maximum is a row with status ``infeasible``.

Between neighbouring optimal points i−1, i the marginal cost is
``Δtotal_cost / Δclean_mwh`` (clean MWh = cfe_score · served load) and
``Δtotal_cost / (emissions[i−1] − emissions[i])`` per tCO2 abated (location-based); None
where the denominator is (numerically) zero.

The default CFE range (``targets=None``; ``dcopt frontier --cfe auto`` or neither ``--cfe``
nor ``--emissions``) starts where the target begins to bind and ends at the best reachable
score: the model is first solved with the CFE row relaxed (the unconstrained run), its
24/7 CFE score s0 rounded down to the step is the first target, then every step up to the
highest reachable score s_max (:func:`optimizer.goals.max_cfe_score`), and s_max itself
(rounded down to 1e-4) when it is not on the grid:
``floor(s0/step)·step, … , floor(s_max/step)·step [, s_max]``.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Sequence
from dataclasses import dataclass, field, fields
from typing import Any, Literal

from optimizer.decisions.common import (
    clean_number,
    max_cfe_score,
    min_emissions,
    warm_settings,
)
from optimizer.model import BuildOptions, build_model
from optimizer.model.highs import HighsLp
from optimizer.results import extract, versions
from optimizer.scenario import Problem
from optimizer.solve import SolveOptions, choose_settings

log = logging.getLogger(__name__)

Mode = Literal["cfe", "emissions"]
AUTO_STEP = 0.05
"""The step of the default CFE range."""

CSV_COLUMNS = (
    "cfe_target",
    "status",
    "objective",
    "total_cost",
    "cfe_score",
    "emissions_tco2",
    "cost_per_mwh",
    "max_emissions_tco2",
    "served_load_mwh",
    "clean_energy_mwh",
    "marginal_cost_per_mwh_clean",
    "marginal_cost_per_tco2_abated",
    "solve_seconds",
    "signed_offers",
)
"""frontier.csv: CONTRACT section 6's columns first, then ours."""


@dataclass
class FrontierPoint:
    """One row of frontier.csv; ``emissions_tco2`` is location-based."""

    cfe_target: float | None
    max_emissions_tco2: float | None
    status: str
    objective: float | None = None
    total_cost: float | None = None
    cfe_score: float | None = None
    emissions_tco2: float | None = None
    cost_per_mwh: float | None = None
    served_load_mwh: float | None = None
    clean_energy_mwh: float | None = None
    marginal_cost_per_mwh_clean: float | None = None
    marginal_cost_per_tco2_abated: float | None = None
    solve_seconds: float = 0.0
    signed_offers: str = ""
    """The offers signed at this point (CONTRACT 13), ``group=name`` joined by ``;``: each
    point re-chooses them (a tighter target may sign another supplier)."""
    summary: dict[str, Any] | None = field(default=None, repr=False)
    dispatch: Any = field(default=None, repr=False)
    """The dispatch table, kept for the first optimal point only (the report's run)."""

    def row(self) -> dict[str, Any]:
        return {
            f.name: getattr(self, f.name)
            for f in fields(self)
            if f.name not in ("summary", "dispatch")
        }


@dataclass
class FrontierResult:
    mode: Mode
    problem: Problem
    points: list[FrontierPoint]
    max_cfe_score: float | None
    min_emissions_tco2: float | None = None
    unconstrained_cfe_score: float | None = None
    """The CFE score with the CFE row relaxed; set for the default range (targets=None)."""
    build_seconds: float = 0.0
    seconds: float = 0.0
    warm_start: bool = True

    @property
    def any_optimal(self) -> bool:
        return any(p.status == "optimal" for p in self.points)

    def to_dict(self) -> dict[str, Any]:
        p = self.problem
        return {
            "scenario": p.scenario.name,
            "currency": p.scenario.currency,
            "mode": self.mode,
            "max_cfe_score": clean_number(self.max_cfe_score),
            "min_emissions_tco2": clean_number(self.min_emissions_tco2),
            "unconstrained_cfe_score": clean_number(self.unconstrained_cfe_score),
            "points": [pt.row() for pt in self.points],
            "build_seconds": self.build_seconds,
            "seconds": self.seconds,
            "warm_start": self.warm_start,
        }


def auto_targets(unconstrained: float, best: float, step: float = AUTO_STEP) -> list[float]:
    """The default CFE range: the unconstrained score rounded down to ``step``, every step up
    to the best reachable score, and that score (rounded down to 1e-4) when off the grid."""
    if not 0 < step <= 1:
        raise ValueError(f"step must lie in (0, 1], got {step}")
    lo = math.floor(unconstrained / step + 1e-9)
    hi = math.floor(best / step + 1e-9)
    values = [round(i * step, 10) for i in range(lo, max(lo, hi) + 1)]
    top = math.floor(best * 1e4 + 1e-6) / 1e4
    if top > values[-1] + 1e-4:
        values.append(top)
    return values


def _dirty_now(built: Any, lp: HighsLp) -> float:
    """Σ dirty energy of the CFE row at the LP's current solution."""
    coefs, variables = built.builder.base.cfe.terms
    cols = lp.cols(variables)
    x = lp.values(lp.columns)
    return float(sum(c * x[j] for c, j in zip(coefs, cols.tolist(), strict=True) if j >= 0))


def frontier(
    problem: Problem,
    targets: Sequence[float] | None,
    mode: Mode = "cfe",
    options: SolveOptions | None = None,
    *,
    warm_start: bool = True,
    step: float = AUTO_STEP,
) -> FrontierResult:
    """Solve ``problem`` at every CFE target (``mode="cfe"``) or emissions cap (``"emissions"``).

    ``targets=None`` (CFE mode only) is the default range of the module docstring, from the
    unconstrained run's score rounded down to ``step`` up to the best reachable score.

    The scenario's own goal of the swept kind is replaced by each point's; its other goal
    stays. ``warm_start=False`` clears HiGHS's basis before every point (a cold solve each
    time; the tests compare both).
    """
    t0 = time.perf_counter()
    options = options or SolveOptions()
    carbon = problem.carbon
    built = build_model(problem, BuildOptions(cfe_row=True, emissions_row=mode == "emissions"))
    lp = HighsLp(built.model)
    build_seconds = built.build_seconds + lp.compile_seconds
    b = built.builder
    assert b.base.cfe is not None
    cfe_row = b.base.cfe.row
    total_load = b.base.cfe.total_load_mwh
    cold = choose_settings(options, problem.periods)
    warm = warm_settings(options, problem.periods) if warm_start else cold

    def set_cfe(target: float | None) -> None:
        lp.set_row_upper(cfe_row, float("inf") if target is None else (1 - target) * total_load)

    def set_cap(cap: float | None) -> None:
        assert b.base.emissions_cap is not None
        lp.set_row_upper(b.base.emissions_cap.row, float("inf") if cap is None else cap)

    unconstrained: float | None = None
    auto_best: float | None = None
    solved_once = False
    if targets is None:
        if mode != "cfe":
            raise ValueError("the default range (targets=None) is for mode='cfe' only")
        set_cfe(None)
        if lp.solve(cold) == "optimal":
            solved_once = True
            unconstrained = 1.0 - _dirty_now(built, lp) / total_load if total_load > 0 else 1.0
            auto_best = max_cfe_score(built, lp, warm)
        if unconstrained is None or auto_best is None:
            targets = [carbon.cfe_target or 0.0]  # nothing solves: one point says why
        else:
            targets = auto_targets(unconstrained, max(auto_best, unconstrained), step)
        log.info("frontier: default CFE range %s", targets)

    # Loosest goal first, so that each point warm-starts from a neighbour.
    order = sorted(targets) if mode == "cfe" else sorted(targets, reverse=True)
    if mode == "emissions":
        set_cfe(carbon.cfe_target)
    points: list[FrontierPoint] = []
    for x in order:
        if mode == "cfe":
            set_cfe(x)
        else:
            set_cap(x)
        if not warm_start:
            lp.clear_solver()
        status = lp.solve(warm if solved_once else cold)
        if status == "optimal":
            solved_once = True
        pt = FrontierPoint(
            cfe_target=x if mode == "cfe" else carbon.cfe_target,
            max_emissions_tco2=x if mode == "emissions" else carbon.max_emissions_tco2,
            status=status if status != "unbounded" else "error",
            solve_seconds=lp.solve_seconds,
        )
        if status in ("optimal", "time_limit") and lp.has_solution:
            summary, dispatch = extract(built, lp)
            summary["versions"] = versions()
            if status != "optimal":
                summary["status"] = status
            _fill(pt, summary)
            if status == "optimal" and all(p.dispatch is None for p in points):
                pt.dispatch = dispatch
        points.append(pt)
        log.info("frontier point %g: %s in %.2f s", x, status, lp.solve_seconds)
    _marginals(points)

    # The best reachable values, the swept goal relaxed (the other goal of the scenario kept).
    best_settings = warm if solved_once else cold
    if mode == "cfe":
        set_cfe(None)
        best_cfe = auto_best if auto_best is not None else max_cfe_score(built, lp, best_settings)
        best_em = None
    else:
        set_cap(None)
        best_em = min_emissions(built, lp, best_settings)
        set_cfe(None)
        best_cfe = max_cfe_score(built, lp, best_settings)
    return FrontierResult(
        mode=mode,
        problem=problem,
        points=points,
        max_cfe_score=best_cfe,
        min_emissions_tco2=best_em,
        unconstrained_cfe_score=unconstrained,
        build_seconds=build_seconds,
        seconds=time.perf_counter() - t0,
        warm_start=warm_start,
    )


def _fill(pt: FrontierPoint, summary: dict[str, Any]) -> None:
    pt.summary = summary
    pt.signed_offers = ";".join(f"{g}={n}" for g, n in summary.get("signed_offers", {}).items())
    pt.objective = clean_number(summary["objective"])
    pt.total_cost = clean_number(summary["total_cost"])
    pt.cfe_score = clean_number(summary["cfe_score"])
    pt.emissions_tco2 = clean_number(summary["emissions_tco2"]["location_based"])
    pt.cost_per_mwh = clean_number(summary["cost_per_mwh"])
    served = float(summary["served_load_mwh"])
    pt.served_load_mwh = served
    pt.clean_energy_mwh = (pt.cfe_score or 0.0) * served if pt.cfe_score is not None else None


def _marginals(points: list[FrontierPoint]) -> None:
    prev: FrontierPoint | None = None
    for pt in points:
        if pt.status != "optimal":
            continue
        if prev is not None and prev.total_cost is not None and pt.total_cost is not None:
            d_cost = pt.total_cost - prev.total_cost
            scale = max(1.0, pt.served_load_mwh or 1.0)
            if pt.clean_energy_mwh is not None and prev.clean_energy_mwh is not None:
                d_clean = pt.clean_energy_mwh - prev.clean_energy_mwh
                if abs(d_clean) > 1e-7 * scale:
                    pt.marginal_cost_per_mwh_clean = d_cost / d_clean
            if pt.emissions_tco2 is not None and prev.emissions_tco2 is not None:
                abated = prev.emissions_tco2 - pt.emissions_tco2
                if abs(abated) > 1e-7 * max(1.0, abs(prev.emissions_tco2)):
                    pt.marginal_cost_per_tco2_abated = d_cost / abated
        prev = pt
