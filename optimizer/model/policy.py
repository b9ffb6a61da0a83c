"""Carbon goals: the 24/7 CFE target, the emissions cap and the carbon price (CONTRACT 3.6-3.8).

=====================  ==================================================================
symbol                 meaning
=====================  ==================================================================
I[t]                   Σ_o imp[o,t], MW
V[t]                   Σ_k v[k,t], virtual-PPA certificates, MW
u[t] ≥ 0               certificate-covered imports, MW (a variable only with a CFE row)
cfe_share[t]           clean share of grid supply
F[t]                   on-site fossil output, MW
x                      cfe_target
=====================  ==================================================================

Equations::

    u[t] ≤ I[t],  u[t] ≤ V[t]
    dirty[t] = (1 − cfe_share[t])·(I[t] − u[t]) + F[t]
    Σ_t dirty[t]·Δt ≤ (1 − x)·Σ_t load[t]·Δt                         (CFE row)
    Σ_t emissions[t] ≤ max_emissions_tco2                             (cap row)
    cost += price_per_tco2·Σ_t emissions[t]                           (carbon price)

The CFE row uses Σ load, equal to Σ served_load because flexible load is conserved within
every local day, so the target moves the row's bound only.
"""

from __future__ import annotations

import numpy as np
import pyomo.environ as pyo
from pyomo.core.base.var import VarData

from optimizer.model.builder import ModelBuilder
from optimizer.model.ledger import StepExpr

_FREE = 1e20
"""A row bound HiGHS treats as infinite (its ``infinite_bound``)."""


def dirty_energy_expr(b: ModelBuilder, u: list[VarData] | None) -> StepExpr:
    """dirty[t]·Δt in MWh as a step expression."""
    p = b.problem
    w = (1.0 - p.grid_cfe_share) * b.dt
    dirty = b.step_expr().add_expr(b.imports, w).add_expr(b.fossil, b.dt)
    if u is not None:
        dirty.add(-w, u)
    return dirty


def build(b: ModelBuilder) -> None:
    p = b.problem
    carbon = p.carbon
    T = b.T
    blk = b.block("policy")

    want_cfe = carbon.cfe_target is not None or b.options.cfe_row
    u = None
    if want_cfe:
        if not b.certificates.is_empty:
            u = b.step_vars(blk, "cert_cover", 1)[0]
            imports, certs = b.imports, b.certificates
            b.step_rows(blk, "cover_imports", range(T), lambda t: u[t] - imports.pyomo(t) <= 0)
            b.step_rows(blk, "cover_certs", range(T), lambda t: u[t] - certs.pyomo(t) <= 0)
        dirty = dirty_energy_expr(b, u)
        coefs, variables = dirty.total_pyomo(np.ones(T))
        total_load = float(p.load_mw.sum() * b.dt)
        # Without a target the row is written with an infinite bound (HiGHS reads ≥ 1e20
        # as infinite), so it changes nothing until a frontier moves its bound.
        bound = (1.0 - carbon.cfe_target) * total_load if carbon.cfe_target is not None else _FREE
        expr = pyo.quicksum(c * v for c, v in zip(coefs, variables, strict=True))
        blk.cfe = pyo.Constraint(expr=pyo.inequality(None, expr, bound))
        b.rows["cfe"] = blk.cfe
        b.extras["cfe_dirty_terms"] = (coefs, variables)
        b.extras["cfe_total_load_mwh"] = total_load

    if carbon.max_emissions_tco2 is not None or b.options.emissions_row:
        coefs, variables = b.emissions.total_pyomo(np.ones(T))
        expr = pyo.quicksum(c * v for c, v in zip(coefs, variables, strict=True))
        cap = carbon.max_emissions_tco2
        blk.emissions_cap = pyo.Constraint(
            expr=pyo.inequality(None, expr, cap if cap is not None else _FREE)
        )
        b.rows["emissions_cap"] = blk.emissions_cap
        b.extras["emissions_terms"] = (coefs, variables)

    if carbon.price_per_tco2 > 0:
        b.cost.add_step("carbon_price", "emissions", b.emissions, np.full(T, carbon.price_per_tco2))
