"""A small builder of inline scenarios for the core tests (CONTRACT section 2).

Numbers in these tests are derived by hand from CONTRACT sections 3-5, never from running
the model; :func:`crf` and :func:`horizon_fraction` restate the contract's formulas here so
that the expected values do not depend on the code under test.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

Number = float | int


def crf(rate: float, years: float) -> float:
    """CONTRACT 3.1: ``CRF = r(1+r)^n / ((1+r)^n - 1)``."""
    g = (1.0 + rate) ** years
    return rate * g / (g - 1.0)


def horizon_fraction(periods: int, resolution_minutes: int) -> float:
    """CONTRACT 3: ``H = T·Δt / 8760``."""
    return periods * resolution_minutes / 60.0 / 8760.0


def scenario(
    load: Sequence[Number] | Number,
    *,
    periods: int | None = None,
    price: Sequence[Number] | Number | Mapping[str, Any] = 50.0,
    timezone: str = "UTC",
    start: str = "2027-01-04T00:00",
    resolution_minutes: int = 60,
    cfe_share: Sequence[Number] | Number = 0.0,
    carbon_intensity: Sequence[Number] | Number = 0.5,
    spot: Sequence[Number] | Number | None = None,
    columns: Mapping[str, Sequence[Number]] | None = None,
    **sections: Any,
) -> dict[str, Any]:
    """An inline scenario with one grid offer ``utility`` (unless ``grid_offers`` is given).

    Sequences become inline series columns; numbers stay numbers. Extra keyword arguments are
    top-level sections (``ppa_offers=[...]``, ``technologies=[...]``, ``carbon={...}``,
    ``site_extra={...}`` merged into ``site``, ``load_extra={...}`` merged into ``load``).
    """
    cols: dict[str, list[float]] = {}

    def put(name: str, value: Any) -> Any:
        if isinstance(value, (list, tuple)):
            cols[name] = [float(v) for v in value]
            return name
        return value

    load_v = put("load_mw", load)
    if periods is None:
        periods = len(load) if isinstance(load, (list, tuple)) else 1
    price_v = price if isinstance(price, Mapping) else put("price", price)
    site: dict[str, Any] = {
        "timezone": timezone,
        "start": start,
        "periods": periods,
        "resolution_minutes": resolution_minutes,
    }
    site.update(sections.pop("site_extra", {}))
    grid: dict[str, Any] = {
        "carbon_intensity_tco2_per_mwh": put("grid_ci", carbon_intensity),
        "cfe_share": put("grid_cfe", cfe_share),
    }
    if spot is not None:
        grid["spot_price_per_mwh"] = put("spot", spot)
    load_section: dict[str, Any] = {"mw": load_v}
    load_section.update(sections.pop("load_extra", {}))
    for name, col in (columns or {}).items():
        cols[name] = [float(v) for v in col]
    out: dict[str, Any] = {
        "name": "core-test",
        "site": site,
        "load": load_section,
        "grid": grid,
        "grid_offers": sections.pop(
            "grid_offers", [{"name": "utility", "energy_price_per_mwh": price_v}]
        ),
    }
    if cols:
        out["series"] = {"columns": cols}
    out.update(sections)
    return out


def battery(name: str = "bess", **kw: Any) -> dict[str, Any]:
    d: dict[str, Any] = {
        "name": name,
        "kind": "battery",
        "power_capex_per_kw": 0.0,
        "energy_capex_per_kwh": 0.0,
        "fixed_om_per_kw_year": 0.0,
        "lifetime_years": 10,
        "round_trip_efficiency": 1.0,
    }
    d.update(kw)
    return d


def write_files(
    sc: Mapping[str, Any], folder: Path, timestamps: Sequence[str] | None = None
) -> Path:
    """Write ``sc`` as scenario.yaml + profiles.csv (its inline columns) into ``folder``.

    ``timestamps`` defaults to the local wall-clock start of every step, computed here with
    pandas from the site's start, zone and resolution (CONTRACT 3: absolute time steps).
    """
    data: dict[str, Any] = copy.deepcopy(dict(sc))
    folder.mkdir(parents=True, exist_ok=True)
    series = data.pop("series", None)
    if series is not None:
        cols = series["columns"]
        if timestamps is None:
            timestamps = local_stamps(data["site"])
        frame = pd.DataFrame({"timestamp": list(timestamps), **cols})
        frame.to_csv(folder / "profiles.csv", index=False)
        data["series"] = {"file": "profiles.csv"}
    path = folder / "scenario.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


def local_stamps(site: Mapping[str, Any], with_offset: bool = False) -> list[str]:
    """Step starts as ISO text: local wall time, optionally with the UTC offset."""
    first = pd.Timestamp(site["start"]).tz_localize(site["timezone"])
    idx = pd.date_range(
        first.tz_convert("UTC"),
        periods=int(site["periods"]),
        freq=pd.Timedelta(minutes=int(site["resolution_minutes"])),
    ).tz_convert(site["timezone"])
    if with_offset:
        return [ts.isoformat() for ts in idx]
    return [ts.strftime("%Y-%m-%dT%H:%M") for ts in idx]


def dumps(obj: Any) -> str:
    return json.dumps(obj, indent=1, default=str)


def solve_ok(sc: Mapping[str, Any], overrides: Sequence[str] = ()) -> Any:
    """Solve an inline scenario and require an optimal status; check the totals add up."""
    from optimizer.solve import solve

    result = solve(sc, overrides=overrides)
    assert result.status == "optimal", result.message
    s = result.summary
    # CONTRACT 5: cost_breakdown is item -> money; 3.8: total_cost is their sum.
    assert sum(s["cost_breakdown"].values()) == approx_money(s["total_cost"])
    return result


def approx_money(x: float, rel: float = 1e-7, abs_: float = 1e-6) -> Any:
    import pytest

    return pytest.approx(x, rel=rel, abs=abs_)


def column(result: Any, name: str) -> list[float]:
    """One dispatch column as a list of floats."""
    return [float(v) for v in result.dispatch[name].to_numpy()]
