"""``solve(scenario, options) -> Result``: the one entry point the CLI, the API and batch use.

Status is one of ``optimal | infeasible | time_limit | error``. When a CFE target or an
emissions cap makes the problem infeasible, the best reachable value is found (maximum CFE
score, minimum emissions) and the message says which requirement fails and by how much.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd

from optimizer.errors import SolverError
from optimizer.goals import max_cfe_score, min_emissions
from optimizer.model import BuildOptions, BuiltModel, build_model
from optimizer.model.flows import FlowIndex
from optimizer.model.highs import HighsLp, HighsSettings
from optimizer.options import IPM_MIN_PERIODS as IPM_MIN_PERIODS
from optimizer.options import SolveOptions as SolveOptions
from optimizer.options import choose_settings as choose_settings
from optimizer.results import extract, versions
from optimizer.scenario import Problem, load_problem

log = logging.getLogger(__name__)

RunStatus = Literal["optimal", "infeasible", "time_limit", "error"]


@dataclass
class Result:
    """What a solve produced. ``summary`` is CONTRACT section 5's summary.json."""

    status: RunStatus
    summary: dict[str, Any]
    dispatch: pd.DataFrame | None
    problem: Problem
    message: str = ""
    diagnosis: dict[str, Any] = field(default_factory=dict)
    built: BuiltModel | None = None
    lp: HighsLp | None = None

    @property
    def flows(self) -> FlowIndex:
        """The typed flows of the dispatch table (kind, asset), in column order."""
        return self.built.builder.flow_index if self.built is not None else FlowIndex()

    @property
    def objective(self) -> float | None:
        v = self.summary.get("objective")
        return float(v) if v is not None else None


def solve(
    scenario: Problem | str | Path | Mapping[str, Any],
    options: SolveOptions | None = None,
    overrides: Iterable[str | tuple[str, Any]] = (),
    build_options: BuildOptions | None = None,
) -> Result:
    """Solve one scenario (a resolved :class:`Problem`, a file path or a raw mapping)."""
    options = options or SolveOptions()
    problem = (
        scenario if isinstance(scenario, Problem) else load_problem(scenario, overrides=overrides)
    )
    built = build_model(problem, build_options)
    t0 = time.perf_counter()
    lp = HighsLp(built.model)
    build_seconds = built.build_seconds + (time.perf_counter() - t0)
    settings = choose_settings(options, problem.periods)
    status = lp.solve(settings)
    log.info(
        "HiGHS %s: %s in %.2f s (%d rows, %d columns)",
        settings.algorithm,
        status,
        lp.solve_seconds,
        lp.num_rows,
        lp.num_cols,
    )
    base = {
        "scenario": problem.scenario.name,
        "currency": problem.scenario.currency,
        "build_seconds": build_seconds,
        "solve_seconds": lp.solve_seconds,
        "solver": {
            "name": "highs",
            "algorithm": settings.algorithm,
            "crossover": settings.crossover if settings.algorithm == "ipm" else None,
            "rows": lp.num_rows,
            "columns": lp.num_cols,
        },
        "versions": versions(),
    }

    if status == "optimal":
        summary, dispatch = extract(built, lp)
        summary.update(base)
        return Result("optimal", summary, dispatch, problem, built=built, lp=lp)

    if status == "infeasible":
        diagnosis = diagnose(built, lp, settings) if options.diagnose_infeasible else {}
        message = diagnosis.get("message", "the problem is infeasible")
        summary = {"status": "infeasible", "message": message, "diagnosis": diagnosis, **base}
        return Result("infeasible", summary, None, problem, message, diagnosis, built, lp)

    if status == "time_limit":
        message = f"time limit of {options.time_limit_seconds} s reached before optimality"
        if lp.has_solution:
            summary, dispatch = extract(built, lp)
            summary.update(base)
            summary["status"] = "time_limit"
            summary["message"] = message + "; the numbers are of the best feasible point found"
            return Result("time_limit", summary, dispatch, problem, message, built=built, lp=lp)
        summary = {"status": "time_limit", "message": message, **base}
        return Result("time_limit", summary, None, problem, message, built=built, lp=lp)

    message = (
        "the problem is unbounded: an offer with a negative price and no max_mw can be "
        "taken without limit; give it a max_mw"
        if status == "unbounded"
        else "the solver failed; rerun with --debug for its log"
    )
    summary = {"status": "error", "message": message, **base}
    return Result("error", summary, None, problem, message, built=built, lp=lp)


def diagnose(built: BuiltModel, lp: HighsLp, settings: HighsSettings) -> dict[str, Any]:
    """Find which requirement makes the problem infeasible and the best reachable value."""
    b = built.builder
    p = b.problem
    carbon = p.carbon
    c = b.base
    rows = {
        name: cr.row
        for name, cr in (("cfe", c.cfe), ("emissions_cap", c.emissions_cap))
        if cr is not None
    }
    out: dict[str, Any] = {}

    # 1. Without the carbon goals, can the load be served at all?
    saved = {name: lp.row_upper(con) for name, con in rows.items()}
    for con in rows.values():
        lp.set_row_upper(con, np.inf)
    base_status = lp.solve(settings)
    if base_status != "optimal":
        out = _diagnose_load(built, lp, settings)
        for name, con in rows.items():
            lp.set_row_upper(con, saved[name])
        return out

    failing: list[str] = []
    try:
        if carbon.cfe_target is not None and "cfe" in rows:
            best = max_cfe_score(built, lp, settings)
            if best is None:
                raise SolverError("the diagnosis solve (maximum CFE score) did not finish")
            out["max_cfe_score"] = best
            if best < carbon.cfe_target - 1e-9:
                failing.append(
                    f"carbon.cfe_target {carbon.cfe_target:g} cannot be met: the best reachable "
                    f"24/7 CFE score is {best:.4f} (short by {carbon.cfe_target - best:.4f})"
                )
        if carbon.max_emissions_tco2 is not None and "emissions_cap" in rows:
            best_em = min_emissions(built, lp, settings)
            if best_em is None:
                raise SolverError("the diagnosis solve (minimum emissions) did not finish")
            out["min_emissions_tco2"] = best_em
            if best_em > carbon.max_emissions_tco2 + 1e-6:
                failing.append(
                    f"carbon.max_emissions_tco2 {carbon.max_emissions_tco2:g} cannot be met: the "
                    f"lowest reachable location-based emissions are {best_em:.1f} tCO2 "
                    f"(over by {best_em - carbon.max_emissions_tco2:.1f})"
                )
        if not failing:
            failing.append(
                "carbon.cfe_target and carbon.max_emissions_tco2 can each be met alone but not "
                "together"
            )
    finally:
        for name, con in rows.items():
            lp.set_row_upper(con, saved[name])
    out["requirement"] = "carbon"
    out["message"] = "; ".join(failing)
    return out


def _diagnose_load(built: BuiltModel, lp: HighsLp, settings: HighsSettings) -> dict[str, Any]:
    """The load cannot be served: find the least unserved energy and where it falls."""
    b = built.builder
    p = b.problem
    rows = lp.rows(b.base.balance_rows)
    costs = lp.cost.copy()
    lp.set_costs(lp.columns, np.zeros(lp.num_cols))
    slack = lp.add_slack_columns(rows, np.full(len(rows), p.dt))

    def _binding_limits(b: Any, lp: HighsLp, short: np.ndarray) -> list[str]:
        """Which limits bind in the steps with unserved load (from the least-unserved solve):
        the import limit, each offer's max_mw, each capacity's max_mw, outage steps."""
        p = b.problem
        c = b.base
        out: list[str] = []
        n_short = int(short.sum())
        if not n_short:
            return out

        def steps(mask: np.ndarray) -> str:
            k = int((mask & short).sum())
            return f"{k:,} step" + ("s" if k != 1 else "")

        if p.grid_available is not None:
            down = np.asarray(p.grid_available) <= 0
            if (down & short).any():
                out.append(f"grid outage (resilience.outages) in {steps(down)}")
        imports = c.imports.evaluate(lp.values)
        limit = p.import_limit_mw
        if limit is not None:
            at = imports >= limit - 1e-6 * max(1.0, limit)
            if (at & short).any():
                out.append(f"site.grid_import_limit_mw {limit:g} binds in {steps(at)}")
        flows = {f.asset: e for f, e in c.flows.items() if f.kind.value == "grid_import_mw"}
        for o in p.offers:
            if o.max_mw is None or o.name not in flows:
                continue
            x = flows[o.name].evaluate(lp.values)
            at = x >= o.max_mw - 1e-6 * max(1.0, o.max_mw)
            if (at & short).any():
                out.append(f"grid_offers[{o.name}].max_mw {o.max_mw:g} binds in {steps(at)}")
        caps = b.capacities
        if caps:
            values = lp.values(list(caps.values()))
            for (name, var), v in zip(caps.items(), values, strict=True):
                if var.ub is not None and v >= float(var.ub) - 1e-6 * max(1.0, float(var.ub)):
                    ppa = any(q.name == name for q in p.ppas)
                    section = "ppa_offers" if ppa else "technologies"
                    out.append(f"{section}[{name}].max_mw {float(var.ub):g} is reached")
        return out

    binding: list[str] = []
    try:
        status = lp.solve(settings)
        if status != "optimal":
            return {"requirement": "load", "message": "the problem is infeasible"}
        x = lp.column_values(slack)
        short = x > 1e-6
        binding = _binding_limits(b, lp, short)
    finally:
        lp.delete_columns(slack)
        lp.set_costs(lp.columns, costs)
    mwh = float(x.sum() * p.dt)
    i = int(np.argmax(short)) if short.any() else 0
    ts = p.time.index[i].isoformat()
    limits = "; limits that bind there: " + "; ".join(binding) if binding else ""
    return {
        "requirement": "load",
        "unserved_mwh": mwh,
        "unserved_steps": int(short.sum()),
        "first_unserved_timestamp": ts,
        "binding_limits": binding,
        "message": (
            f"the load cannot be served: even without carbon goals {mwh:.1f} MWh in "
            f"{int(short.sum())} steps stay unserved, first at {ts} (short {x[i]:.2f} MW)"
            f"{limits}; raise site.grid_import_limit_mw, an offer's max_mw or a technology's "
            "max_mw"
        ),
    }
