"""Material caps and embodied emissions (issue 7; docs/materials.md).

=====================  ==================================================================
symbol                 meaning
=====================  ==================================================================
P_i                    capacity of technology or PPA i, MW (its capacity variable)
E_b                    energy of battery b, MWh
a[i,m], e[b,m]         kg of material m per MW of i, per MWh of b
L_m                    materials_limits[m], tonnes
c_i, d_b               embodied tCO2e per MW of i, per MWh of b
n_i                    lifetime of i (technology lifetime_years, PPA plant_lifetime_years)
H, T                   horizon fraction of a year, number of steps
=====================  ==================================================================

Equations::

    Σ_i a[i,m]/1000·P_i + Σ_b e[b,m]/1000·E_b ≤ L_m          (one row per capped material)
    emissions[t] += Σ_i c_i/n_i·H/T·P_i + Σ_b d_b/n_b·H/T·E_b   (carbon.include_embodied)

The embodied term is the annualised embodied carbon of the horizon, spread evenly over its
steps, so that the emissions cap and the carbon price (:mod:`optimizer.model.policy`, built
after this module) see it. The rows are linear in the capacity variables only; the dual of a
cap row is the cost of one more tonne (:mod:`optimizer.materials.summary` reports it).
"""

from __future__ import annotations

import numpy as np
from pyomo.core.base.var import VarData

from optimizer.model.builder import CaseBuilder, ModelBuilder


def tonnes_terms(b: ModelBuilder) -> dict[str, list[tuple[float, VarData]]]:
    """Tonnes of each material as (coefficient, capacity variable) terms."""
    terms: dict[str, list[tuple[float, VarData]]] = {}
    for item in b.problem.materials.items:
        P = b.capacities[item.name]
        for m, kg in item.kg_per_mw.items():
            terms.setdefault(m, []).append((kg / 1000.0, P))
        if item.kg_per_mwh:
            E = b.storage[item.name]
            for m, kg in item.kg_per_mwh.items():
                terms.setdefault(m, []).append((kg / 1000.0, E))
    return terms


def declare(b: ModelBuilder) -> None:
    """One cap row per capped material, on the first-stage capacities."""
    data = b.problem.materials
    if not data.items or not data.limits_tonnes:
        return
    blk = b.block("materials")
    terms = tonnes_terms(b)
    for k, (m, cap) in enumerate(sorted(data.limits_tonnes.items())):
        coefs = [c for c, _ in terms[m]]
        variables = [v for _, v in terms[m]]
        b.material_caps[m] = b.total_row(blk, f"cap_{k}", (coefs, variables), cap)


def operate(c: CaseBuilder) -> None:
    """Annualised embodied carbon of the case's horizon, spread over its steps."""
    data = c.problem.materials
    if not data.items or not data.include_embodied:
        return
    H = c.problem.time.horizon_fraction
    per_step = H / float(c.w.sum())
    for item in data.items:
        if not item.has_embodied:
            continue
        assert item.lifetime_years is not None  # refused at resolve time otherwise
        if item.tco2_per_mw > 0:
            coef = item.tco2_per_mw / item.lifetime_years * per_step
            c.emissions.add_scalar(np.full(c.T, coef), c.capacity(item.name))
        if item.tco2_per_mwh > 0:
            coef = item.tco2_per_mwh / item.lifetime_years * per_step
            c.emissions.add_scalar(np.full(c.T, coef), c.energy(item.name))
