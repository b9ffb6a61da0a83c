"""Numbers out of a solved model: ``summary.json`` and ``dispatch.parquet`` (CONTRACT section 5).

The reported CFE score and market-based emissions use the contract's definition of covered
imports, ``u[t] = min(I[t], Σ v[t])``, computed from the dispatch, whatever value the LP's
own cover variable took (it is free to be lower where the target does not bind).
"""

from __future__ import annotations

import json
import logging
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from optimizer.materials.summary import add_to_summary as add_materials_to_summary
from optimizer.model.builder import BuiltModel
from optimizer.model.highs import HighsLp

log = logging.getLogger(__name__)

TOTAL_COST_CATEGORIES = (
    "capital",
    "grid_energy",
    "grid_demand",
    "grid_fixed",
    "ppa_energy",
    "ppa_settlement",
    "generator_fuel",
    "export_revenue",
)
"""Cost categories of ``total_cost`` (CONTRACT 3.8); ``carbon_price`` is in the objective only."""


def versions() -> dict[str, str]:
    out: dict[str, str] = {}
    for dist, key in (("dcopt", "dcopt"), ("highspy", "highs"), ("pyomo", "pyomo")):
        try:
            out[key] = version(dist)
        except PackageNotFoundError:
            out[key] = "unknown"
    return out


def _finite(x: float) -> float | None:
    return float(x) if np.isfinite(x) else None


def extract(built: BuiltModel, lp: HighsLp) -> tuple[dict[str, Any], pd.DataFrame]:
    """Summary numbers and the dispatch table of an optimal (or feasible) solution."""
    b = built.builder
    p = b.problem
    dt = p.dt
    values = lp.values

    flows = {name: expr.evaluate(values) for name, expr in b.flows.items()}
    imports = b.imports.evaluate(values)
    certs = b.certificates.evaluate(values)
    fossil = b.fossil.evaluate(values)
    served = p.load_mw + b.served_delta.evaluate(values)
    covered = np.minimum(imports, certs) if not b.certificates.is_empty else np.zeros(p.periods)
    covered = np.clip(covered, 0.0, None)
    uncovered = imports - covered
    dirty = (1.0 - p.grid_cfe_share) * uncovered + fossil
    emis_loc = b.emissions.evaluate(values)
    gen_emis = emis_loc - p.grid_carbon_intensity * imports * dt
    emis_mkt = p.grid_carbon_intensity * uncovered * dt + gen_emis

    served_mwh = float(served.sum() * dt)
    cfe_score = 1.0 - float(dirty.sum() * dt) / served_mwh if served_mwh > 0 else None

    breakdown_items = b.cost.breakdown(values)
    breakdown: dict[str, float] = {}
    by_item: dict[str, dict[str, float]] = {}
    for (cat, item), v in breakdown_items.items():
        breakdown[cat] = breakdown.get(cat, 0.0) + v
        by_item.setdefault(item, {})[cat] = by_item.get(item, {}).get(cat, 0.0) + v
    total_cost = sum(v for k, v in breakdown.items() if k in TOTAL_COST_CATEGORIES)
    carbon_cost = breakdown.pop("carbon_price", 0.0)
    cost_breakdown = {k: breakdown[k] for k in TOTAL_COST_CATEGORIES if k in breakdown}
    objective = lp.objective

    capacity = {
        name: float(v)
        for name, v in zip(b.capacities, values(list(b.capacities.values())), strict=True)
    }
    storage = {
        name: float(v) for name, v in zip(b.storage, values(list(b.storage.values())), strict=True)
    }
    grid_import = {o.name: float(flows[f"grid_import_mw:{o.name}"].sum() * dt) for o in p.offers}
    grid_peak = {o.name: float(flows[f"grid_import_mw:{o.name}"].max()) for o in p.offers}

    shadow: dict[str, float | None] = {"cfe_per_mwh": None, "emissions_cap_per_tco2": None}
    marginal = None
    if lp.has_duals:
        marginal = lp.duals(b.balance_rows) / dt
        if "cfe" in b.rows and p.carbon.cfe_target is not None:
            shadow["cfe_per_mwh"] = float(-lp.duals([b.rows["cfe"]])[0])
        if "emissions_cap" in b.rows and p.carbon.max_emissions_tco2 is not None:
            shadow["emissions_cap_per_tco2"] = float(-lp.duals([b.rows["emissions_cap"]])[0])

    summary: dict[str, Any] = {
        "status": "optimal",
        "scenario": p.scenario.name,
        "currency": p.scenario.currency,
        "objective": objective,
        "total_cost": total_cost,
        "cost_breakdown": cost_breakdown,
        "cost_by_item": by_item,
        "carbon_cost": carbon_cost,
        "cost_per_mwh": total_cost / served_mwh if served_mwh > 0 else None,
        "emissions_tco2": {
            "location_based": float(emis_loc.sum()),
            "market_based": float(emis_mkt.sum()),
        },
        "cfe_score": cfe_score,
        "cfe_target": p.carbon.cfe_target,
        "served_load_mwh": served_mwh,
        "capacity_mw": capacity,
        "storage_mwh": storage,
        "grid_import_mwh": grid_import,
        "grid_peak_mw": grid_peak,
        "export_mwh": float(flows["export_mw"].sum() * dt) if "export_mw" in flows else 0.0,
        "curtailment_mwh": float(flows["curtailment_mw"].sum() * dt),
        "shadow_prices": shadow,
        "marginal_price_per_mwh": (
            {
                "mean": float(marginal.mean()),
                "load_weighted": float((marginal * served).sum() / served.sum())
                if served.sum() > 0
                else None,
                "min": float(marginal.min()),
                "max": float(marginal.max()),
            }
            if marginal is not None
            else None
        ),
        "horizon": {
            "start": p.time.index[0].isoformat(),
            "periods": p.periods,
            "resolution_minutes": round(dt * 60),
            "hours": p.periods * dt,
            "fraction_of_year": p.time.horizon_fraction,
        },
    }

    data: dict[str, Any] = {
        "timestamp": p.time.index,
        "load_mw": p.load_mw,
        "served_load_mw": served,
    }
    data.update(flows)
    data["grid_import_total_mw"] = imports
    if not b.certificates.is_empty:
        data["certificate_covered_import_mw"] = covered
    data["uncovered_import_mw"] = uncovered
    data["fossil_output_mw"] = fossil
    data["dirty_supply_mw"] = dirty
    with np.errstate(divide="ignore", invalid="ignore"):
        data["cfe_hourly"] = np.where(
            served > 0, 1.0 - dirty / np.where(served > 0, served, 1), 1.0
        )
    data["grid_cfe_share"] = p.grid_cfe_share
    data["grid_carbon_intensity_tco2_per_mwh"] = p.grid_carbon_intensity
    data["emissions_location_tco2"] = emis_loc
    data["emissions_market_tco2"] = emis_mkt
    if marginal is not None:
        data["marginal_price_per_mwh"] = marginal
    dispatch = pd.DataFrame(data)
    add_materials_to_summary(summary, built, lp)  # materials, embodied carbon, footprint
    return summary, dispatch


def cfe_score_from_dispatch(dispatch: pd.DataFrame, dt_hours: float) -> float:
    """The contract's CFE score recomputed from a dispatch table (a check users can run)."""
    dirty = (1.0 - dispatch["grid_cfe_share"]) * dispatch["uncovered_import_mw"] + dispatch[
        "fossil_output_mw"
    ]
    return float(1.0 - dirty.sum() * dt_hours / (dispatch["served_load_mw"].sum() * dt_hours))


def write_summary(summary: dict[str, Any], path: Path) -> None:
    path.write_text(json.dumps(summary, indent=2, allow_nan=False, default=_json_default) + "\n")


def _json_default(obj: object) -> object:
    if isinstance(obj, (np.floating, np.integer)):
        return obj.item()
    raise TypeError(f"not JSON serialisable: {type(obj).__name__}")


def write_dispatch(dispatch: pd.DataFrame, path: Path) -> None:
    dispatch.to_parquet(path, index=False)
