"""Load flexibility (CONTRACT 3.5).

=====================  ==================================================================
symbol                 meaning
=====================  ==================================================================
up[t], down[t] ≥ 0     load moved into / out of step t, MW
s                      flexible_share
=====================  ==================================================================

Equations::

    served_load[t] = load[t] + up[t] − down[t]
    up[t] ≤ s·load[t],  down[t] ≤ s·load[t]                 (bounds)
    Σ_{t in local day d} (up[t] − down[t]) = 0              for every local day d
"""

from __future__ import annotations

import numpy as np
import pyomo.environ as pyo

from optimizer.model.builder import CaseBuilder
from optimizer.model.flows import FlowKind


def operate(b: CaseBuilder) -> None:
    p = b.problem
    share = p.flexible_share
    if share <= 0:
        return
    blk = b.block("flexibility")
    cap = share * p.load_mw
    up = b.step_vars(blk, "up", 1, ub=cap)[0]
    down = b.step_vars(blk, "down", 1, ub=cap)[0]
    day = p.time.day_id
    n_days = int(day.max()) + 1
    members = [np.flatnonzero(day == d) for d in range(n_days)]
    blk.daily = pyo.Constraint(
        range(n_days),
        rule=lambda _b, d: sum(up[t] - down[t] for t in members[d]) == 0,
    )
    b.balance.add(-1.0, up).add(1.0, down)
    b.served_delta.add(1.0, up).add(-1.0, down)
    b.flow(FlowKind.FLEX_UP, "", b.step_expr().add(1.0, up))
    b.flow(FlowKind.FLEX_DOWN, "", b.step_expr().add(1.0, down))
