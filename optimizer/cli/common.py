"""Shared pieces of the command line: the app, logging, error handling, printing, and the
options that several commands take (one definition each, as ``Annotated`` aliases).

Nothing heavy is imported here or at the top of any command module: ``dcopt --help`` and
``dcopt run --help`` import no Pyomo, pandas or matplotlib (tests/cli/test_imports.py);
each command imports what it needs when it runs."""

from __future__ import annotations

import functools
import logging
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn, TypeVar

import typer
from rich.console import Console

from optimizer.errors import DcoptError, FieldError, ScenarioError

if TYPE_CHECKING:
    from rich.table import Table

    from optimizer.options import SolveOptions

app = typer.Typer(
    name="dcopt",
    help="Datacenter energy sourcing optimizer: what to buy and build, what it costs and emits.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)

out = Console(highlight=False)
err = Console(stderr=True, highlight=False, soft_wrap=True)

EXIT_OK, EXIT_ERROR, EXIT_INPUT, EXIT_INFEASIBLE = 0, 1, 2, 3

_state: dict[str, Any] = {"debug": False}

# -- options shared by run, compare, frontier (and validate, batch) ------------------------
ScenarioArg = Annotated[Path, typer.Argument(help="Scenario file (YAML or JSON)")]
OutDir = Annotated[Path, typer.Option("--out", "-o", help="Output folder")]
SetOption = Annotated[
    list[str] | None,
    typer.Option(
        "--set",
        # "\\[" : help is rich markup, where a bare [wind-a] is a style tag and disappears
        help="Override a scenario value before validation: dotted.path=value "
        "(list items by name: ppa_offers\\[wind-a].price_per_mwh=52). Repeatable.",
    ),
]
TimeLimit = Annotated[
    float | None,
    typer.Option("--time-limit", help="Solver time limit per solve, seconds"),
]
AlgorithmOption = Annotated[
    str,
    typer.Option(
        "--algorithm",
        help="auto | hipo | ipx | ipm | simplex | pdlp (auto: dual simplex for short "
        "horizons, HiPO interior point for long ones, with crossover where a basis is "
        "used (compare, frontier); ipm: HiPO when "
        "installed, else IPX)",
    ),
]
ThreadsOption = Annotated[
    int | None,
    typer.Option("--threads", help="Solver threads (default: this machine's cores)"),
]


class _StderrHandler(logging.StreamHandler):
    """Writes each record to ``sys.stderr`` as it is at that moment, not as it was when the
    first command of the process ran: a second command in the same process (a script, or
    typer's CliRunner, which swaps stderr per call) would else write to a closed stream and
    print a logging traceback."""

    def emit(self, record: logging.LogRecord) -> None:
        self.stream = sys.stderr
        super().emit(record)


@app.callback()
def _main(
    verbose: Annotated[
        int,
        typer.Option(
            "--verbose",
            "-v",
            count=True,
            help="More log lines: -v progress, -vv dcopt's debug lines, -vvv every library's",
        ),
    ] = 0,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Only warnings and errors")] = False,
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks of failures")] = False,
) -> None:
    # -v: INFO; -vv: dcopt's own DEBUG lines; -vvv: every library's too. Pyomo at DEBUG
    # prints each component it constructs, which made a pathway's build 5x slower.
    level = logging.WARNING if quiet or verbose == 0 else logging.INFO
    if verbose > 2 and not quiet:
        level = logging.DEBUG
    handler = _StderrHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    logging.basicConfig(level=level, handlers=[handler])
    if verbose == 2 and not quiet:
        logging.getLogger("optimizer").setLevel(logging.DEBUG)
        logging.getLogger("api").setLevel(logging.DEBUG)
    _state["debug"] = debug


def solve_options(
    algorithm: str, time_limit: float | None, threads: int | None, **extra: Any
) -> SolveOptions:
    """The solver flags as :class:`SolveOptions`; a bad value is input refused (exit 2)."""
    from pydantic import ValidationError

    from optimizer.options import SolveOptions

    try:
        return SolveOptions.model_validate(
            {"algorithm": algorithm, "time_limit_seconds": time_limit, "threads": threads, **extra}
        )
    except ValidationError as exc:
        flags = {"algorithm": "--algorithm", "time_limit_seconds": "--time-limit"}
        raise ScenarioError(
            [
                FieldError(flags.get(str(e["loc"][0]), f"--{e['loc'][0]}"), e["msg"])
                for e in exc.errors()
            ]
        ) from None


def check_out_dir(path: Path, option: str = "--out") -> None:
    """Refuse (exit 2) an output folder that exists as a file, before any work is done."""
    if path.exists() and not path.is_dir():
        fail(EXIT_INPUT, f"input refused:\n  {option}: {path} exists and is not a folder")


def fail(code: int, message: str) -> NoReturn:
    err.print(message, markup=False, soft_wrap=True)
    raise typer.Exit(code)


F = TypeVar("F", bound=Callable[..., Any])


def handle_errors(fn: F) -> F:
    """Map library errors to exit codes and one-line messages; no traceback unless --debug."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except typer.Exit:
            raise
        except ScenarioError as exc:
            if _state["debug"]:
                raise
            lines = ["input refused:"] + [f"  {e}" for e in exc.errors]
            fail(EXIT_INPUT, "\n".join(lines))
        except KeyboardInterrupt:
            fail(130, "interrupted")
        except DcoptError as exc:
            if _state["debug"]:
                raise
            fail(EXIT_ERROR, f"error: {exc}")
        except Exception as exc:
            if _state["debug"]:
                raise
            fail(EXIT_ERROR, f"internal error: {type(exc).__name__}: {exc} (rerun with --debug)")

    return wrapper  # type: ignore[return-value]


def money(x: float | None, currency: str) -> str:
    if x is None:
        return "-"
    return f"{x:,.0f} {currency}"


def headline_table(summary: dict[str, Any]) -> Table:
    """A readable table of the headline numbers of a summary."""
    from rich.table import Table

    cur = summary.get("currency", "")
    t = Table(title=f"{summary.get('scenario', '')}: {summary.get('status')}", show_header=False)
    t.add_column("what")
    t.add_column("value", justify="right")
    t.add_row("objective", money(summary.get("objective"), cur))
    t.add_row("total cost", money(summary.get("total_cost"), cur))
    cpm = summary.get("cost_per_mwh")
    t.add_row("cost per MWh served", f"{cpm:,.2f} {cur}" if cpm is not None else "-")
    for k, v in (summary.get("cost_breakdown") or {}).items():
        t.add_row(f"  {k}", money(v, cur))
    em = summary.get("emissions_tco2") or {}
    t.add_row("emissions, location-based", f"{em.get('location_based', 0):,.0f} tCO2")
    t.add_row("emissions, market-based", f"{em.get('market_based', 0):,.0f} tCO2")
    cfe = summary.get("cfe_score")
    t.add_row("24/7 CFE score", f"{cfe:.4f}" if cfe is not None else "-")
    t.add_row("served load", f"{summary.get('served_load_mwh', 0):,.0f} MWh")
    for k, v in (summary.get("capacity_mw") or {}).items():
        t.add_row(f"capacity {k}", f"{v:,.2f} MW")
    for k, v in (summary.get("storage_mwh") or {}).items():
        t.add_row(f"storage {k}", f"{v:,.2f} MWh")
    for k, v in (summary.get("grid_import_mwh") or {}).items():
        t.add_row(f"grid import {k}", f"{v:,.0f} MWh")
    sp = summary.get("shadow_prices") or {}
    if sp.get("cfe_per_mwh") is not None:
        t.add_row("CFE shadow price", f"{sp['cfe_per_mwh']:,.2f} {cur}/MWh clean")
    if sp.get("emissions_cap_per_tco2") is not None:
        t.add_row("emissions-cap shadow price", f"{sp['emissions_cap_per_tco2']:,.2f} {cur}/tCO2")
    t.add_row(
        "build / solve",
        f"{summary.get('build_seconds', 0):.2f} s / {summary.get('solve_seconds', 0):.2f} s",
    )
    return t
