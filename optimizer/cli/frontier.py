"""``dcopt frontier``: cost against a 24/7 CFE target or an emissions cap (CONTRACT 6)."""

from __future__ import annotations

import math
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from optimizer.cli.common import (
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
    out,
    solve_options,
)
from optimizer.errors import ScenarioError

if TYPE_CHECKING:
    from optimizer.decisions.frontier import FrontierResult, Mode
    from optimizer.options import SolveOptions


def register(app: typer.Typer) -> None:
    app.command("frontier")(frontier_cmd)


def _num(x: float | None, fmt: str = ",.0f") -> str:
    return "-" if x is None else format(x, fmt)


@handle_errors
def frontier_cmd(
    scenario: ScenarioArg,
    cfe: Annotated[
        str | None,
        typer.Option(
            "--cfe",
            help="CFE targets START:STOP:STEP (STOP included), a,b,c, or auto[:STEP] "
            "(the default: from the unconstrained run's score, rounded down to STEP=0.05, "
            "to the best reachable score)",
        ),
    ] = None,
    emissions: Annotated[
        str | None,
        typer.Option("--emissions", help="Emissions caps in tCO2, START:STOP:STEP or a,b,c"),
    ] = None,
    out_dir: OutDir = Path("out"),
    set_: SetOption = None,
    time_limit: TimeLimit = None,
    algorithm: AlgorithmOption = "auto",
    threads: ThreadsOption = None,
    cold: Annotated[
        bool, typer.Option("--cold", help="Solve every point from scratch (no warm start)")
    ] = False,
    renewable_share: Annotated[
        str | None,
        typer.Option(
            "--renewable-share",
            help="Renewable-share targets START:STOP:STEP or a,b,c (docs/compliance.md)",
        ),
    ] = None,
    matching: Annotated[
        str | None,
        typer.Option(
            "--matching",
            help="With --renewable-share: matchings a,b (annual, monthly, hourly); the "
            "premium column is against the first",
        ),
    ] = None,
    risk_weight: Annotated[
        str | None,
        typer.Option(
            "--risk-weight",
            help="Scenario sets: risk weights ω START:STOP:STEP or a,b,c; expected cost "
            "against CVaR per ω (risk_frontier.csv/json; docs/risk.md)",
        ),
    ] = None,
    cfe_scale: Annotated[
        str | None,
        typer.Option(
            "--cfe-scale",
            help="Pathways: factors f START:STOP:STEP or a,b,c applied to every year's "
            "carbon.cfe_target (capped at 1); one pathway solve per f "
            "(pathway_frontier.csv/json; docs/pathway.md)",
        ),
    ] = None,
) -> None:
    """Solve the scenario at every CFE target (or emissions cap); write frontier.csv,
    frontier.json, frontier.png and report.html to --out. Targets beyond the reachable
    maximum are rows with status infeasible."""
    from optimizer.decisions import frontier
    from optimizer.decisions.common import parse_range
    from optimizer.decisions.frontier import AUTO_STEP
    from optimizer.decisions.output import write_frontier

    if cfe_scale is not None:
        others = (cfe, emissions, renewable_share, risk_weight, matching)
        if any(x is not None for x in others):
            raise ScenarioError.single("--cfe-scale", "give --cfe-scale alone")
        _pathway(scenario, cfe_scale, out_dir, set_, algorithm, time_limit, threads, cold)
        return
    if risk_weight is not None:
        if cfe is not None or emissions is not None or renewable_share is not None:
            raise ScenarioError.single("--risk-weight", "give --risk-weight alone")
        _risk(scenario, risk_weight, out_dir, set_, algorithm, time_limit, threads)
        return
    if renewable_share is not None:
        if cfe is not None or emissions is not None:
            raise ScenarioError.single(
                "--renewable-share", "give --renewable-share without --cfe or --emissions"
            )
        _renewable(
            scenario, renewable_share, matching, out_dir, set_, algorithm, time_limit, threads
        )
        return
    if matching is not None:
        raise ScenarioError.single("--matching", "--matching goes with --renewable-share")
    if cfe is not None and emissions is not None:
        raise ScenarioError.single("--cfe/--emissions", "give one of --cfe or --emissions")
    if emissions is None:
        cfe = cfe or "auto"
    options = solve_options(algorithm, time_limit, threads)
    check_out_dir(out_dir)
    step = AUTO_STEP
    targets: list[float] | None
    if cfe is not None and cfe.strip().lower().startswith("auto"):
        targets = None
        step = _auto_step(cfe)
    elif cfe is not None:
        targets = parse_range(cfe, "--cfe", 0.0, 1.0)
    else:
        assert emissions is not None
        targets = parse_range(emissions, "--emissions", 0.0, None)
    from rich.table import Table

    from optimizer.scenario import load_problem

    problem = load_problem(scenario, overrides=set_ or [])
    if targets is None and problem.study is not None and problem.study.kind != "single":
        raise ScenarioError.single(
            "--cfe",
            "a pathway or a scenario set has no default range: give --cfe START:STOP:STEP "
            "(the same target in every year or scenario), or on a pathway --cfe-scale",
        )
    mode: Mode = "cfe" if cfe is not None else "emissions"
    result = frontier(problem, targets, mode, options, warm_start=not cold, step=step)
    written = write_frontier(result, out_dir)
    cur = problem.scenario.currency
    t = Table(title=f"{problem.scenario.name}: cost–carbon frontier")
    head = "CFE target" if mode == "cfe" else "cap tCO2"
    for col in (
        head,
        "status",
        f"total {cur}",
        f"{cur}/MWh",
        "CFE score",
        "tCO2",
        f"marginal {cur}/MWh clean",
        f"{cur}/tCO2 abated",
    ):
        t.add_column(col, justify="right")
    for p in result.points:
        x = p.cfe_target if mode == "cfe" else p.max_emissions_tco2
        t.add_row(
            _num(x, ".4g"),
            p.status,
            _num(p.total_cost),
            _num(p.cost_per_mwh, ",.2f"),
            _num(p.cfe_score, ".4f"),
            _num(p.emissions_tco2),
            _num(p.marginal_cost_per_mwh_clean, ",.2f"),
            _num(p.marginal_cost_per_tco2_abated, ",.2f"),
        )
    out.print(t)
    if result.unconstrained_cfe_score is not None:
        out.print(
            f"24/7 CFE score without a target: {result.unconstrained_cfe_score:.4f} "
            f"(the range starts there, rounded down to {step:g})"
        )
    if result.max_cfe_score is not None:
        out.print(f"max reachable 24/7 CFE score: {result.max_cfe_score:.4f}")
    if result.min_emissions_tco2 is not None:
        out.print(f"lowest reachable emissions: {result.min_emissions_tco2:,.1f} tCO2")
    out.print(f"{len(result.points)} points in {result.seconds:.2f} s")
    out.print("wrote " + ", ".join(str(p) for p in written))
    if not result.any_optimal:
        why = _why_no_point(result, mode, scenario, set_ or [], options)
        err.print("infeasible: no point of the frontier can be met" + why, markup=False)
        raise typer.Exit(EXIT_INFEASIBLE)


def _why_no_point(
    result: FrontierResult,
    mode: Mode,
    scenario: Path,
    overrides: list[str],
    options: SolveOptions,
) -> str:
    """Which requirement fails at every point (CONTRACT 4, exit 3): the swept goal, with the
    best value reachable, or else what fails without it (the load, the scenario's other
    goal), from one solve of the scenario with the swept goal removed."""
    if any(p.status != "infeasible" for p in result.points):
        return ""
    if mode == "cfe" and result.max_cfe_score is not None:
        return (
            ": every carbon.cfe_target asked is above the best reachable 24/7 CFE score "
            f"{result.max_cfe_score:.4f}"
        )
    if mode == "emissions" and result.min_emissions_tco2 is not None:
        return (
            ": every carbon.max_emissions_tco2 asked is below the lowest reachable "
            f"location-based emissions {result.min_emissions_tco2:,.1f} tCO2"
        )
    from optimizer.scenario import load_problem
    from optimizer.solve import solve

    study = result.problem.study
    if study is not None and study.kind != "single":
        return ""
    goal = "carbon.cfe_target" if mode == "cfe" else "carbon.max_emissions_tco2"
    plain = solve(load_problem(scenario, overrides=[*overrides, f"{goal}=null"]), options)
    if plain.status == "infeasible" and plain.message:
        return f": {plain.message}"
    return ""


def _auto_step(spec: str) -> float:
    """``auto`` → 0.05; ``auto:STEP`` → STEP in (0, 1]."""
    text = spec.strip().lower()
    if text == "auto":
        return 0.05
    head, _, tail = text.partition(":")
    try:
        step = float(tail)
    except ValueError:
        step = math.nan
    if head != "auto" or not 0 < step <= 1:
        raise ScenarioError.single("--cfe", f"auto or auto:STEP with 0 < STEP <= 1, got {spec!r}")
    return step


def _renewable(
    scenario: Path,
    spec: str,
    matching: str | None,
    out_dir: Path,
    set_: list[str] | None,
    algorithm: str,
    time_limit: float | None,
    threads: int | None,
) -> None:
    """``--renewable-share``: cost against a renewable-share target per matching."""
    from rich.table import Table

    from optimizer.decisions.common import parse_range
    from optimizer.decisions.renewable import renewable_frontier, write_renewable_frontier
    from optimizer.scenario import load_problem

    options = solve_options(algorithm, time_limit, threads)
    check_out_dir(out_dir)
    targets = parse_range(spec, "--renewable-share", 0.0, 1.0)
    problem = load_problem(scenario, overrides=set_ or [])
    matchings = [m.strip() for m in (matching or problem.carbon.renewable_matching).split(",")]
    bad = [m for m in matchings if m not in ("annual", "monthly", "hourly")]
    if bad or not matchings:
        raise ScenarioError.single("--matching", f"annual, monthly or hourly, got {bad[0]!r}")
    result = renewable_frontier(problem, targets, matchings, options)
    written = write_renewable_frontier(result, out_dir)
    cur = problem.scenario.currency
    t = Table(title=f"{problem.scenario.name}: cost against the renewable share")
    for col in (
        "matching",
        "target",
        "status",
        f"total {cur}",
        f"premium {cur}",
        "annual",
        "hourly",
    ):
        t.add_column(col, justify="right")
    for p in result["points"]:
        t.add_row(
            p["renewable_matching"],
            _num(p["renewable_share_target"], ".4g"),
            p["status"],
            _num(p.get("total_cost")),
            _num(p.get("premium")),
            _num(p.get("renewable_share_annual"), ".4f"),
            _num(p.get("renewable_share_hourly"), ".4f"),
        )
    out.print(t)
    out.print(f"premium against {matchings[0]} matching at the same target")
    out.print("wrote " + ", ".join(str(p) for p in written))
    if not any(p["status"] == "optimal" for p in result["points"]):
        err.print("infeasible: no point of the frontier can be met", markup=False)
        raise typer.Exit(EXIT_INFEASIBLE)


def _risk(
    scenario: Path,
    spec: str,
    out_dir: Path,
    set_: list[str] | None,
    algorithm: str,
    time_limit: float | None,
    threads: int | None,
) -> None:
    """``--risk-weight``: the risk frontier of a scenario set (one solve per ω)."""
    import pandas as pd
    from rich.table import Table

    from optimizer.decisions.common import parse_range
    from optimizer.decisions.stochastic import risk_frontier
    from optimizer.output import dumps
    from optimizer.scenario import load_problem

    options = solve_options(algorithm, time_limit, threads)
    check_out_dir(out_dir)
    weights = parse_range(spec, "--risk-weight", 0.0, 1.0)
    problem = load_problem(scenario, overrides=set_ or [])
    if problem.study is None or problem.study.kind != "scenarios":
        raise ScenarioError.single("--risk-weight", "needs a scenario set (uncertainty.scenarios)")
    points = risk_frontier(problem.study, weights, options)
    out_dir.mkdir(parents=True, exist_ok=True)
    rows = [{k: v for k, v in p.items() if k != "capacity_mw"} for p in points]
    pd.DataFrame(rows).to_csv(out_dir / "risk_frontier.csv", index=False)
    (out_dir / "risk_frontier.json").write_text(dumps({"points": points}) + "\n")
    cur = problem.scenario.currency
    t = Table(title=f"{problem.scenario.name}: expected cost against CVaR")
    for col in ("ω", "status", f"expected ({cur})", f"CVaR ({cur})", f"objective ({cur})"):
        t.add_column(col, justify="right")
    for p in points:
        t.add_row(
            f"{p['risk_weight']:g}",
            str(p["status"]),
            _num(p.get("expected_cost")),
            _num(p.get("cvar_cost")),
            _num(p.get("objective")),
        )
    out.print(t)
    out.print(f"wrote {out_dir / 'risk_frontier.csv'}, {out_dir / 'risk_frontier.json'}")
    if not any(p["status"] == "optimal" for p in points):
        raise typer.Exit(EXIT_INFEASIBLE)


def _pathway(
    scenario: Path,
    spec: str,
    out_dir: Path,
    set_: list[str] | None,
    algorithm: str,
    time_limit: float | None,
    threads: int | None,
    cold: bool,
) -> None:
    """``--cfe-scale``: a pathway's per-year CFE target path scaled by one factor f."""
    import pandas as pd
    from rich.table import Table

    from optimizer.decisions.common import parse_range
    from optimizer.decisions.frontier import cfe_path, pathway_frontier
    from optimizer.output import dumps
    from optimizer.scenario import load_problem

    options = solve_options(algorithm, time_limit, threads)
    check_out_dir(out_dir)
    factors = parse_range(spec, "--cfe-scale", 0.0, None)
    problem = load_problem(scenario, overrides=set_ or [])
    study = problem.study
    if study is None or study.kind != "years":
        raise ScenarioError.single("--cfe-scale", "needs a pathway (horizon.years)")
    if all(x is None for x in cfe_path(study).values()):
        raise ScenarioError.single(
            "--cfe-scale",
            "no year of the horizon has a carbon.cfe_target to scale (set carbon.cfe_target "
            "or horizon.years[].set: {carbon.cfe_target: ...})",
        )
    result = pathway_frontier(problem, factors, options, warm_start=not cold)
    out_dir.mkdir(parents=True, exist_ok=True)
    pd.DataFrame(result.rows()).to_csv(out_dir / "pathway_frontier.csv", index=False)
    (out_dir / "pathway_frontier.json").write_text(dumps(result.to_dict()) + "\n")
    cur = problem.scenario.currency
    t = Table(title=f"{problem.scenario.name}: present value against the scaled CFE path")
    t.add_column("f", justify="right")
    t.add_column("status")
    t.add_column(f"PV {cur}", justify="right")
    for y in result.years:
        t.add_column(f"{y} target/score", justify="right")
    for p in result.points:
        cells = [
            f"{_num(p.targets.get(y), '.4g')}/{_num(p.cfe_score.get(y), '.4f')}"
            for y in result.years
        ]
        t.add_row(f"{p.cfe_scale:g}", p.status, _num(p.objective), *cells)
    out.print(t)
    out.print(f"{len(result.points)} pathway solves in {result.seconds:.2f} s")
    out.print(f"wrote {out_dir / 'pathway_frontier.csv'}, {out_dir / 'pathway_frontier.json'}")
    if not result.any_optimal:
        err.print("infeasible: no point of the frontier can be met", markup=False)
        raise typer.Exit(EXIT_INFEASIBLE)
