"""Heat reuse (docs/compliance.md): recovered IT heat sold to an offtaker, for the ERF.

=====================  ==================================================================
symbol                 meaning
=====================  ==================================================================
h[t] ≥ 0               heat delivered to the offtaker, MW of heat
IT[t]                  IT load, MW (load.it_mw or the load model)
ρ                      recoverable_share
COP                    heat_pump_cop (none: the heat is delivered directly, no heat pump)
=====================  ==================================================================

A heat pump lifts recovered heat ``q`` with electricity ``e`` to ``h = q + e``, ``COP = h/e``,
so ``e = h/COP`` and ``q = h·(1 − 1/COP)``. Equations::

    h[t]·(1 − 1/COP) ≤ ρ·IT[t],   h[t] ≤ offtake_limit_mw_heat         (bounds of h)
    balance −= h[t]/COP                                             (the heat pump's draw)
    cost −= price_per_mwh_heat·Σ_t h[t]·Δt                          (heat_revenue)

The reused energy of the ERF is the recovered IT heat ``q[t]``, not the heat pump's output
(its electricity is bought at the site meter and counted in site consumption).
"""

from __future__ import annotations

from optimizer.model.builder import CaseBuilder
from optimizer.model.certificates import ensure_book
from optimizer.model.flows import FlowKind


def operate(c: CaseBuilder) -> None:
    hr = c.problem.heat_reuse
    if hr is None:
        return
    book = ensure_book(c)
    blk = c.block("heat_reuse")
    h = c.step_vars(blk, "heat", 1, ub=hr.max_heat_mw)[0]
    book.heat = h
    c.flow(FlowKind.HEAT_DELIVERED, "", c.step_expr().add(1.0, h))
    cop = hr.heat_pump_cop
    if cop is not None:
        book.heat_lift = 1.0 - 1.0 / cop
        draw = c.step_expr().add(1.0 / cop, h)
        book.heat_pump = draw
        c.balance.add(-1.0 / cop, h)
        c.flow(FlowKind.HEAT_PUMP, "", draw.scaled(1.0))
    c.add_step_cost("heat_revenue", "heat_reuse", -hr.price_per_mwh_heat * c.dt, h)
