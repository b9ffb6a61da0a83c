"""Carbon goals: the 24/7 CFE target, the emissions cap and the carbon price (CONTRACT 3.6-3.8).

=====================  ==================================================================
symbol                 meaning
=====================  ==================================================================
I[t]                   Σ_o imp[o,t], MW
V[t]                   Σ_k v[k,t], virtual-PPA certificates, MW
u[t] ≥ 0               certificate-covered imports, MW (a variable only with a CFE row,
                       or made by certificates.py for CONTRACT 11)
cfe_share[t]           clean share of grid supply
F[t]                   on-site fossil output, MW
x                      cfe_target
=====================  ==================================================================

Equations::

    u[t] ≤ I[t],  u[t] ≤ V[t]
    dirty[t] = (1 − cfe_share[t])·(I[t] − u[t]) + F[t]
    Σ_t dirty[t]·Δt + (1 − x)·Σ_t (shed[t] + lost[t])·Δt ≤ (1 − x)·Σ_t load[t]·Δt   (CFE row)
    Σ_t emissions[t] ≤ max_emissions_tco2                             (cap row)
    cost += price_per_tco2·Σ_t emissions[t]                           (carbon price)

The CFE row measures dirty energy against Σ served_load = Σ load − Σ (shed + lost load):
flexible load is conserved within every local day and deferred training within the
horizon, so only shed and lost load change it; their coefficient (1 − x) moves with the
target (the frontier updates it, CarbonRow.shed). With heat reuse the heat pump's
draw hp[t] is site consumption too: the row becomes
``Σ dirty·Δt − (1 − x)·Σ hp·Δt ≤ (1 − x)·Σ load·Δt`` (a frontier that moves x keeps the
scenario's own x in the hp coefficient: exact at that target).
"""

from __future__ import annotations

import numpy as np
from pyomo.core.base.var import VarData

from optimizer.model.builder import FREE, CarbonRow, CaseBuilder, ModelBuilder
from optimizer.model.flows import FlowKind
from optimizer.model.ledger import StepExpr


def dirty_energy_expr(c: CaseBuilder, u: list[VarData] | None) -> StepExpr:
    """dirty[t]·Δt in MWh as a step expression."""
    p = c.problem
    w = (1.0 - p.grid_cfe_share) * c.dt
    dirty = c.step_expr().add_expr(c.imports, w).add_expr(c.fossil, c.dt)
    if u is not None:
        dirty.add(-w, u)
    return dirty


def _shed_terms(c: CaseBuilder) -> tuple[list[float], list[VarData]] | None:
    """Σ_t w·(shed + lost load)·Δt as linear terms; None without either (CONTRACT 3.6, 12)."""
    e = c.step_expr()
    for f, expr in c.flows.items():
        if f.kind in (FlowKind.SHED, FlowKind.LOST_LOAD):
            e.add_expr(expr)
    if e.is_empty:
        return None
    coefs, variables = e.total_pyomo(c.w * c.dt)
    return (list(coefs), list(variables)) if coefs else None


def operate(c: CaseBuilder) -> None:
    p = c.problem
    carbon = p.carbon
    T = c.T
    blk = c.block("policy")
    weights = c.w

    expectation = c.parent.study.kind == "scenarios" and (
        c.parent.study.targets_apply == "expectation"
    )
    want_cfe = carbon.cfe_target is not None or c.options.cfe_row
    if want_cfe:
        u = c.cert_cover  # made by optimizer.model.certificates when it needs it too
        if u is None and not c.certificates.is_empty:
            u = c.step_vars(blk, "cert_cover", 1)[0]
            imports, certs = c.imports, c.certificates
            c.step_rows(blk, "cover_imports", range(T), lambda t: u[t] - imports.pyomo(t) <= 0)
            c.step_rows(blk, "cover_certs", range(T), lambda t: u[t] - certs.pyomo(t) <= 0)
            c.cert_cover = u
        dirty = dirty_energy_expr(c, u)
        if c.book is not None and c.book.heat_pump is not None:
            # heat reuse: the heat pump's draw is site consumption too (docs/compliance.md);
            # its share-dependent term keeps the scenario's own target (1 − x)
            x = carbon.cfe_target if carbon.cfe_target is not None else 0.0
            dirty.add_expr(c.book.heat_pump, -(1.0 - x) * c.dt)
        terms = dirty.total_pyomo(weights)
        total_load = float((weights * p.load_mw).sum() * c.dt)
        # Without a target the row is written with an infinite bound (HiGHS reads ≥ 1e20
        # as infinite), so it changes nothing until a frontier moves its bound.
        bound = (1.0 - carbon.cfe_target) * total_load if carbon.cfe_target is not None else FREE
        if expectation:  # one row over the scenarios (finish); this one only reports
            bound = FREE
        shed = None if expectation else _shed_terms(c)
        row_terms = terms
        if shed is not None:  # served = load − shed − lost (moved load sums to 0)
            x = carbon.cfe_target if carbon.cfe_target is not None else 0.0
            row_terms = (
                [*terms[0], *((1.0 - x) * k for k in shed[0])],
                [*terms[1], *shed[1]],
            )
        c.cfe = CarbonRow(
            c.total_row(blk, "cfe", row_terms, bound), row_terms, total_load, shed=shed
        )

    if carbon.max_emissions_tco2 is not None or c.options.emissions_row:
        terms = c.emissions.total_pyomo(weights)
        cap = carbon.max_emissions_tco2
        if expectation:
            cap = None
        row = c.total_row(blk, "emissions_cap", terms, cap if cap is not None else FREE)
        c.emissions_cap = CarbonRow(row, terms)

    if carbon.price_per_tco2 > 0:
        c.cost.add_step(
            "carbon_price", "emissions", c.emissions, np.full(T, carbon.price_per_tco2) * weights
        )


def finish(b: ModelBuilder) -> None:
    """``targets_apply: expectation`` (CONTRACT 9): the goals hold in expectation::

    Σ_s p_s·dirty_s / L_s ≤ 1 − x          (L_s = Σ_t load_s[t]·Δt, data)
    Σ_s p_s·emissions_s ≤ cap
    """
    study = b.study
    if study.kind != "scenarios" or study.targets_apply != "expectation":
        return
    carbon = b.problem.carbon
    blk = b.block("policy_expectation")
    if all(c.cfe is not None for c in b.cases) and (
        carbon.cfe_target is not None or b.options.cfe_row
    ):
        coefs: list[float] = []
        variables: list[VarData] = []
        for c in b.cases:
            assert c.cfe is not None
            scale = c.weight / c.cfe.total_load_mwh if c.cfe.total_load_mwh > 0 else 0.0
            coefs.extend(x * scale for x in c.cfe.terms[0])
            variables.extend(c.cfe.terms[1])
        bound = 1.0 - carbon.cfe_target if carbon.cfe_target is not None else FREE
        terms = (coefs, variables)
        b.study_cfe = CarbonRow(b.total_row(blk, "cfe", terms, bound), terms, 1.0)
    if all(c.emissions_cap is not None for c in b.cases):
        coefs = []
        variables = []
        for c in b.cases:
            assert c.emissions_cap is not None
            coefs.extend(x * c.weight for x in c.emissions_cap.terms[0])
            variables.extend(c.emissions_cap.terms[1])
        cap = carbon.max_emissions_tco2
        terms = (coefs, variables)
        row = b.total_row(blk, "emissions_cap", terms, cap if cap is not None else FREE)
        b.study_emissions = CarbonRow(row, terms)
