"""``dcopt run`` and ``dcopt validate``."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from optimizer.cli.common import (
    EXIT_ERROR,
    EXIT_INFEASIBLE,
    AlgorithmOption,
    OutDir,
    ScenarioArg,
    SetOption,
    ThreadsOption,
    TimeLimit,
    check_out_dir,
    err,
    handle_errors,
    headline_table,
    out,
    solve_options,
)
from optimizer.errors import FieldError, ScenarioError

if TYPE_CHECKING:
    from optimizer.options import SolveOptions
    from optimizer.report.process import ReportProcess
    from optimizer.scenario import Problem
    from optimizer.solve import Result


def register(app: typer.Typer) -> None:
    app.command("run")(run)
    app.command("validate")(validate)


@handle_errors
def run(
    scenario: ScenarioArg,
    out_dir: OutDir = Path("out"),
    set_: SetOption = None,
    time_limit: TimeLimit = None,
    algorithm: AlgorithmOption = "auto",
    threads: ThreadsOption = None,
    screening: Annotated[
        bool,
        typer.Option(
            "--screening",
            help="Fast estimate on typical days (tsam's medoids, scaled to their clusters' "
            "energy): within 1.5 % of the objective at the default 6 days a month on every "
            "case measured, 3.5 % at 3; writes summary.json only (docs/performance.md)",
        ),
    ] = False,
    days_per_month: Annotated[
        int, typer.Option("--days-per-month", min=1, help="Typical days per month (--screening)")
    ] = 6,
    screening_storage: Annotated[
        str,
        typer.Option(
            "--screening-storage",
            help="cyclic (each typical day on its own, default) | linked (state of charge "
            "carried across the real days, Kotzur et al. 2018) (--screening)",
        ),
    ] = "cyclic",
    decompose: Annotated[
        bool | None,
        typer.Option(
            "--decompose/--no-decompose",
            help="Solve a scenario set by scenario decomposition (multi-cut Benders on one "
            "worker per core) or as one LP (its deterministic equivalent); with --screening "
            "also a pathway by year decomposition. Default: decomposed when the steps "
            "together (typical steps with --screening) exceed 2,000 "
            "(docs/risk.md, docs/pathway.md)",
        ),
    ] = None,
    vss: Annotated[
        bool,
        typer.Option(
            "--vss",
            help="Scenario sets: also the value of the stochastic solution, EVPI and each "
            "offer's hedge value (extra solves; docs/risk.md)",
        ),
    ] = False,
) -> None:
    """Solve one scenario; write summary.json, dispatch.parquet and report.html to --out."""
    if screening_storage not in ("cyclic", "linked"):
        raise ScenarioError([FieldError("--screening-storage", "must be 'cyclic' or 'linked'")])
    check_out_dir(out_dir)
    from optimizer.report.process import ReportProcess

    # the report's imports run in a second process while this one reads and solves; forked
    # before anything heavy is imported here (the solver options import pydantic: 0.13 s)
    reporter = None if screening else ReportProcess.claim()
    try:
        options = solve_options(algorithm, time_limit, threads)
        written, result = _solve_and_write(
            scenario,
            set_,
            options,
            out_dir,
            screening,
            days_per_month,
            screening_storage,
            vss,
            reporter,
            decompose,
        )
    finally:
        if reporter is not None:
            reporter.close()
    if result is None:
        return
    if result.status == "optimal":
        out.print(headline_table(result.summary))
        out.print("wrote " + ", ".join(str(p) for p in written))
        return
    if result.status == "infeasible":
        err.print(f"infeasible: {result.message}", markup=False)
        raise typer.Exit(EXIT_INFEASIBLE)
    err.print(f"{result.status}: {result.message}", markup=False)
    raise typer.Exit(EXIT_ERROR)


def _solve_and_write(
    scenario: Path,
    set_: list[str] | None,
    options: SolveOptions,
    out_dir: Path,
    screening: bool,
    days_per_month: int,
    screening_storage: str,
    vss: bool,
    reporter: ReportProcess | None,
    decompose: bool | None = None,
) -> tuple[list[Path], Result | None]:
    from optimizer.gcpause import importing, one_model

    if reporter is not None:  # the child reads the scenario while this process imports
        reporter.load(scenario, set_ or [])
    with importing():
        import optimizer.solve  # noqa: F401  (Pyomo first: optimizer/pyomo_imports.py)
        from optimizer.scenario import load_problem

    problem = reporter.loaded() if reporter is not None else None
    if problem is None:  # no child, or it failed: a refused scenario raises here
        problem = load_problem(scenario, overrides=set_ or [])
    if reporter is not None and _long_solve(problem):
        reporter.warm()  # the child draws a throwaway chart while this process solves
    if screening:
        _run_screening(problem, options, days_per_month, out_dir, screening_storage, decompose)
        return [], None
    from optimizer.output import write_result
    from optimizer.solve import solve_run

    scenarios = problem.study is not None and problem.study.kind == "scenarios"
    if vss and not scenarios:
        raise ScenarioError([FieldError("--vss", "needs a scenario set (uncertainty.scenarios)")])
    if decompose and not scenarios:
        raise ScenarioError(
            [
                FieldError(
                    "--decompose",
                    "a full run decomposes a scenario set (uncertainty.scenarios) only; "
                    "a pathway decomposes with --screening",
                )
            ]
        )
    with one_model():  # built once, used to the exit: the collector never scans it
        result = solve_run(problem, options, decompose)
    if vss and result.status == "optimal" and problem.study is not None:
        from optimizer.decisions.stochastic import hedge_values, stochastic_values

        result.summary["stochastic"] = stochastic_values(problem.study, options)
        result.summary["hedges"] = hedge_values(problem.study, options)
    return write_result(result, out_dir, report_process=reporter), result


def _long_solve(problem: Problem) -> bool:
    """More steps than the dual simplex's range (``IPM_MIN_PERIODS``): a solve of seconds,
    long enough for the report process to warm up without keeping anyone waiting."""
    from optimizer.options import IPM_MIN_PERIODS

    cases = len(problem.study.cases) if problem.study is not None else 1
    return problem.periods * cases > IPM_MIN_PERIODS


def _run_screening(
    problem: Problem,
    options: SolveOptions,
    days_per_month: int,
    out_dir: Path,
    storage: str = "cyclic",
    decompose: bool | None = None,
) -> None:
    from optimizer.results import write_summary
    from optimizer.screening import solve_screening

    result = solve_screening(
        problem, days_per_month, options=options, storage=storage, decompose=decompose
    )
    out_dir.mkdir(parents=True, exist_ok=True)
    write_summary(result.summary, out_dir / "summary.json")
    note = result.summary["screening"]["note"]
    if result.status == "optimal":
        out.print(headline_table(result.summary))
        out.print(f"SCREENING: {note}", markup=False)
        out.print(f"wrote {out_dir / 'summary.json'}")
        return
    err.print(f"screening ended {result.status}; rerun without --screening", markup=False)
    raise typer.Exit(EXIT_INFEASIBLE if result.status == "infeasible" else EXIT_ERROR)


@handle_errors
def validate(scenario: ScenarioArg, set_: SetOption = None) -> None:
    """Check a scenario and its series without solving it."""
    from optimizer.scenario import load_problem

    p = load_problem(scenario, overrides=set_ or [])
    s = p.scenario
    out.print(
        f"valid: {s.name!r}, {p.periods} steps of {s.site.resolution_minutes} min from "
        f"{p.time.index[0].isoformat()}, {len(p.offers)} grid offers, {len(p.ppas)} PPA offers, "
        f"{len(s.technologies)} technologies",
        markup=False,
    )
