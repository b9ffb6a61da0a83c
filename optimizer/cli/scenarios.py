"""``dcopt scenarios spot|weather|load SCENARIO``: write scenario series files and the
``uncertainty:`` block (CONTRACT section 9) from one scenario file. docs/risk.md."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Literal

import typer
from rich.table import Table

from optimizer.cli.common import handle_errors, out
from optimizer.errors import ScenarioError

scenarios_app = typer.Typer(
    name="scenarios",
    help="Write scenario series files and the uncertainty: block (CONTRACT 9) from a scenario.",
    no_args_is_help=True,
)


def register(app: typer.Typer) -> None:
    app.add_typer(scenarios_app, name="scenarios")


def floats(text: str | None, option: str) -> list[float]:
    """``"0.8,1,1.5"`` → ``[0.8, 1.0, 1.5]``; a bad number is input refused (exit 2)."""
    if text is None or not text.strip():
        return []
    try:
        return [float(x) for x in text.split(",") if x.strip()]
    except ValueError:
        raise ScenarioError.single(
            option, f"expected numbers separated by commas, got {text!r}"
        ) from None


def words(text: str | None) -> list[str]:
    return [x.strip() for x in (text or "").split(",") if x.strip()]


Out = Annotated[
    Path | None,
    typer.Option(
        "--out", "-o", help="Folder of the series files; default SCENARIO's folder/scenarios"
    ),
]
Probabilities = Annotated[
    str | None,
    typer.Option(help="Comma-separated probabilities in the scenarios' order; default equal"),
]
Names = Annotated[str | None, typer.Option(help="Comma-separated scenario names")]
Format = Annotated[
    str | None, typer.Option("--format", help="csv or parquet; default the base series' format")
]
Alpha = Annotated[
    float | None, typer.Option(help="uncertainty.risk.alpha (CVaR level); default 0.9")
]
Weight = Annotated[float | None, typer.Option(help="uncertainty.risk.weight ω; default 0")]
TargetsApply = Annotated[str | None, typer.Option(help="every_scenario (default) or expectation")]
WriteScenario = Annotated[
    Path | None,
    typer.Option(help="Also write a copy of the scenario with the block (comments are not kept)"),
]
IncludeBase = Annotated[
    bool, typer.Option("--base/--no-base", help="Add the scenario as it is ('base') first")
]


def _fmt(value: str | None) -> Literal["csv", "parquet"] | None:
    if value is None:
        return None
    if value in ("csv", "parquet"):
        return value  # type: ignore[return-value]
    raise ScenarioError.single("--format", f"must be csv or parquet, got {value!r}")


def _out_dir(scenario: Path, given: Path | None) -> Path:
    return given if given is not None else scenario.resolve().parent / "scenarios"


def _finish(
    result: Any,
    folder: Path,
    alpha: float | None,
    weight: float | None,
    targets_apply: str | None,
    write_scenario: Path | None,
) -> None:
    if targets_apply not in (None, "every_scenario", "expectation"):
        raise ScenarioError.single("--targets-apply", "must be every_scenario or expectation")
    risk = {"alpha": alpha, "weight": weight, "targets_apply": targets_apply}
    snippet = result.write_snippet(folder / "uncertainty.yaml", **risk)
    t = Table(title=f"{len(result.variants)} scenarios of {result.base.name}")
    t.add_column("name")
    t.add_column("probability", justify="right")
    t.add_column("series file")
    t.add_column("set")
    for v in result.variants:
        t.add_row(
            v.name,
            f"{v.probability:.4g}",
            str(v.series) if v.series is not None else "(the base's)",
            ", ".join(f"{k}={x}" for k, x in v.set.items()),
        )
    out.print(t)
    out.print(f"wrote {snippet}: paste it into {result.base}", markup=False)
    if write_scenario is not None:
        path = result.write_scenario(write_scenario, **risk)
        from optimizer.scenario.study import load_study

        study = load_study(path)
        out.print(f"wrote {path} ({len(study.cases)} scenarios; it loads)", markup=False)


@scenarios_app.command("spot")
@handle_errors
def spot(
    scenario: Annotated[Path, typer.Argument(help="The base scenario file")],
    scale: Annotated[
        str | None, typer.Option(help="Multipliers of the spot price: 0.8,1,1.5")
    ] = None,
    shift: Annotated[
        str | None, typer.Option(help="Additions to the spot price, per MWh: -10,20")
    ] = None,
    shock: Annotated[
        list[str] | None, typer.Option(help="A named shock path (gas-2022); repeatable")
    ] = None,
    severity: Annotated[
        float, typer.Option(help="Share of the shock's excess over 1: m' = 1 + s·(m − 1)")
    ] = 1.0,
    field: Annotated[str, typer.Option(help="The price field to vary")] = "grid.spot_price_per_mwh",
    include_base: IncludeBase = True,
    out_dir: Out = None,
    probabilities: Probabilities = None,
    names: Names = None,
    fmt: Format = None,
    alpha: Alpha = None,
    weight: Weight = None,
    targets_apply: TargetsApply = None,
    write_scenario: WriteScenario = None,
) -> None:
    """Spot-price scenarios: scaled, shifted, or along a named shock path."""
    from optimizer.scenarios_gen import spot_scenarios

    folder = _out_dir(scenario, out_dir)
    result = spot_scenarios(
        scenario,
        folder,
        scales=floats(scale, "--scale"),
        shifts=floats(shift, "--shift"),
        shocks=shock or [],
        severity=severity,
        include_base=include_base,
        probabilities=floats(probabilities, "--probabilities") or None,
        names=words(names) or None,
        field=field,
        fmt=_fmt(fmt),
    )
    _finish(result, folder, alpha, weight, targets_apply, write_scenario)


@scenarios_app.command("load")
@handle_errors
def load(
    scenario: Annotated[Path, typer.Argument(help="The base scenario file")],
    growth: Annotated[str, typer.Option(help="Load changes in %: -10,0,10 (0 is the base)")],
    include_base: IncludeBase = True,
    out_dir: Out = None,
    probabilities: Probabilities = None,
    names: Names = None,
    fmt: Format = None,
    alpha: Alpha = None,
    weight: Weight = None,
    targets_apply: TargetsApply = None,
    write_scenario: WriteScenario = None,
) -> None:
    """Load-growth scenarios: the load (and IT load) scaled by ±x %."""
    from optimizer.scenarios_gen import load_scenarios

    folder = _out_dir(scenario, out_dir)
    result = load_scenarios(
        scenario,
        folder,
        growth_percent=floats(growth, "--growth"),
        include_base=include_base,
        probabilities=floats(probabilities, "--probabilities") or None,
        names=words(names) or None,
        fmt=_fmt(fmt),
    )
    _finish(result, folder, alpha, weight, targets_apply, write_scenario)


@scenarios_app.command("weather")
@handle_errors
def weather(
    scenario: Annotated[Path, typer.Argument(help="The base scenario file")],
    weather_files: Annotated[
        list[str], typer.Argument(help="Two or more TMY3/TMY2/EPW files (or pvlib:NAME)")
    ],
    column: Annotated[
        list[str] | None,
        typer.Option(
            help="A series column to recompute: COLUMN=solar|wind|temperature; repeatable"
        ),
    ] = None,
    tracking: Annotated[str, typer.Option(help="Solar: fixed | single_axis")] = "fixed",
    tilt_deg: Annotated[
        float | None, typer.Option(help="Solar: fixed tilt; default latitude")
    ] = None,
    turbine: Annotated[
        str, typer.Option(help="Wind: windpowerlib oedb turbine type")
    ] = "V126/3300",
    hub_height_m: Annotated[float, typer.Option(help="Wind: hub height, m")] = 117.0,
    out_dir: Out = None,
    probabilities: Probabilities = None,
    names: Names = None,
    fmt: Format = None,
    alpha: Alpha = None,
    weight: Weight = None,
    targets_apply: TargetsApply = None,
    write_scenario: WriteScenario = None,
) -> None:
    """Weather-year scenarios: one per weather file."""
    from optimizer.profiles import SolarSpec, WindSpec
    from optimizer.scenarios_gen import weather_scenarios

    cols: dict[str, Any] = {}
    for c in column or []:
        if "=" not in c:
            raise ScenarioError.single(
                "--column", f"expected COLUMN=solar|wind|temperature, got {c!r}"
            )
        name, kind = c.split("=", 1)
        cols[name.strip()] = kind.strip()
    track: Literal["fixed", "single_axis"] = (
        "single_axis" if tracking in ("single_axis", "single-axis") else "fixed"
    )
    if tracking not in ("fixed", "single_axis", "single-axis"):
        raise ScenarioError.single("--tracking", f"must be fixed or single_axis, got {tracking!r}")
    folder = _out_dir(scenario, out_dir)
    result = weather_scenarios(
        scenario,
        folder,
        weather_files,
        columns=cols,
        solar=SolarSpec(tracking=track, tilt_deg=tilt_deg),
        wind=WindSpec(turbine=turbine, hub_height_m=hub_height_m),
        probabilities=floats(probabilities, "--probabilities") or None,
        names=words(names) or None,
        fmt=_fmt(fmt),
    )
    _finish(result, folder, alpha, weight, targets_apply, write_scenario)
