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
"""

from __future__ import annotations

import logging
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
            "points": [pt.row() for pt in self.points],
            "build_seconds": self.build_seconds,
            "seconds": self.seconds,
            "warm_start": self.warm_start,
        }


def frontier(
    problem: Problem,
    targets: Sequence[float],
    mode: Mode = "cfe",
    options: SolveOptions | None = None,
    *,
    warm_start: bool = True,
) -> FrontierResult:
    """Solve ``problem`` at every CFE target (``mode="cfe"``) or emissions cap (``"emissions"``).

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

    # Loosest goal first, so that each point warm-starts from a neighbour.
    order = sorted(targets) if mode == "cfe" else sorted(targets, reverse=True)
    if mode == "emissions":
        set_cfe(carbon.cfe_target)
    points: list[FrontierPoint] = []
    solved_once = False
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
        best_cfe = max_cfe_score(built, lp, best_settings)
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
