"""summary.json of a solved model (CONTRACT section 5, and 9–10 for many cases)."""

from __future__ import annotations

import logging
from importlib.metadata import PackageNotFoundError, version
from typing import Any

import numpy as np

from optimizer.materials.summary import add_to_summary as add_materials_to_summary
from optimizer.model.builder import FREE, BuiltModel, CaseBuilder
from optimizer.model.flows import FlowKind
from optimizer.model.highs import HighsLp
from optimizer.results.accounting import CaseAccounts, account

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
    "grid_resale",
    "network_capacity",
    "network_energy",
    "levies",
)
"""Cost categories of ``total_cost`` (CONTRACT 3.8); ``carbon_price`` is in the objective only."""


def versions() -> dict[str, str]:
    """``summary.json → versions`` (CONTRACT 5: "package, solver"): ``package`` and
    ``solver`` as named there ("dcopt 0.1.0", "HiGHS 1.15.1"), and each library's version
    by its own name (``dcopt``, ``highs``, ``pyomo``)."""
    out: dict[str, str] = {}
    for dist, key in (("dcopt", "dcopt"), ("highspy", "highs"), ("pyomo", "pyomo")):
        try:
            out[key] = version(dist)
        except PackageNotFoundError:
            out[key] = "unknown"
    return {"package": f"dcopt {out['dcopt']}", "solver": f"HiGHS {out['highs']}", **out}


def costs(c: CaseBuilder, lp: HighsLp) -> dict[str, Any]:
    """The case's cost: total, breakdown by category and by item, carbon cost, C_c."""
    breakdown_items = c.cost.breakdown(lp.values)
    breakdown: dict[str, float] = {}
    by_item: dict[str, dict[str, float]] = {}
    for (cat, item), v in breakdown_items.items():
        breakdown[cat] = breakdown.get(cat, 0.0) + v
        by_item.setdefault(item, {})[cat] = by_item.get(item, {}).get(cat, 0.0) + v
    total_cost = sum(v for k, v in breakdown.items() if k in TOTAL_COST_CATEGORIES)
    carbon_cost = breakdown.pop("carbon_price", 0.0)
    cost_breakdown = {k: breakdown[k] for k in TOTAL_COST_CATEGORIES if k in breakdown}
    # categories a unit adds beyond 3.8's (network charges, levies, ...) are reported too
    extra = {k: v for k, v in breakdown.items() if k not in TOTAL_COST_CATEGORIES}
    cost_breakdown.update(extra)
    total_cost += sum(extra.values())
    return {
        "objective": total_cost + carbon_cost,
        "total_cost": total_cost,
        "cost_breakdown": cost_breakdown,
        "cost_by_item": by_item,
        "carbon_cost": carbon_cost,
    }


def case_summary(
    built: BuiltModel, lp: HighsLp, c: CaseBuilder, acc: CaseAccounts
) -> dict[str, Any]:
    """Every section 5 number of one case (objective = its own C_c)."""
    b = built.builder
    p = c.problem
    dt = p.dt
    values = lp.values
    money = costs(c, lp)
    served_mwh = acc.served_mwh
    total_cost = money["total_cost"]

    capacity = {
        name: float(v)
        for name, v in zip(b.capacities, values(list(b.capacities.values())), strict=True)
    }
    storage = {
        name: float(v) for name, v in zip(b.storage, values(list(b.storage.values())), strict=True)
    }
    imports = {f.asset: x for f, x in acc.flows.items() if f.kind is FlowKind.GRID_IMPORT}
    grid_import = {o.name: acc.total_mwh(imports[o.name]) for o in p.offers}
    grid_peak = {o.name: float(imports[o.name].max()) for o in p.offers}

    def site_total(kind: FlowKind) -> float:
        return sum(acc.total_mwh(x) for f, x in acc.flows.items() if f.kind is kind)

    shadow: dict[str, float | None] = {"cfe_per_mwh": None, "emissions_cap_per_tco2": None}
    marginal = None
    if lp.has_duals:
        marginal = lp.duals(c.balance_rows) / dt / (c.weight * c.w)
        # a row's dual is reported whenever the row has a finite bound (a frontier moves
        # the bound of a scenario that has no target of its own)
        if c.cfe is not None and lp.row_upper(c.cfe.row) < FREE:
            shadow["cfe_per_mwh"] = float(-lp.duals([c.cfe.row])[0]) / c.weight
        if c.emissions_cap is not None and lp.row_upper(c.emissions_cap.row) < FREE:
            shadow["emissions_cap_per_tco2"] = float(-lp.duals([c.emissions_cap.row])[0]) / c.weight
    served = acc.served
    summary: dict[str, Any] = {
        "status": "optimal",
        "scenario": p.scenario.name,
        "currency": p.scenario.currency,
        **money,
        "cost_per_mwh": total_cost / served_mwh if served_mwh > 0 else None,
        "emissions_tco2": {
            "location_based": acc.total(acc.emissions_location),
            "market_based": acc.total(acc.emissions_market),
        },
        "cfe_score": acc.cfe_score,
        "cfe_target": p.carbon.cfe_target,
        "served_load_mwh": served_mwh,
        "capacity_mw": capacity,
        "storage_mwh": storage,
        "grid_import_mwh": grid_import,
        "grid_peak_mw": grid_peak,
        "export_mwh": site_total(FlowKind.EXPORT),
        "curtailment_mwh": site_total(FlowKind.CURTAILMENT),
        "shadow_prices": shadow,
        "marginal_price_per_mwh": (
            {
                "mean": float(marginal.mean()),
                "load_weighted": float((marginal * served * acc.w).sum() / (served * acc.w).sum())
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
    add_materials_to_summary(summary, b, c, acc, lp)  # materials, embodied carbon, footprint
    for hook in c.summary_hooks:  # each unit's own keys
        hook(lp, acc, summary)
    return summary


def extract_case(built: BuiltModel, lp: HighsLp, k: int = 0) -> tuple[dict[str, Any], CaseAccounts]:
    c = built.builder.cases[k]
    acc = account(c, lp.values)
    return case_summary(built, lp, c, acc), acc


def finite(x: float) -> float | None:
    return float(x) if np.isfinite(x) else None
