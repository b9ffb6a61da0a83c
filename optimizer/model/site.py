"""Export and curtailment at the site's connection (CONTRACT 3.5).

Equations::

    0 ≤ export[t] ≤ grid_export_limit_mw
    export[t] ≤ Σ physical PPA delivery[t] + Σ g[t] + Σ dis[t]   (no buying to sell back)
    curtail[t] ≥ 0
    balance −= export[t] + curtail[t];   cost −= Σ_t export_price[t]·export[t]·Δt
"""

from __future__ import annotations

import numpy as np

from optimizer.model.builder import CaseBuilder
from optimizer.model.flows import FlowKind


def operate(b: CaseBuilder) -> None:
    p = b.problem
    T, dt = b.T, b.dt
    blk = b.block("site")
    curtail = b.step_vars(blk, "curtail", 1)[0]
    b.balance.add(-1.0, curtail)
    b.flow(FlowKind.CURTAILMENT, "", b.step_expr().add(1.0, curtail))
    if p.export_limit_mw > 0 and not b.physical_supply.is_empty:
        ub = np.full(T, p.export_limit_mw)
        if p.grid_available is not None:  # outage steps: no export (CONTRACT 12)
            ub[np.asarray(p.grid_available) <= 0] = 0.0
        export = b.step_vars(blk, "export", 1, ub=ub)[0]
        phys = b.physical_supply
        b.step_rows(blk, "export_source", range(T), lambda t: export[t] - phys.pyomo(t) <= 0)
        b.balance.add(-1.0, export)
        b.flow(FlowKind.EXPORT, "", b.step_expr().add(1.0, export))
        b.add_step_cost("export_revenue", "export", -p.export_price * dt, export)
