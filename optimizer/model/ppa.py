"""PPA offers (CONTRACT 3.3).

=====================  ==================================================================
symbol                 meaning
=====================  ==================================================================
c[k] ∈ [min, max]      contracted capacity of offer k, MW
profile[k,t]           MW delivered (or certified) per MW contracted; 1 for baseload
=====================  ==================================================================

Equations::

    pay_as_produced:  balance += c·profile[t];  cost += price·Δt·Σ_t paid[t]·profile[t]·c
    baseload:         balance += c;             cost += price·Δt·Σ_t paid[t]·c
    virtual:          certificates v[t] = c·profile[t];
                      cost += Σ_t paid[t]·(price − spot[t])·profile[t]·Δt·c   (settlement)

``negative_price_rule`` (CONTRACT 13): ``pay`` (default) paid[t] = 1; ``no_pay_below_zero``
paid[t] = 0 where spot[t] < 0 (delivery goes on); ``curtail`` profile[t] = 0 where spot[t] < 0
(the plant delivers nothing, nothing is paid). Physical delivery enters the renewable-supply
ledger only for a renewable ``technology`` (or none given); it is carbon-free in 3.6 whatever
the technology.

The sums over the horizon are resolved once (``PpaData.paid_energy_per_mw``,
``settlement_per_mw``), so that screening on typical days pays the full year's energy.

A physical PPA's energy is paid whether the site uses, curtails or exports it.

Reported (summary.json ``ppa_metrics``, one entry per PPA), with s̄ the time-average spot:

    capture_price = Σ_t spot[t]·profile[t] / Σ_t profile[t]
    capture_rate  = capture_price / s̄
    shape_cost    = Σ_t (s̄ − spot[t])·c·profile[t]·Δt   (its energy at s̄ minus at spot)
    settlement_cost = Σ_t paid[t]·(price − spot[t])·c·profile[t]·Δt
                    = (price − s̄)·paid energy + shape cost   (rule ``pay``)

``settlement_cost`` is the contract-for-difference view of every kind: for a virtual PPA its
settlement (its ``ppa_settlement`` cost line, CONTRACT 3.3); for a physical one what its
paid energy costs above the same energy at spot (negative: it saves against spot). Over a
scenario set :func:`optimizer.results.cases.scenario_set_summary` gives its distribution.
"""

from __future__ import annotations

from typing import Any

import numpy as np

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
            if q.renewable:
                c.renewable.add_scalar(q.profile, cap)
            c.flow(FlowKind.PPA_DELIVERY, q.name, c.step_expr().add_scalar(q.profile, cap), q.kind)
            c.cost.add("ppa_energy", q.name, q.price_per_mwh * q.paid_energy_per_mw, [cap])
    if c.problem.ppas:
        c.summary_hooks.append(lambda lp, acc, summary: _metrics(c, lp, summary))


def _metrics(c: CaseBuilder, lp: Any, summary: dict[str, Any]) -> None:
    """``ppa_metrics``: capture price and rate, shape cost, paid and unpaid energy."""
    p = c.problem
    spot = p.spot_price
    w, dt = c.w, c.dt
    mean_spot = float((w * spot).sum() / w.sum()) if spot is not None else None
    out: dict[str, dict[str, Any]] = {}
    for q in p.ppas:
        # outside its term in a pathway of years it contracts (and delivers) nothing
        active = c.active(q.start_year, q.term_years)
        cap = float(lp.values([c.capacity(q.name)])[0]) if active else 0.0
        prof = np.asarray(q.profile, dtype=float)
        energy = float((w * prof).sum() * dt) * cap
        row: dict[str, Any] = {
            "technology": q.technology,
            "renewable": q.renewable if q.kind != "virtual" else None,
            "negative_price_rule": q.negative_price_rule,
            "contracted_mw": cap,
            "energy_mwh": energy,
            "paid_mwh": q.paid_energy_per_mw * cap,
            "capture_price_per_mwh": None,
            "capture_rate": None,
            "shape_cost": None,
            "settlement_cost": None,
        }
        weight = float((w * prof).sum())
        if spot is not None and mean_spot is not None and weight > 0:
            capture = float((w * prof * spot).sum() / weight)
            row["capture_price_per_mwh"] = capture
            row["capture_rate"] = capture / mean_spot if abs(mean_spot) > 1e-9 else None
            row["shape_cost"] = float((w * (mean_spot - spot) * prof).sum() * dt) * cap
        if spot is not None:
            row["settlement_cost"] = _settlement(q, spot, w, dt) * cap
        out[q.name] = row
    summary["ppa_metrics"] = out


def _settlement(q: Any, spot: np.ndarray, w: np.ndarray, dt: float) -> float:
    """Σ_t paid[t]·(price − spot[t])·profile[t]·Δt per MW contracted (weights ``w``: a
    screening's typical days). A virtual PPA's is its cost line's (resolved over the whole
    horizon), so that the two agree to the digit."""
    if q.kind == "virtual":
        return float(q.settlement_per_mw)
    prof = np.asarray(q.profile, dtype=float)
    paid = 1.0 if q.paid is None else q.paid
    return float((w * paid * (q.price_per_mwh - spot) * prof).sum() * dt)
