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

A physical PPA's energy is paid whether the site uses, curtails or exports it.
"""

from __future__ import annotations

from optimizer.model.builder import Item, ModelBuilder


def build(b: ModelBuilder) -> None:
    ppas = b.problem.ppas
    if not ppas:
        return
    blk = b.block("ppa")
    caps = b.scalar_vars(blk, "capacity", [q.min_mw for q in ppas], [q.max_mw for q in ppas])
    dt = b.dt
    spot = b.problem.spot_price
    for q, c in zip(ppas, caps, strict=True):
        b.capacities[q.name] = c
        b.items.append(Item(q.name, "ppa_offer", q.kind, c, [c]))
        if q.kind == "virtual":
            assert spot is not None
            b.certificates.add_scalar(q.profile, c)
            b.flows[f"vppa_certificates_mw:{q.name}"] = b.step_expr().add_scalar(q.profile, c)
            settle = float(((q.price_per_mwh - spot) * q.profile).sum() * dt)
            b.cost.add("ppa_settlement", q.name, settle, [c])
        else:
            b.balance.add_scalar(q.profile, c)
            b.physical_supply.add_scalar(q.profile, c)
            b.flows[f"ppa_delivery_mw:{q.name}"] = b.step_expr().add_scalar(q.profile, c)
            energy = float(q.profile.sum() * dt)
            b.cost.add("ppa_energy", q.name, q.price_per_mwh * energy, [c])
