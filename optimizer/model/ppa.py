"""PPA offers (CONTRACT 3.3).

=====================  ==================================================================
symbol                 meaning
=====================  ==================================================================
c[k] ∈ [min, max]      contracted capacity of offer k, MW
profile[k,t]           MW delivered (or certified) per MW contracted; 1 for baseload
=====================  ==================================================================

Equations::

    pay_as_produced:  balance += c·profile[t];  cost += price·Δt·Σ_t profile[t]·c
    baseload:         balance += c;             cost += price·Δt·T·c
    virtual:          certificates v[t] = c·profile[t];
                      cost += Σ_t (price − spot[t])·profile[t]·Δt·c   (settlement)

The sums over the horizon are resolved once (``PpaData.delivered_mwh_per_mw``,
``settlement_per_mw``), so that screening on typical days pays the full year's energy.

A physical PPA's energy is paid whether the site uses, curtails or exports it.
"""

from __future__ import annotations

from optimizer.model.builder import CaseBuilder, Item, ModelBuilder
from optimizer.model.flows import FlowKind


def declare(b: ModelBuilder) -> None:
    ppas = b.problem.ppas
    if not ppas:
        return
    blk = b.block("ppa_capacity")
    caps = b.declare_capacities(
        blk, "capacity", [q.name for q in ppas], [q.min_mw for q in ppas], [q.max_mw for q in ppas]
    )
    for q, cap in zip(ppas, caps, strict=True):
        b.add_item(Item(q.name, "ppa_offer", q.kind, cap, [cap]))


def operate(c: CaseBuilder) -> None:
    for q in c.problem.ppas:
        if not c.active(q.start_year, q.term_years):
            continue  # outside its term in a pathway of years: c = 0 there
        cap = c.capacity(q.name)
        if q.kind == "virtual":
            c.certificates.add_scalar(q.profile, cap)
            c.flow(
                FlowKind.VPPA_CERTIFICATES, q.name, c.step_expr().add_scalar(q.profile, cap), q.kind
            )
            c.cost.add("ppa_settlement", q.name, q.settlement_per_mw, [cap])
        else:
            c.balance.add_scalar(q.profile, cap)
            c.physical_supply.add_scalar(q.profile, cap)
            c.renewable.add_scalar(q.profile, cap)
            c.flow(FlowKind.PPA_DELIVERY, q.name, c.step_expr().add_scalar(q.profile, cap), q.kind)
            c.cost.add("ppa_energy", q.name, q.price_per_mwh * q.delivered_mwh_per_mw, [cap])
