"""``dcopt load``: the datacenter load model as a series (load_mw, it_load_mw, pue)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from optimizer.cli.common import handle_errors, out
from optimizer.cli.profiles import write_frame
from optimizer.errors import ScenarioError


def register(app: typer.Typer) -> None:
    app.command("load")(load)


@handle_errors
def load(
    it_capacity_mw: Annotated[float, typer.Option(help="Installed IT capacity, MW")],
    out_path: Annotated[
        Path, typer.Option("--out", "-o", help="Parquet (or .csv) file to write")
    ] = Path("load.parquet"),
    weather: Annotated[
        str | None,
        typer.Option(help="Weather file for outdoor temperature (TMY3/TMY2/EPW, pvlib:NAME)"),
    ] = None,
    temperature_c: Annotated[
        float | None, typer.Option(help="Constant outdoor temperature instead of a weather file")
    ] = None,
    year: Annotated[int, typer.Option(help="Year of the steps")] = 2027,
    timezone: Annotated[str, typer.Option(help="IANA zone of the steps")] = "Etc/GMT+5",
    periods: Annotated[int | None, typer.Option(help="Steps; default one year")] = None,
    resolution_minutes: Annotated[int, typer.Option(help="15, 30 or 60")] = 60,
    training_share: Annotated[float, typer.Option(help="Training share of capacity")] = 0.5,
    training_utilisation: Annotated[float, typer.Option()] = 0.90,
    inference_utilisation: Annotated[float, typer.Option(help="Daily mean")] = 0.60,
    inference_diurnal_amplitude: Annotated[float, typer.Option(help="± share of mean")] = 0.30,
    inference_peak_hour: Annotated[float, typer.Option(help="Local hour of the peak")] = 20.0,
    growth_per_year: Annotated[float, typer.Option(help="IT load growth per year")] = 0.0,
    pue_base: Annotated[float, typer.Option(help="PUE at or below the threshold")] = 1.20,
    pue_slope_per_c: Annotated[float, typer.Option(help="PUE added per °C above it")] = 0.010,
    economiser_threshold_c: Annotated[float, typer.Option(help="Threshold, °C")] = 18.0,
) -> None:
    """Site load from IT capacity, workload mix, growth and PUE(outdoor temperature)."""
    import numpy as np
    from pydantic import ValidationError

    from optimizer.loadmodel import DatacenterLoadSpec, datacenter_load
    from optimizer.scenario.loader import translate
    from optimizer.scenario.timeindex import build_time_grid

    if (weather is None) == (temperature_c is None):
        raise ScenarioError.single("--weather", "give --weather FILE or --temperature-c, one")
    if resolution_minutes not in (15, 30, 60):
        raise ScenarioError.single("--resolution-minutes", "must be 15, 30 or 60")
    raw = {
        "it_capacity_mw": it_capacity_mw,
        "training_share": training_share,
        "training_utilisation": training_utilisation,
        "inference_utilisation": inference_utilisation,
        "inference_diurnal_amplitude": inference_diurnal_amplitude,
        "inference_peak_hour": inference_peak_hour,
        "growth_per_year": growth_per_year,
        "pue_base": pue_base,
        "pue_slope_per_c": pue_slope_per_c,
        "economiser_threshold_c": economiser_threshold_c,
    }
    try:
        spec = DatacenterLoadSpec.model_validate(raw)
    except ValidationError as exc:
        raise translate(exc, raw) from None
    if periods is None:
        periods = 8760 * 60 // resolution_minutes
    grid = build_time_grid(f"{year:04d}-01-01T00:00", timezone, periods, resolution_minutes)
    if weather is not None:
        from optimizer.profiles.build import on_grid
        from optimizer.profiles.weather import locate, read_weather

        wx = read_weather(locate(weather, Path.cwd(), field="--weather"), field="--weather")
        temp = on_grid(wx.temperature_c, wx, grid.index)
    else:
        assert temperature_c is not None
        temp = np.full(grid.periods, temperature_c)
    frame = datacenter_load(spec, grid.index, temp)
    write_frame(frame, out_path)
    out.print(
        f"wrote {out_path}: {len(frame)} steps; load mean {frame['load_mw'].mean():.1f} MW, "
        f"peak {frame['load_mw'].max():.1f} MW; IT mean {frame['it_load_mw'].mean():.1f} MW; "
        f"PUE mean {frame['pue'].mean():.3f}, max {frame['pue'].max():.3f}",
        markup=False,
    )
