"""Tonnes of materials, embodied carbon and the footprint of compute of a solved model.

:func:`add_to_summary` adds to summary.json (docs/materials.md has every key):

- ``materials``: tonnes of each material in what is built or contracted, in total and by
  item, with the limits and the annual equivalent of each cap's shadow price;
- ``embodied_carbon``: embodied tCO2e in total, annualised (per year, straight line over each
  item's lifetime) and for the modelled horizon;
- ``footprint`` (when the IT energy is known from ``load.it_mw``, the load model or
  ``compute``): cost and emissions per MWh of IT energy (scope 1, scope 2 location- and
  market-based, embodied = scope 3) and, with ``compute``, per GPU-hour;
- ``shadow_prices.materials_per_tonne``: for every capped material, the objective saved by one
  more tonne over the modelled horizon (0 where the cap does not bind).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

import numpy as np

from optimizer.materials.intensity import MaterialsData
from optimizer.model.flows import FlowKind

if TYPE_CHECKING:
    from optimizer.model.builder import CaseBuilder, ModelBuilder
    from optimizer.model.highs import HighsLp
    from optimizer.results.accounting import CaseAccounts
    from optimizer.scenario.resolve import Problem

log = logging.getLogger(__name__)


def materials_section(
    data: MaterialsData, capacity_mw: dict[str, float], storage_mwh: dict[str, float]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """``(materials, embodied_carbon)`` of the given capacities (no horizon terms yet)."""
    total: dict[str, float] = {m: 0.0 for m in data.materials}
    by_item: dict[str, dict[str, float]] = {}
    basis: dict[str, str | None] = {}
    emb_items: dict[str, dict[str, float | None]] = {}
    emb_total = 0.0
    emb_annual = 0.0
    for it in data.items:
        mw = float(capacity_mw.get(it.name, 0.0))
        mwh = float(storage_mwh.get(it.name, 0.0))
        tonnes = it.tonnes(mw, mwh)
        by_item[it.name] = tonnes
        basis[it.name] = it.basis
        for m, t in tonnes.items():
            total[m] += t
        emb = it.embodied_tco2(mw, mwh)
        annual = emb / it.lifetime_years if it.lifetime_years and emb else 0.0
        emb_total += emb
        emb_annual += annual
        emb_items[it.name] = {
            "total_tco2": emb,
            "annualised_tco2_per_year": annual,
            "lifetime_years": it.lifetime_years,
        }
    materials: dict[str, Any] = {
        "total_tonnes": total,
        "by_item_tonnes": by_item,
        "basis": basis,
    }
    if data.limits_tonnes:
        materials["limits_tonnes"] = dict(data.limits_tonnes)
    embodied: dict[str, Any] = {
        "total_tco2": emb_total,
        "annualised_tco2_per_year": emb_annual,
        "included_in_emissions": data.include_embodied,
        "by_item": emb_items,
    }
    return materials, embodied


def _it_energy(p: Problem) -> tuple[np.ndarray, str] | None:
    data = p.materials
    if p.it_load_mw is not None:
        return np.asarray(p.it_load_mw, dtype=float), "it_load"
    if data.gpu_count is not None and data.gpu_power_kw is not None:
        mw = data.gpu_count * data.gpu_power_kw / 1000.0
        return np.full(p.periods, mw), "compute"
    return None


def footprint(
    p: Problem,
    summary: dict[str, Any],
    grid_imports_mw: np.ndarray,
    covered_imports_mw: np.ndarray,
    generator_output_mw: dict[str, np.ndarray],
    embodied_horizon_tco2: float,
) -> dict[str, Any] | None:
    """Cost and emissions per MWh of IT energy (and per GPU-hour); None when IT is unknown."""
    it = _it_energy(p)
    if it is None:
        return None
    it_mw, basis = it
    dt = p.dt
    it_mwh = float(it_mw.sum() * dt)
    if it_mwh <= 0:
        log.info("IT energy is zero: no footprint per MWh of IT energy")
        return None
    ci = p.grid_carbon_intensity
    scope2_loc = float((ci * grid_imports_mw).sum() * dt)
    scope2_mkt = float((ci * (grid_imports_mw - covered_imports_mw)).sum() * dt)
    scope1 = sum(
        float(g.carbon_intensity_tco2_per_mwh * generator_output_mw[g.name].sum() * dt)
        for g in p.generators
    )
    scope3 = embodied_horizon_tco2
    cost = float(summary["total_cost"])
    site_mwh = float(summary["served_load_mwh"])
    total_loc = scope1 + scope2_loc + scope3
    total_mkt = scope1 + scope2_mkt + scope3
    out: dict[str, Any] = {
        "it_energy_mwh": it_mwh,
        "it_energy_basis": basis,
        "site_energy_mwh": site_mwh,
        "pue": site_mwh / it_mwh,
        "emissions_tco2": {
            "scope1": scope1,
            "scope2_location_based": scope2_loc,
            "scope2_market_based": scope2_mkt,
            "scope3_embodied": scope3,
        },
        "cost_per_it_mwh": cost / it_mwh,
        "scope1_tco2_per_it_mwh": scope1 / it_mwh,
        "scope2_location_tco2_per_it_mwh": scope2_loc / it_mwh,
        "scope2_market_tco2_per_it_mwh": scope2_mkt / it_mwh,
        "embodied_tco2_per_it_mwh": scope3 / it_mwh,
        "total_location_tco2_per_it_mwh": total_loc / it_mwh,
        "total_market_tco2_per_it_mwh": total_mkt / it_mwh,
        "embodied_share_of_location_total": scope3 / total_loc if total_loc > 0 else None,
    }
    data = p.materials
    if data.gpu_count is not None and data.gpu_power_kw is not None:
        mwh_per_gpu_hour = data.gpu_power_kw / 1000.0
        hours = p.periods * dt
        gpu_hours = data.gpu_count * hours
        kg = 1000.0 * mwh_per_gpu_hour
        out.update(
            {
                "gpu_count": data.gpu_count,
                "gpu_power_kw": data.gpu_power_kw,
                "gpu_hours": gpu_hours,
                "gpu_share_of_it_energy": gpu_hours * mwh_per_gpu_hour / it_mwh,
                "cost_per_gpu_hour": cost / it_mwh * mwh_per_gpu_hour,
                "scope1_kgco2_per_gpu_hour": scope1 / it_mwh * kg,
                "scope2_location_kgco2_per_gpu_hour": scope2_loc / it_mwh * kg,
                "scope2_market_kgco2_per_gpu_hour": scope2_mkt / it_mwh * kg,
                "embodied_kgco2_per_gpu_hour": scope3 / it_mwh * kg,
                "total_location_kgco2_per_gpu_hour": total_loc / it_mwh * kg,
                "total_market_kgco2_per_gpu_hour": total_mkt / it_mwh * kg,
            }
        )
    return out


def add_to_summary(
    summary: dict[str, Any],
    b: ModelBuilder,
    c: CaseBuilder,
    acc: CaseAccounts,
    lp: HighsLp,
) -> None:
    """Add ``materials``, ``embodied_carbon``, ``footprint`` and the material shadow prices."""
    p = c.problem
    data = p.materials
    materials, embodied = materials_section(
        data, summary.get("capacity_mw", {}), summary.get("storage_mwh", {})
    )
    H = p.time.horizon_fraction
    embodied["horizon_tco2"] = embodied["annualised_tco2_per_year"] * H

    rows = b.material_caps
    if rows:
        prices: dict[str, float | None] = {m: None for m in rows}
        if lp.has_duals:
            duals = lp.duals(list(rows.values()))
            prices = {m: float(max(-d, 0.0)) for m, d in zip(rows, duals, strict=True)}
        summary.setdefault("shadow_prices", {})["materials_per_tonne"] = prices
        materials["shadow_price_per_tonne_year"] = {
            m: (v / H if v is not None and H > 0 else None) for m, v in prices.items()
        }

    summary["materials"] = materials
    summary["embodied_carbon"] = embodied

    gen = {
        f.asset: x
        for f, x in acc.flows.items()
        if f.kind is FlowKind.OUTPUT and f.asset in {g.name for g in p.generators}
    }
    fp = footprint(p, summary, acc.imports, acc.covered, gen, embodied["horizon_tco2"])
    if fp is not None:
        summary["footprint"] = fp
