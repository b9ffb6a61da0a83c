"""Grid offers (CONTRACT 3.2).

=====================  ==================================================================
symbol                 meaning
=====================  ==================================================================
imp[o,t] ≥ 0           import under offer o in step t, MW
price[o,t]             energy price per MWh (number, column, TOU or spot + adder)
peak[o,m] ≥ 0          billed peak of offer o in local month m, MW
f[m]                   share of month m's hours inside the horizon
=====================  ==================================================================

Equations::

    imp[o,t] ≤ max_mw[o]                                 (bound)
    Σ_o imp[o,t] ≤ grid_import_limit_mw                  (row; a bound when it binds alone)
    peak[o,m] ≥ imp[o,t]           for t in month m      (only when the rate is > 0)
    emissions += Σ_t carbon_intensity[t]·imp[o,t]·Δt
    cost += Σ_t price[o,t]·imp[o,t]·Δt
          + Σ_m rate[o]·f[m]·peak[o,m]
          + fixed_per_year[o]·H
"""

from __future__ import annotations

import numpy as np

from optimizer.model.builder import CaseBuilder, Item, ModelBuilder
from optimizer.model.flows import FlowKind


def declare(b: ModelBuilder) -> None:
    """Grid offers have no first-stage decision; each is an item of compare."""
    for k, o in enumerate(b.problem.offers):
        kind = (
            "index"
            if b.problem.scenario.grid_offers[k].index_adder_per_mwh is not None
            else "retail"
        )
        b.add_item(Item(o.name, "grid_offer", kind, None, []))


def operate(c: CaseBuilder) -> None:
    p = c.problem
    offers = p.offers
    K, T, dt = len(offers), c.T, c.dt
    limit = p.import_limit_mw
    blk = c.block("grid")

    ubs = np.full((K, T), np.inf)
    for k, o in enumerate(offers):
        cap = min(
            o.max_mw if o.max_mw is not None else np.inf, limit if limit is not None else np.inf
        )
        ubs[k, :] = cap
    if p.grid_available is not None:  # outage steps: no import (CONTRACT 12)
        ubs[:, np.asarray(p.grid_available) <= 0] = 0.0
    imp = c.step_vars(blk, "imp", K, ub=ubs)

    total_cap = sum(float(ubs[k, 0]) for k in range(K))
    if limit is not None and K > 1 and total_cap > limit:
        c.step_rows(
            blk,
            "import_limit",
            range(T),
            lambda t: sum(imp[k][t] for k in range(K)) <= limit,
        )

    n_months = len(p.time.month_labels)
    month_id = p.time.month_id
    for k, o in enumerate(offers):
        c.imports.add(1.0, imp[k])
        c.emissions.add(p.grid_carbon_intensity * dt, imp[k])
        c.balance.add(1.0, imp[k])
        c.flow(FlowKind.GRID_IMPORT, o.name, c.step_expr().add(1.0, imp[k]))
        c.add_step_cost("grid_energy", o.name, o.price * dt, imp[k])
        columns = list(imp[k])
        if o.demand_charge_per_mw_month > 0:
            peak = c.scalar_vars(blk, f"peak_{k}", [0.0] * n_months, [None] * n_months)
            c.cap_rows(blk, f"peak_def_{k}", imp[k], peak, which=month_id)
            c.cost.add(
                "grid_demand",
                o.name,
                o.demand_charge_per_mw_month * p.time.month_fraction,
                peak,
            )
            c.peaks[o.name] = peak
            columns.extend(peak)
        if o.fixed_cost:
            c.cost.add_constant("grid_fixed", o.name, o.fixed_cost)
            c.item_fixed_cost(o.name, o.fixed_cost)
        c.item_columns(o.name, columns)
