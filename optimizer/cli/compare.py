"""``dcopt compare``: value every grid offer, PPA offer and technology (CONTRACT section 6)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

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
    out,
    solve_options,
)


def register(app: typer.Typer) -> None:
    app.command("compare")(compare_cmd)


def _num(x: float | None, fmt: str = ",.0f") -> str:
    return "-" if x is None else format(x, fmt)


@handle_errors
def compare_cmd(
    scenario: ScenarioArg,
    out_dir: OutDir = Path("out"),
    set_: SetOption = None,
    time_limit: TimeLimit = None,
    algorithm: AlgorithmOption = "auto",
    threads: ThreadsOption = None,
    breakeven: Annotated[
        bool, typer.Option("--breakeven/--no-breakeven", help="Find PPA breakeven strikes")
    ] = True,
) -> None:
    """Solve the scenario, then value each offer and technology by re-solving without it;
    write compare.json, compare.csv, compare.png and report.html to --out."""
    from optimizer.decisions import compare
    from optimizer.decisions.output import write_compare

    options = solve_options(algorithm, time_limit, threads)
    check_out_dir(out_dir)
    from rich.table import Table

    from optimizer.scenario import load_problem

    problem = load_problem(scenario, overrides=set_ or [])
    result = compare(problem, options, breakeven=breakeven)
    written = write_compare(result, out_dir)
    base = result.base
    if base.status != "optimal":
        code = EXIT_INFEASIBLE if base.status == "infeasible" else EXIT_ERROR
        err.print(f"{base.status}: {base.message}", markup=False)
        raise typer.Exit(code)
    cur = base.summary.get("currency", "")
    t = Table(title=f"{base.summary.get('scenario', '')}: objective {_num(base.objective)} {cur}")
    for col in (
        "item",
        "kind",
        "chosen MW",
        f"value {cur}",
        f"marginal {cur}/MW-yr",
        f"breakeven {cur}/MWh",
        "verdict",
    ):
        t.add_column(col, justify="left" if col in ("item", "kind", "verdict") else "right")
    for it in result.ranked():
        be = it.breakeven or "-"
        t.add_row(
            it.name,
            it.kind,
            _num(it.chosen_mw, ",.2f"),
            "required" if it.required else _num(it.value),
            _num(it.marginal_value_per_mw_year),
            be,
            it.verdict,
        )
    out.print(t)
    if result.objective_kind != "total_cost":
        out.print(f"value = change of the {result.objective_text}; in {result.value_unit}")
        for it in result.ranked():
            if it.built_mw_by_year or it.capacity_mw_by_year:
                by = it.built_mw_by_year or it.capacity_mw_by_year or {}
                what = "built" if it.built_mw_by_year else "contracted"
                years = ", ".join(f"{y} {mw:,.2f}" for y, mw in by.items())
                out.print(f"{it.name} MW {what} by year: {years}")
            if it.cvar_value is not None and it.expected_cost_value is not None:
                out.print(
                    f"{it.name}: lowers E[C] by {_num(it.expected_cost_value)}, "
                    f"CVaR by {_num(it.cvar_value)} {cur}"
                )
    for g, name in (base.summary.get("signed_offers") or {}).items():
        out.print(f"sign in {g}: {name}")
    out.print(f"{result.solves} solves in {result.seconds:.2f} s")
    out.print("wrote " + ", ".join(str(p) for p in written))
