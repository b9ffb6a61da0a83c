"""On-site solar and wind (CONTRACT 3.4).

=====================  ==================================================================
symbol                 meaning
=====================  ==================================================================
P ∈ [min, max]         installed capacity, MW
profile[t]             per-unit available output, 0..1
=====================  ==================================================================

Equations::

    0 ≤ g[t] ≤ P·profile[t]
    cost += P·1000·(CRF·capex_per_kw + fixed_om_per_kw_year)·H

Reduction: the balance has a free curtailment sink (``curtail[t] ≥ 0``), and neither the
CFE score nor the export limit is helped by using less of an available clean MW, so any
optimum with ``g[t] < P·profile[t]`` has an equal-cost twin with ``g[t] = P·profile[t]`` and
the difference in ``curtail[t]``. The model therefore writes ``g[t] = P·profile[t]`` with no
variable or row per step; the dispatch reports this available output and the site's
curtailment separately.
"""

from __future__ import annotations

from optimizer.model.builder import Item, ModelBuilder


def build(b: ModelBuilder) -> None:
    techs = b.problem.renewables
    if not techs:
        return
    blk = b.block("renewables")
    caps = b.scalar_vars(blk, "capacity", [r.min_mw for r in techs], [r.max_mw for r in techs])
    for r, P in zip(techs, caps, strict=True):
        b.capacities[r.name] = P
        b.items.append(Item(r.name, "technology", r.kind, P, [P]))
        b.balance.add_scalar(r.profile, P)
        b.physical_supply.add_scalar(r.profile, P)
        b.flows[f"output_mw:{r.name}"] = b.step_expr().add_scalar(r.profile, P)
        b.cost.add("capital", r.name, r.cost_per_mw, [P])
