"""``dcopt profiles WEATHER_FILE --out profiles.parquet``: per-unit solar and wind output."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

import typer

from optimizer.cli.common import handle_errors, out


def register(app: typer.Typer) -> None:
    app.command("profiles")(profiles)


def write_frame(frame: object, path: Path) -> None:
    """Parquet, or CSV when the name ends in .csv."""
    import pandas as pd

    assert isinstance(frame, pd.DataFrame)
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.suffix.lower() == ".csv":
        out_frame = frame.copy()
        out_frame["timestamp"] = [t.isoformat() for t in out_frame["timestamp"]]
        out_frame.to_csv(path, index=False)
    else:
        frame.to_parquet(path, index=False)


@handle_errors
def profiles(
    weather_file: Annotated[
        str, typer.Argument(help="TMY3, TMY2 or EPW file (or pvlib:723170TYA.CSV)")
    ],
    out_path: Annotated[
        Path, typer.Option("--out", "-o", help="Parquet (or .csv) file to write")
    ] = Path("profiles.parquet"),
    year: Annotated[int, typer.Option(help="Year to stamp the typical year with")] = 2027,
    timezone: Annotated[
        str | None, typer.Option(help="IANA zone of the steps; default the file's standard time")
    ] = None,
    resolution_minutes: Annotated[int, typer.Option(help="15, 30 or 60")] = 60,
    tracking: Annotated[str, typer.Option(help="fixed | single_axis")] = "fixed",
    tilt_deg: Annotated[float | None, typer.Option(help="Fixed tilt; default latitude")] = None,
    azimuth_deg: Annotated[float, typer.Option(help="Panel (or tracker axis) azimuth")] = 180.0,
    dc_ac_ratio: Annotated[float, typer.Option(help="DC nameplate per AC")] = 1.3,
    solar_losses: Annotated[float, typer.Option(help="DC losses fraction")] = 0.14,
    turbine: Annotated[str, typer.Option(help="windpowerlib oedb turbine type")] = "V126/3300",
    hub_height_m: Annotated[float, typer.Option(help="Hub height, m")] = 117.0,
    shear_exponent: Annotated[float, typer.Option(help="Hellman wind-shear exponent")] = 0.20,
    wind_losses: Annotated[float, typer.Option(help="Wind losses fraction")] = 0.0,
) -> None:
    """Per-unit solar and wind output (and temperature) from a typical-year weather file."""
    from optimizer.profiles import SolarSpec, WindSpec, weather_profiles
    from optimizer.scenario.loader import translate

    try:
        solar = SolarSpec(
            tracking=_tracking(tracking),
            tilt_deg=tilt_deg,
            azimuth_deg=azimuth_deg,
            dc_ac_ratio=dc_ac_ratio,
            losses_fraction=solar_losses,
        )
        wind = WindSpec(
            turbine=turbine,
            hub_height_m=hub_height_m,
            shear_exponent=shear_exponent,
            losses_fraction=wind_losses,
        )
    except Exception as exc:
        from pydantic import ValidationError

        if isinstance(exc, ValidationError):
            raise translate(exc, {}) from None
        raise
    if resolution_minutes not in (15, 30, 60):
        from optimizer.errors import ScenarioError

        raise ScenarioError.single("--resolution-minutes", "must be 15, 30 or 60")
    frame = weather_profiles(
        weather_file,
        year=year,
        timezone=timezone,
        resolution_minutes=resolution_minutes,
        solar=solar,
        wind=wind,
    )
    write_frame(frame, out_path)
    out.print(
        f"wrote {out_path}: {len(frame)} steps from {frame['timestamp'].iloc[0].isoformat()}; "
        f"solar capacity factor {frame['solar_cf'].mean():.3f}, "
        f"wind {frame['wind_cf'].mean():.3f}",
        markup=False,
    )


def _tracking(value: str) -> Literal["fixed", "single_axis"]:
    if value == "fixed":
        return "fixed"
    if value in ("single_axis", "single-axis"):
        return "single_axis"
    from optimizer.errors import ScenarioError

    raise ScenarioError.single("--tracking", f"must be fixed or single_axis, got {value!r}")
