"""``solve(scenario, options) -> Result``: the one entry point the CLI, the API and batch use.

Status is one of ``optimal | infeasible | time_limit | error``. When a CFE target or an
emissions cap makes the problem infeasible, the best reachable value is found (maximum CFE
score, minimum emissions) and the message says which requirement fails and by how much.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import numpy as np

from optimizer.errors import SolverError
from optimizer.goals import max_cfe_score, min_emissions
from optimizer.model import BuildOptions, BuiltModel, build_model
from optimizer.model.highs import HighsLp, HighsSettings
from optimizer.options import IPM_MIN_PERIODS as IPM_MIN_PERIODS
from optimizer.options import SolveOptions as SolveOptions
from optimizer.options import choose_settings as choose_settings
from optimizer.result import Result as Result
from optimizer.result import RunStatus as RunStatus
from optimizer.results import extract, versions
from optimizer.scenario import Problem
from optimizer.scenario.cases import Study
from optimizer.scenario.study import load_study

log = logging.getLogger(__name__)


def solve(
    scenario: Problem | Study | str | Path | Mapping[str, Any],
    options: SolveOptions | None = None,
    overrides: Iterable[str | tuple[str, Any]] = (),
    build_options: BuildOptions | None = None,
    basis: bool = False,
) -> Result:
    """Solve one scenario (a resolved :class:`Problem` or :class:`Study`, a file path or a
    raw mapping); a scenario with ``uncertainty:`` or ``horizon:`` solves all its cases.
    ``basis``: the caller re-solves from the answer's basis (compare), so crossover runs
    whatever the LP's size unless ``options.crossover`` is False
    (:func:`optimizer.options.choose_settings`)."""
    options = options or SolveOptions()
    if isinstance(scenario, Study):
        study = scenario
    elif isinstance(scenario, Problem):
        study = scenario.study if scenario.study is not None else Study.single(scenario)
    else:
        study = load_study(scenario, overrides=overrides)
    problem = study.base
    built = build_model(study, build_options)
    t0 = time.perf_counter()
    lp = HighsLp(built.model)
    build_seconds = built.build_seconds + (time.perf_counter() - t0)
    settings = choose_settings(
        options, sum(c.problem.periods for c in study.cases), rows=lp.num_rows, basis=basis
    )
    status = lp.solve(settings)
    ran = lp.record.as_dict() if lp.record else {"algorithm": settings.algorithm}
    log.info(
        "HiGHS %s: %s in %.2f s (%d rows, %d columns)",
        ran.get("algorithm"),
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
            **ran,
            "rows": lp.num_rows,
            "columns": lp.num_cols,
        },
        "versions": versions(),
    }

    if status == "optimal":
        summary, dispatch = extract(built, lp)
        summary.update(base)
        failures = [f for c in built.builder.cases if c.book is not None for f in c.book.failures]
        if failures:  # a compliance limit the data fail (docs/compliance.md): no decision helps
            text = "; ".join(str(f["message"]) for f in failures)
            found: dict[str, Any] = {
                "requirement": "compliance",
                "failures": failures,
                "message": text,
            }
            summary = {"status": "infeasible", "message": text, "diagnosis": found, **base}
            return Result("infeasible", summary, None, problem, text, found, built, lp, study)
        return Result("optimal", summary, dispatch, problem, built=built, lp=lp, study=study)

    if status == "infeasible":
        diagnosis = diagnose(built, lp, settings) if options.diagnose_infeasible else {}
        message = diagnosis.get("message", "the problem is infeasible")
        summary = {"status": "infeasible", "message": message, "diagnosis": diagnosis, **base}
        return Result("infeasible", summary, None, problem, message, diagnosis, built, lp, study)

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
    if not b.single:
        return _diagnose_study(built, lp, settings)
    p = b.problem
    carbon = p.carbon
    c = b.base
    rows = {
        name: cr.row
        for name, cr in (("cfe", c.cfe), ("emissions_cap", c.emissions_cap))
        if cr is not None
    }
    out: dict[str, Any] = {}

    # 1. Without the carbon goals (and CONTRACT 11's requirements), can the load be served?
    saved = {name: lp.row_upper(con) for name, con in rows.items()}
    for con in rows.values():
        lp.set_row_upper(con, np.inf)
    relaxed = _relax_compliance(b, lp)
    base_status = lp.solve(settings)
    if base_status != "optimal":
        out = _diagnose_load(built, lp, settings)
        for name, con in rows.items():
            lp.set_row_upper(con, saved[name])
        _restore(lp, relaxed)
        return out

    failing: list[str] = []
    try:
        failing.extend(_diagnose_compliance(b, lp, settings, relaxed, out))
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
                if not relaxed
                else "the carbon goals and the renewable-share/compliance requirements can each "
                "be met alone but not together"
            )
    finally:
        for name, con in rows.items():
            lp.set_row_upper(con, saved[name])
        _restore(lp, relaxed)
    out["requirement"] = "carbon"
    out["message"] = "; ".join(failing)
    return out


def _diagnose_load(built: BuiltModel, lp: HighsLp, settings: HighsSettings) -> dict[str, Any]:
    """The load cannot be served: find the least unserved energy and where it falls."""
    b = built.builder
    rows = lp.rows([r for c in b.cases for r in c.balance_rows])
    step_cost = np.concatenate([c.w * c.dt for c in b.cases])
    costs = lp.cost.copy()
    lp.set_costs(lp.columns, np.zeros(lp.num_cols))
    slack = lp.add_slack_columns(rows, step_cost)

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
        binding = _binding_limits(b, lp, short[: b.base.T])
    finally:
        lp.delete_columns(slack)
        lp.set_costs(lp.columns, costs)
    mwh = float((x * step_cost).sum())
    i = int(np.argmax(short)) if short.any() else 0
    stamps = [ts for c in b.cases for ts in c.problem.time.index]
    ts = stamps[i].isoformat()
    if not b.single:
        at = 0
        for c in b.cases:
            if i < at + c.T:
                ts = f"{ts} (case {c.name})"
                break
            at += c.T
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


def _diagnose_study(built: BuiltModel, lp: HighsLp, settings: HighsSettings) -> dict[str, Any]:
    """Many cases: relax every carbon row; if the load can be served, find each case's
    best reachable CFE score and lowest emissions and name the cases that fail."""
    from optimizer.goals import minimise_terms

    b = built.builder
    rows = []
    for c in b.cases:
        rows += [cr for cr in (c.cfe, c.emissions_cap) if cr is not None]
    rows += [cr for cr in (b.study_cfe, b.study_emissions) if cr is not None]
    saved = [lp.row_upper(cr.row) for cr in rows]
    for cr in rows:
        lp.set_row_upper(cr.row, np.inf)
    try:
        if lp.solve(settings) != "optimal":
            return _diagnose_load(built, lp, settings)
        failing: list[str] = []
        out: dict[str, Any] = {"requirement": "carbon", "cases": {}}
        if b.study_cfe is not None:
            dirty = minimise_terms(lp, settings, b.study_cfe.terms)
            target = b.problem.carbon.cfe_target
            if dirty is not None and target is not None:
                best = 1.0 - dirty
                out["max_cfe_score"] = best
                if best < target - 1e-9:
                    failing.append(
                        f"carbon.cfe_target {target:g} in expectation cannot be met: the best "
                        f"reachable expected 24/7 CFE score is {best:.4f}"
                    )
        for c in b.cases:
            goal = c.problem.carbon
            entry: dict[str, float] = {}
            if c.cfe is not None and goal.cfe_target is not None and b.study_cfe is None:
                dirty = minimise_terms(lp, settings, c.cfe.terms)
                if dirty is not None and c.cfe.total_load_mwh > 0:
                    best = 1.0 - dirty / c.cfe.total_load_mwh
                    entry["max_cfe_score"] = best
                    if best < goal.cfe_target - 1e-9:
                        failing.append(
                            f"case {c.name}: carbon.cfe_target {goal.cfe_target:g} cannot be met "
                            f"(best reachable 24/7 CFE score {best:.4f})"
                        )
            if (
                c.emissions_cap is not None
                and goal.max_emissions_tco2 is not None
                and b.study_emissions is None
            ):
                low = minimise_terms(lp, settings, c.emissions_cap.terms)
                if low is not None:
                    entry["min_emissions_tco2"] = low
                    if low > goal.max_emissions_tco2 + 1e-6:
                        failing.append(
                            f"case {c.name}: carbon.max_emissions_tco2 "
                            f"{goal.max_emissions_tco2:g} cannot be met (lowest {low:.1f} tCO2)"
                        )
            if entry:
                out["cases"][c.name] = entry
        if not failing:
            failing.append("the carbon goals of the cases can each be met alone but not together")
        out["message"] = "; ".join(failing)
        return out
    finally:
        for cr, up in zip(rows, saved, strict=True):
            lp.set_row_upper(cr.row, up)


_Relaxed = list[tuple[Any, np.ndarray, np.ndarray, np.ndarray]]
"""(what, row indices, saved lower bounds, saved upper bounds) of relaxed compliance rows."""


def _relax_compliance(b: Any, lp: HighsLp) -> _Relaxed:
    """Free the renewable-share and KPI-limit rows of every case (CONTRACT 11)."""
    from optimizer.goals import _row_bounds, set_row_bounds

    out: _Relaxed = []
    for c in b.cases:
        if c.book is None:
            continue
        for obj, rows in [(sr, sr.rows) for sr in c.book.share_rows] + [
            (lr, [lr.row]) for lr in c.book.limit_rows
        ]:
            idx = lp.rows(rows)
            lo, hi = _row_bounds(lp, idx)
            out.append((obj, idx, lo, hi))
            set_row_bounds(lp, idx, np.full(len(idx), -np.inf), np.full(len(idx), np.inf))
    return out


def _restore(lp: HighsLp, relaxed: _Relaxed) -> None:
    from optimizer.goals import set_row_bounds

    for _, idx, lo, hi in relaxed:
        set_row_bounds(lp, idx, lo, hi)


def _diagnose_compliance(
    b: Any, lp: HighsLp, settings: HighsSettings, relaxed: _Relaxed, out: dict[str, Any]
) -> list[str]:
    """Each relaxed requirement alone: its best reachable value, and a message if it fails."""
    from optimizer.goals import max_share, minimise_terms
    from optimizer.model.certificates import LimitRows, ShareRows

    failing: list[str] = []
    best: list[dict[str, Any]] = []
    for obj, _idx, lo, _hi in relaxed:
        if isinstance(obj, ShareRows):
            req = obj.requirement
            value = max_share(
                lp, settings, obj.rows, obj.bound_per_share, lo - req.share * obj.bound_per_share
            )
            if value is None:
                raise SolverError("the diagnosis solve (best renewable share) did not finish")
            best.append(
                {
                    "key": req.key,
                    "kpi": "renewable_share",
                    "matching": req.matching,
                    "required": req.share,
                    "best": value,
                }
            )
            if value < req.share - 1e-7:
                where = (
                    "carbon.renewable_share_target"
                    if req.key == "carbon"
                    else f"compliance {req.key}"
                )
                zone = ", certificates of the site's zone only" if req.same_zone_only else ""
                failing.append(
                    f"{where}: renewable share {req.share:g} ({req.matching} matching{zone}) "
                    f"cannot be met: the best reachable is {value:.4f} (short by "
                    f"{req.share - value:.4f})"
                )
        elif isinstance(obj, LimitRows) and obj.requirement.kpi == "erf":
            lim = obj.requirement
            coefs, variables = _erf_terms(b, lim)
            low = minimise_terms(lp, settings, (coefs, variables))
            if low is None:
                raise SolverError("the diagnosis solve (best ERF) did not finish")
            value = -low / obj.denominator_mwh if obj.denominator_mwh > 0 else 0.0
            best.append({"key": lim.key, "kpi": "erf", "required": lim.limit, "best": value})
            if value < lim.limit - 1e-7:
                failing.append(
                    f"compliance {lim.key}: ERF ≥ {lim.limit:g} cannot be met: the best "
                    f"reachable is {value:.4f} (heat_reuse limits it; short by "
                    f"{lim.limit - value:.4f})"
                )
    if best:
        out["compliance_best"] = best
    return failing


def _erf_terms(b: Any, lim: Any) -> tuple[list[float], list[Any]]:
    """−Σ w·Δt·(1 − 1/COP)·h: minus the recovered heat reused (base case)."""
    c = b.base
    assert c.book is not None and c.book.heat is not None
    coefs = (-c.w * c.dt * c.book.heat_lift).tolist()
    return coefs, list(c.book.heat)


def decomposes(problem: Problem, decompose: bool | None = None) -> bool:
    """Whether a run of ``problem`` solves by scenario decomposition: only a scenario set
    (``uncertainty.scenarios``); ``decompose`` True/False forces it, None (the default)
    decomposes when the scenarios' steps together exceed ``IPM_MIN_PERIODS`` (2,000), where
    the DE would take the interior point, the rule of ``dcopt run --screening``. Measured
    (docs/risk.md, "A full run by decomposition"): the example's 3 full-year spot scenarios
    decomposed in 149 s, their DE gave no answer in 15 minutes."""
    study = problem.study
    if study is None or study.kind != "scenarios":
        return False
    if decompose is not None:
        return decompose
    return problem.periods * len(study.cases) > IPM_MIN_PERIODS


def solve_run(
    problem: Problem, options: SolveOptions | None = None, decompose: bool | None = None
) -> Result:
    """One run as ``dcopt run``, the API's and a batch's: :func:`solve_by_scenarios` where
    :func:`decomposes` says so, else :func:`solve` (the DE of a study, or one LP)."""
    if decomposes(problem, decompose):
        return solve_by_scenarios(problem, options)
    return solve(problem, options)


def solve_by_scenarios(problem: Problem | Study, options: SolveOptions | None = None) -> Result:
    """A scenario set solved by scenario decomposition (multi-cut Benders over its
    scenarios, one worker process per core: :func:`optimizer.decisions.decomposition.
    solve_decomposed`) instead of its deterministic equivalent: the same section 9 summary
    (made by :func:`optimizer.results.cases.scenario_set_summary` from each scenario
    re-solved at the answer), the dispatch of every scenario under a ``scenario`` column,
    and ``solver`` saying what ran. Where the study is not decomposed (goals in
    expectation, signed offers, a pathway, a point no cut moves) the DE is solved and
    ``solver.reason`` says why (docs/risk.md, "A full run by decomposition").

    ``options.time_limit_seconds`` bounds the whole run: no Benders iteration starts after
    it, and the result is then ``time_limit`` with the best first stage's numbers (or none
    when no first stage was feasible yet), as a timed-out DE's."""
    from optimizer.decisions.decomposition import METHOD, TimeLimitReached, solve_decomposed
    from optimizer.model.flows import FlowIndex
    from optimizer.results.cases import scenario_set_summary
    from optimizer.results.dispatch import stack
    from optimizer.screening.solve import _solver_block

    options = options or SolveOptions()
    study = problem if isinstance(problem, Study) else problem.study
    if study is None or study.kind != "scenarios":
        raise ValueError("solve_by_scenarios needs a scenario set (uncertainty.scenarios)")
    t0 = time.perf_counter()
    try:
        r = solve_decomposed(
            study,
            options,
            workers=_scenario_workers(len(study.cases), options.threads),
            summaries=True,
            dispatch=True,
            fallback=False,
        )
    except TimeLimitReached as exc:
        message = f"time limit of {options.time_limit_seconds} s reached before optimality: {exc}"
        summary = {
            "status": "time_limit",
            "message": message,
            "scenario": study.base.scenario.name,
            "currency": study.base.scenario.currency,
            "build_seconds": 0.0,
            "solve_seconds": time.perf_counter() - t0,
            "solver": {"name": "highs", "method": METHOD},
            "versions": versions(),
        }
        return Result("time_limit", summary, None, study.base, message, study=study)
    if r["method"] != "decomposition":
        log.info("not decomposed (%s): solving the deterministic equivalent", r["reason"])
        result = solve(study, options)
        result.summary.setdefault("solver", {})["reason"] = r["reason"]
        return result
    parts = r["parts"]
    frames = {c.name: p.pop("_dispatch") for c, p in zip(study.cases, parts, strict=True)}
    flows = FlowIndex()
    seen: set[str] = set()
    for p in parts:
        for f in p.pop("_flows"):
            if f.column not in seen:
                seen.add(f.column)
                flows.add(f)
    summary = scenario_set_summary(study, parts, r["objective"])
    seconds = r["seconds"]
    summary.update(
        {
            "scenario": study.base.scenario.name,
            "currency": study.base.scenario.currency,
            "build_seconds": seconds["build"],
            "solve_seconds": seconds["total"] - seconds["build"],
            "solver": _solver_block(r, METHOD),
            "versions": versions(),
        }
    )
    status: RunStatus = "optimal"
    message = ""
    if r["time_limit"]:
        status = "time_limit"
        message = (
            f"time limit of {options.time_limit_seconds} s reached before optimality; the "
            f"numbers are of the best first stage found (upper − lower = {r['gap']:.6g} after "
            f"{r['iterations']} iterations)"
        )
        summary["status"], summary["message"] = status, message
    return Result(
        status,
        summary,
        stack(frames, "scenario"),
        study.base,
        message,
        study=study,
        flow_index=flows,
    )


def _scenario_workers(cases: int, threads: int | None) -> int:
    """Decomposition workers of a full run: one per core (``_workers``), at most the
    ``threads`` the run was given (a batch's share of the cores, ``cores // workers``), and
    none (this process) when that share is one thread, so a 2-worker batch does not start
    two more processes a case on 2 cores."""
    from optimizer.screening.solve import _workers

    workers = _workers(cases)
    if threads is None:
        return workers
    return min(workers, threads) if threads > 1 else 0
