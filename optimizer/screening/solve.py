"""Screening, step 3: build and solve the weighted reduced problem.

The LP is built by the same units on the reduced problem, whose step weights make every
horizon total (energy costs, the CFE and emissions rows and their load total, the carbon
price) count each typical step as often as it occurs; capital, fixed fees, PPA payments
and the demand charge's month fractions are those of the full horizon already
(:mod:`optimizer.screening.reduce`). The numbers come from the same accounting as a full
run (:mod:`optimizer.results`), weighted.
"""

from __future__ import annotations

import dataclasses
import logging
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from optimizer.errors import FieldError, ScenarioError, SolverError
from optimizer.model import BuildOptions, BuiltModel, build_model
from optimizer.model.highs import HighsLp
from optimizer.options import IPM_MIN_PERIODS, IPM_MIN_ROWS, available_cores
from optimizer.scenario import Problem, load_problem
from optimizer.scenario.cases import Study
from optimizer.screening.days import (
    DEFAULT_DAYS_PER_MONTH,
    DEFAULT_FEATURES,
    DEFAULT_REPRESENTATION,
    DEFAULT_SCOPE,
    DEFAULT_STORAGE,
    REPRESENTATIONS,
    STORAGE_MODES,
    TypicalDays,
    check_choice,
    choose_days,
    expected_objective_error,
)
from optimizer.screening.reduce import reduce_problem, storage_periods

log = logging.getLogger(__name__)

CYCLIC_IPM_MIN_ROWS = 20_000
"""``auto``'s boundary (LP rows) between the dual simplex and HiPO for typical days with
cyclic storage. Measured 2026-12-02 on 2 quiet cores (solve seconds, simplex / HiPO with
crossover): year-cfe90 at 3, 6, 8, 12 days a month, 8,643 / 13,827 / 17,283 / 24,195 rows:
0.69 / 0.82, 0.87 / 1.57, 1.79 / 2.34, 6.20 / 4.96 s; the bundled example at 3, 6, 8 days,
15,843 / 25,347 / 31,683 rows: 2.62 / 3.42, 9.94 / 5.67, 13.19 / 7.98 s. A full horizon
keeps :data:`optimizer.options.IPM_MIN_ROWS`, its steps chained in time."""


@dataclass
class ScreeningResult:
    """A screening answer. ``summary`` has the summary.json keys, full-year equivalent."""

    status: str
    summary: dict[str, Any]
    problem: Problem
    reduced: Problem
    days: TypicalDays
    built: BuiltModel | None
    lp: HighsLp | None
    """The LP solved (None when a scenario set was decomposed: its cases' LPs lived in
    worker processes)."""

    @property
    def objective(self) -> float | None:
        v = self.summary.get("objective")
        return float(v) if v is not None else None


def screened_study(
    full: Problem,
    days_per_month: int = DEFAULT_DAYS_PER_MONTH,
    extreme_days: bool = True,
    storage: str = DEFAULT_STORAGE,
    representation: str = DEFAULT_REPRESENTATION,
    scope: str = DEFAULT_SCOPE,
    features: str = DEFAULT_FEATURES,
) -> tuple[Problem | Study, Problem, TypicalDays, BuildOptions]:
    """``full`` on typical days: what the LP is built from (the reduced problem, or for a
    study of cases the study with every case reduced on the same calendar days, chosen on
    the first case, so that one storage formulation serves them all), the reduced first
    case, the days and the build options (their storage periods). Also what
    :func:`optimizer.decisions.decomposition.solve_decomposed` takes to decompose a
    screened scenario set."""
    per_day = round(24.0 / full.dt)
    if full.periods < per_day:
        raise ScenarioError(
            FieldError(
                "--screening",
                f"typical days need at least one whole day of steps; the horizon has "
                f"{full.periods} step(s) of {full.dt:g} h (solve it without --screening)",
            )
        )
    days = choose_days(full, days_per_month, extreme_days, scope=scope, features=features)
    reduced = reduce_problem(full, days, representation=representation)
    target: Problem | Study = reduced
    if full.study is not None:
        cases = tuple(  # the first case is ``full`` itself: reduced once
            dataclasses.replace(
                c,
                problem=reduced
                if k == 0
                else reduce_problem(c.problem, days, representation=representation),
            )
            for k, c in enumerate(full.study.cases)
        )
        for c in cases:
            c.problem.study = None
        target = dataclasses.replace(full.study, cases=cases)
    return target, reduced, days, BuildOptions(storage_periods=storage_periods(days, storage))


def solve_screening(
    scenario: Problem | str | Path | Mapping[str, Any],
    days_per_month: int = DEFAULT_DAYS_PER_MONTH,
    overrides: Iterable[str | tuple[str, Any]] = (),
    options: Any = None,
    extreme_days: bool = True,
    storage: str = DEFAULT_STORAGE,
    representation: str = DEFAULT_REPRESENTATION,
    scope: str = DEFAULT_SCOPE,
    features: str = DEFAULT_FEATURES,
    decompose: bool | None = None,
) -> ScreeningResult:
    """Solve ``scenario`` on typical days; ``options`` is a :class:`SolveOptions`;
    ``storage`` is "linked" (state of charge carried across the real days, Kotzur) or
    "cyclic" (each typical day cyclic on its own).

    A scenario set (``uncertainty:``) whose DE would take the interior point (its cases'
    steps together above :data:`optimizer.options.IPM_MIN_PERIODS`) is solved by scenario
    decomposition (:func:`optimizer.decisions.decomposition.solve_decomposed`, the same
    optimum to 1e-7): on the example's 10 spot scenarios at 3 days a month 27 s wall
    for the whole ``dcopt run`` against the DE's 294 s (docs/risk.md). ``decompose``
    True/False forces it either way; where the study cannot be decomposed (a pathway,
    goals in expectation, signed offers) the DE is solved."""
    check_choice("storage", storage, STORAGE_MODES)
    check_choice("representation", representation, REPRESENTATIONS)
    from optimizer.results import versions
    from optimizer.results.summary import extract_case
    from optimizer.solve import SolveOptions, choose_settings

    options = options or SolveOptions()
    full = (
        scenario if isinstance(scenario, Problem) else load_problem(scenario, overrides=overrides)
    )
    t0 = time.perf_counter()
    target, reduced, days, build = screened_study(
        full, days_per_month, extreme_days, storage, representation, scope, features
    )
    expected = expected_objective_error(
        days_per_month,
        (representation, scope, features, extreme_days)
        == (DEFAULT_REPRESENTATION, DEFAULT_SCOPE, DEFAULT_FEATURES, True),
        storage,
    )
    built: BuiltModel | None = None
    lp: HighsLp | None = None
    decomposed = None
    if isinstance(target, Study) and target.kind == "scenarios":
        steps = len(target.cases) * reduced.periods
        if decompose or (decompose is None and steps > IPM_MIN_PERIODS):
            decomposed = _decomposed(target, build, options, t0)
    if decomposed is not None:
        status = "optimal"
        summary, build_seconds, solve_seconds, solver = decomposed
    else:
        built = build_model(target, build)
        lp = HighsLp(built.model)
        build_seconds = time.perf_counter() - t0

        # the algorithm by the LP's rows; typical days cyclic on their own are blocks linked
        # only by the capacities, where the simplex stays the faster to more rows
        periods = len(built.builder.cases) * reduced.periods
        boundary = CYCLIC_IPM_MIN_ROWS if storage == "cyclic" else IPM_MIN_ROWS
        settings = choose_settings(options, periods, rows=lp.num_rows, min_ipm_rows=boundary)
        by_years = None
        pathway = isinstance(target, Study) and target.kind == "years"
        if pathway and (decompose or (decompose is None and periods > IPM_MIN_PERIODS)):
            by_years = _by_years(built, lp, options)
        status = "optimal" if by_years is not None else lp.solve(settings)
        summary = {"status": status}
        if status == "optimal":
            if full.study is not None:
                from optimizer.results import extract

                summary, _ = extract(built, lp)
            else:
                summary, _ = extract_case(built, lp, 0)
                summary["objective"] = lp.objective
        solve_seconds = lp.solve_seconds
        solver = {
            "name": "highs",
            **(lp.record.as_dict() if lp.record else {}),
            "rows": lp.num_rows,
            "columns": lp.num_cols,
        }
        if by_years is not None:
            solve_seconds = by_years["seconds"]["total"]
            solver = {
                **_solver_block(by_years, "year decomposition (multi-cut Benders over the years)"),
                "rows": lp.num_rows,
                "columns": lp.num_cols,
            }
    if status == "optimal":
        summary["horizon"] = _horizon(full)
    summary.update(
        {
            "scenario": full.scenario.name,
            "currency": full.scenario.currency,
            "build_seconds": build_seconds,
            "solve_seconds": solve_seconds,
            "solver": solver,
            "versions": versions(),
            "screening": _screening_block(
                full, days, days_per_month, storage, scope, features, representation, expected
            ),
        }
    )
    return ScreeningResult(status, summary, full, reduced, days, built, lp)


def _horizon(full: Problem) -> dict[str, Any]:
    return {
        "start": full.time.index[0].isoformat(),
        "periods": full.periods,
        "resolution_minutes": round(full.dt * 60),
        "hours": full.periods * full.dt,
        "fraction_of_year": full.time.horizon_fraction,
    }


def _screening_block(
    full: Problem,
    days: TypicalDays,
    days_per_month: int,
    storage: str,
    scope: str,
    features: str,
    representation: str,
    expected: float,
) -> dict[str, Any]:
    """``summary["screening"]``: the method, the days and the error to expect."""
    return {
        "method": (
            f"typical days (Ward medoids clustered per {scope} on {features} "
            f"features, {representation}; each month's peak-load and "
            "least-supply days kept), weighted; "
            + (
                "storage linked across the real days (Kotzur et al. 2018)"
                if storage == "linked"
                else "storage cyclic within each typical day"
            )
        ),
        "storage": storage,
        "typical_days": days.days,
        "days_per_month": days_per_month,
        "scope": scope,
        "features": features,
        "representation": representation,
        "steps": len(days.steps),
        "full_steps": full.periods,
        "expected_objective_error": expected,
        "note": (
            "screening estimate, not the full answer: expect the objective within "
            f"about {100 * expected:g} % of the full model's; confirm a decision "
            "with a full run (without --screening)"
        ),
    }


def _solver_block(r: dict[str, Any], method: str) -> dict[str, Any]:
    """``summary.json → solver`` of a decomposed solve."""
    return {
        "name": "highs",
        "method": method,
        "iterations": r["iterations"],
        "cuts": r["cuts"],
        "feasibility_cuts": r["feasibility_cuts"],
        "gap": r["gap"],
        "converged": r["converged"],
        "time_limit": r["time_limit"],
        "lower_bound": r["lower"],
        "workers": r["workers"],
        "executor": r["executor"],
        "goal_penalty": r["goal_penalty"],
        "seconds": r["seconds"],
    }


def _workers(cases: int) -> int:
    """Decomposition workers: one per core up to the cases; 0 (this process) on one core
    or in a daemonic process (a pool's or a Dask worker), which may not start children."""
    import multiprocessing

    cores = available_cores()
    daemon = multiprocessing.current_process().daemon
    return min(cases, cores) if cores > 1 and not daemon else 0


def _by_years(built: BuiltModel, lp: HighsLp, options: Any) -> dict[str, Any] | None:
    """The screened pathway by year decomposition (:func:`optimizer.decisions.years.
    solve_years`), its answer handed to ``lp``; None where it is not decomposed (the
    caller solves ``lp`` whole)."""
    from optimizer.decisions.years import solve_years

    try:
        r = solve_years(
            built,
            lp,
            workers=_workers(len(built.builder.cases)),
            time_limit=options.time_limit_seconds,
        )
    except SolverError as exc:  # a worker or a subproblem failed: the one LP answers
        log.warning("screening: the year decomposition failed (%s); solving it whole", exc)
        return None
    if r["method"] != "decomposition":
        log.info("screening: the pathway is not decomposed (%s); solving it whole", r["reason"])
        return None
    return r


def _decomposed(
    target: Study, build: BuildOptions, options: Any, t0: float
) -> tuple[dict[str, Any], float, float, dict[str, Any]] | None:
    """The screened scenario set by scenario decomposition, on one worker process per core
    (in this process on one core, or in a daemonic process, which may not start children):
    its section 9 summary, build and solve seconds and ``solver`` block; None where it is
    not decomposed (the caller solves the DE)."""
    from optimizer.decisions.decomposition import METHOD, solve_decomposed
    from optimizer.results.cases import scenario_set_summary

    workers = _workers(len(target.cases))
    prepared = time.perf_counter() - t0
    r = solve_decomposed(
        target, options, workers=workers, build_options=build, summaries=True, fallback=False
    )
    if r["method"] != "decomposition":
        log.info("screening: not decomposed (%s); solving the DE", r["reason"])
        return None
    seconds = r["seconds"]
    solver = _solver_block(r, METHOD)
    return (
        scenario_set_summary(target, r["parts"], r["objective"]),
        prepared + seconds["build"],
        seconds["total"] - seconds["build"],
        solver,
    )
