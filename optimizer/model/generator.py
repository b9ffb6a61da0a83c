"""Dispatchable generators, e.g. gas backup (CONTRACT 3.4).

=====================  ==================================================================
symbol                 meaning
=====================  ==================================================================
P ∈ [min, max]         installed capacity, MW
g[t] ≥ 0               output, MW
=====================  ==================================================================

Equations::

    g[t] ≤ P
    cost      += P·1000·(CRF·capex_per_kw + fixed_om_per_kw_year)·H + Σ_t fuel_per_mwh·g[t]·Δt
    emissions += carbon_intensity·g[t]·Δt
    F[t]      += g[t]          (fossil output in the CFE score, unless ``carbon_free``)
"""

from __future__ import annotations

from optimizer.model.builder import Item, ModelBuilder


def build(b: ModelBuilder) -> None:
    gens = b.problem.generators
    if not gens:
        return
    dt = b.dt
    blk = b.block("generator")
    caps = b.scalar_vars(blk, "capacity", [x.min_mw for x in gens], [x.max_mw for x in gens])
    out = b.step_vars(blk, "output", len(gens))
    for k, x in enumerate(gens):
        P, g = caps[k], out[k]
        b.cap_rows(blk, f"output_max_{k}", g, [P])
        b.capacities[x.name] = P
        b.items.append(Item(x.name, "technology", "generator", P, [P, *g]))
        b.balance.add(1.0, g)
        b.physical_supply.add(1.0, g)
        b.flows[f"output_mw:{x.name}"] = b.step_expr().add(1.0, g)
        b.cost.add("capital", x.name, x.cost_per_mw, [P])
        b.cost.add("generator_fuel", x.name, x.fuel_per_mwh * dt, g)
        b.emissions.add(x.carbon_intensity_tco2_per_mwh * dt, g)
        if x.fossil:
            b.fossil.add(1.0, g)
