"""Grid offers (CONTRACT 3.2) and supply contracts as signed (CONTRACT 13).

=====================  ==================================================================
symbol                 meaning
=====================  ==================================================================
imp[o,t] ≥ 0           import under offer o in step t, MW
price[o,t]             energy price per MWh (number, column, TOU or spot + adder)
peak[o,m] ≥ 0          billed peak of offer o in local month m, MW
f[m]                   share of month m's hours inside the horizon
y[o] ∈ {0, 1}          offer o is signed (only offers with a ``group``; first stage)
M[o]                   the offer's own import bound: min(max_mw, grid_import_limit_mw), or
                       where both are unbounded the peak load + Σ finite technology max_mw
B[o,t]                 block offers: the block's MW (``block_mw`` or ``block_profile``)
d, sur, rest ≥ 0       block offers: block MW delivered, unused block MW resold, MW bought
                       beyond the block under the same offer
=====================  ==================================================================

Equations::

    imp[o,t] ≤ max_mw[o]                                 (bound)
    Σ_o I_o[t] ≤ grid_import_limit_mw                    (row; a bound when it binds alone)
    peak[o,m] ≥ I_o[t]             for t in month m      (only when the rate is > 0)
    emissions += Σ_t carbon_intensity[t]·I_o[t]·Δt
    cost += Σ_t price[o,t]·imp[o,t]·Δt
          + Σ_m rate[o]·f[m]·peak[o,m]
          + fixed_per_year[o]·H                          (no group: always paid)

with I_o[t] = imp[o,t] for an offer, ``d − sur + rest`` for a block offer. Exclusive
supply (groups)::

    Σ_{o ∈ g} y[o] = 1                                   (each group: exactly one signed)
    imp[o,t] ≤ M[o]·y[o]                                 (only a signed offer imports)
    cost += fixed_per_year[o]·H·y[o]                     (only a signed offer pays its fee)

Block offers (swing s, take-or-pay share k)::

    (1−s)·B[t]·y ≤ d[t] ≤ (1+s)·B[t]·y                  (y ≡ 1 without a group: bounds)
    Σ_t d[t]·Δt ≥ k·Σ_t B[t]·Δt·y                       (take or pay)
    sur[t] ≤ d[t];  rest[t] ≤ M·y
    cost += Σ_t (price·d[t] + (spot[t] + adder)·rest[t] − (spot[t] − spread)·sur[t])·Δt

The resale of unused block energy is financial (the supplier sells it on): it is not an
export and does not use ``grid_export_limit_mw``.

The model is a MILP only when some offer has a group; HiGHS solves it exactly and the LP
with the binaries fixed at the optimum gives the duals (:class:`~optimizer.model.highs.HighsLp`).
"""

from __future__ import annotations

import logging
from typing import Any

import numpy as np
import pyomo.core as pyo
from pyomo.core.base.var import VarData

from optimizer.model.builder import CaseBuilder, Item, ModelBuilder
from optimizer.model.flows import FlowKind
from optimizer.model.ledger import StepExpr

log = logging.getLogger(__name__)

SIGNED = "signed"
"""The first-stage unit of a grouped offer's signing decision y (``first_stage[name#signed]``)."""


def signed_key(name: str) -> str:
    return f"{name}#{SIGNED}"


def groups(b: ModelBuilder) -> dict[str, list[str]]:
    """Group → the names of its offers, in file order."""
    out: dict[str, list[str]] = {}
    for o in b.problem.offers:
        if o.group is not None:
            out.setdefault(o.group, []).append(o.name)
    return out


def signing_var(b: ModelBuilder, name: str) -> VarData | None:
    """y of a grouped offer (None without a group)."""
    fs = b.first_stage.get(signed_key(name))
    return fs.var if fs is not None else None


def declare(b: ModelBuilder) -> None:
    """Each offer is an item of compare; a grouped offer has its signing decision y."""
    from optimizer.model.builder import FirstStage
    from optimizer.scenario.plausibility import check

    p = b.problem
    by_group = groups(b)
    blk = b.block("supply_choice") if by_group else None
    for gi, names in enumerate(by_group.values()):
        assert blk is not None
        var = pyo.Var(range(len(names)), within=pyo.Binary)
        blk.add_component(f"signed_{gi}", var)
        ys = [var[k] for k in range(len(names))]
        for n, y in zip(names, ys, strict=True):
            b.first_stage[signed_key(n)] = FirstStage(n, y, SIGNED)
        b.row(blk, f"one_of_{gi}", sum(ys) == 1)
    for o in p.offers:
        spec = next(g for g in p.scenario.grid_offers if g.name == o.name)
        index = spec.index_adder_per_mwh is not None
        kind = "block" if o.is_block else ("index" if index else "retail")
        y = signing_var(b, o.name)
        b.add_item(Item(o.name, "grid_offer", kind, None, [y] if y is not None else []))
    for w in check(p):
        log.warning("%s", w)


def _bound(c: CaseBuilder, max_mw: float | None) -> float:
    """M: the offer's own bound, else the peak load plus every finite technology max_mw."""
    p = c.problem
    limit = p.import_limit_mw
    cap = min(max_mw if max_mw is not None else np.inf, limit if limit is not None else np.inf)
    if np.isfinite(cap):
        return float(cap)
    extra = 0.0
    for t in p.technologies:
        mx = getattr(t, "max_mw", None)
        if mx is not None:
            extra += float(mx)
    return float(np.max(p.load_mw)) + extra


def operate(c: CaseBuilder) -> None:
    p = c.problem
    b = c.parent
    offers = p.offers
    K, T, dt = len(offers), c.T, c.dt
    limit = p.import_limit_mw
    blk = c.block("grid")
    down = np.asarray(p.grid_available) <= 0 if p.grid_available is not None else None

    ubs = np.full((K, T), np.inf)
    for k, o in enumerate(offers):
        cap = min(
            o.max_mw if o.max_mw is not None else np.inf, limit if limit is not None else np.inf
        )
        ubs[k, :] = cap
    if down is not None:  # outage steps: no import (CONTRACT 12)
        ubs[:, down] = 0.0
    imp = c.step_vars(blk, "imp", K, ub=ubs)

    exprs: list[StepExpr] = []
    block_parts: dict[str, tuple[list[VarData], list[VarData], list[VarData]]] = {}
    for k, o in enumerate(offers):
        y = signing_var(b, o.name)
        M = _bound(c, o.max_mw)
        e = c.step_expr()
        columns: list[VarData] = []
        if not o.is_block:
            e.add(1.0, imp[k])
            columns.extend(imp[k])
            c.add_step_cost("grid_energy", o.name, o.price * dt, imp[k])
            if o.price_is_number or o.index_adder_per_mwh is not None:
                c.price_terms[o.name] = (list(imp[k]), c.w * dt)
            if y is not None:
                c.cap_rows(blk, f"signed_imp_{k}", imp[k], [y], coef=M)
        else:
            d, sur, rest = _block(c, blk, k, o, y, M, down)
            block_parts[o.name] = (d, sur, rest)
            e.add(1.0, d).add(-1.0, sur).add(1.0, rest)
            columns.extend([*d, *sur, *rest])
            # the unused import column of a block offer stays at 0 (ub 0)
            for v in imp[k]:
                v.setub(0.0)
            if o.price_is_number:
                c.price_terms[o.name] = (list(d), c.w * dt)
        exprs.append(e)
        c.imports.add_expr(e)
        c.emissions.add_expr(e, p.grid_carbon_intensity * dt)
        c.balance.add_expr(e)
        c.flow(FlowKind.GRID_IMPORT, o.name, e)
        if o.demand_charge_per_mw_month > 0:
            n_months = len(p.time.month_labels)
            peak = c.scalar_vars(blk, f"peak_{k}", [0.0] * n_months, [None] * n_months)
            if o.is_block:
                c.step_rows(blk, f"peak_def_{k}", range(T), _peak_rule(e, peak, p.time.month_id))
            else:
                c.cap_rows(blk, f"peak_def_{k}", imp[k], peak, which=p.time.month_id)
            c.cost.add(
                "grid_demand",
                o.name,
                o.demand_charge_per_mw_month * p.time.month_fraction,
                peak,
            )
            c.peaks[o.name] = peak
            columns.extend(peak)
        if o.fixed_cost:
            if y is None:
                c.cost.add_constant("grid_fixed", o.name, o.fixed_cost)
                c.item_fixed_cost(o.name, o.fixed_cost)
            else:
                c.cost.add("grid_fixed", o.name, o.fixed_cost, [y])
        c.item_columns(o.name, columns)

    total_cap = sum(float(ubs[k, 0]) for k in range(K))
    if limit is not None and block_parts:
        total = c.step_expr()
        for e in exprs:
            total.add_expr(e)
        c.step_rows(blk, "import_limit", range(T), lambda t: total.pyomo(t) <= limit)
    elif limit is not None and K > 1 and total_cap > limit:
        c.step_rows(
            blk,
            "import_limit",
            range(T),
            lambda t: sum(imp[k][t] for k in range(K)) <= limit,
        )
    c.summary_hooks.append(lambda lp, acc, s: _summary(c, lp, acc, s, block_parts))


def _peak_rule(e: StepExpr, peak: list[VarData], month: np.ndarray) -> Any:
    mid = np.asarray(month).tolist()

    def rule(t: int) -> object:
        return e.pyomo(t) - peak[mid[t]] <= 0

    return rule


def _block(
    c: CaseBuilder,
    blk: Any,
    k: int,
    o: Any,
    y: VarData | None,
    M: float,
    down: np.ndarray | None,
) -> tuple[list[VarData], list[VarData], list[VarData]]:
    """The block offer's delivered, resold and rest MW with their rows and costs."""
    T, dt = c.T, c.dt
    B = np.asarray(o.block_mw, dtype=float)
    s = o.swing_share
    lo, hi = (1.0 - s) * B, (1.0 + s) * B
    rest_ub = np.full(T, M)
    if down is not None:
        rest_ub[down] = 0.0
    if y is None:
        d = c.step_vars(blk, f"block_{k}", 1, ub=hi)[0]
        for v, lb in zip(d, lo.tolist(), strict=True):
            v.setlb(lb)
    else:
        d = c.step_vars(blk, f"block_{k}", 1, ub=hi)[0]
        hl, ll = hi.tolist(), lo.tolist()
        c.step_rows(blk, f"block_hi_{k}", range(T), lambda t: d[t] - hl[t] * y <= 0)
        c.step_rows(blk, f"block_lo_{k}", range(T), lambda t: ll[t] * y - d[t] <= 0)
    sur = c.step_vars(blk, f"resale_{k}", 1)[0]
    rest = c.step_vars(blk, f"rest_{k}", 1, ub=rest_ub)[0]
    c.step_rows(blk, f"resale_le_block_{k}", range(T), lambda t: sur[t] - d[t] <= 0)
    if down is not None and down.any():  # no physical import in an outage: all resold
        c.step_rows(blk, f"block_outage_{k}", np.flatnonzero(down), lambda t: d[t] - sur[t] <= 0)
    if y is not None:
        c.cap_rows(blk, f"signed_rest_{k}", rest, [y], coef=M)
    if o.max_mw is not None:
        mx = float(o.max_mw)
        c.step_rows(blk, f"block_max_{k}", range(T), lambda t: d[t] - sur[t] + rest[t] <= mx)
    if o.take_or_pay_share > 0 and o.block_mwh > 0:
        need = o.take_or_pay_share * o.block_mwh
        coefs = (c.w * dt).tolist()
        terms = (list(coefs), list(d))
        if y is None:
            c.total_row(blk, f"take_or_pay_{k}", terms, None, need)
        else:
            c.total_row(blk, f"take_or_pay_{k}", ([*coefs, -need], [*d, y]), None, 0.0)
    c.add_step_cost("grid_energy", o.name, o.price * dt, d)
    assert o.rest_price is not None and o.resale_price is not None
    c.add_step_cost("grid_energy", o.name, o.rest_price * dt, rest)
    c.add_step_cost("grid_resale", o.name, -o.resale_price * dt, sur)
    return d, sur, rest


def _summary(
    c: CaseBuilder,
    lp: Any,
    acc: Any,
    summary: dict[str, Any],
    block_parts: dict[str, tuple[list[VarData], list[VarData], list[VarData]]],
) -> None:
    """``signed_offers`` (group → name), the block offers' volumes, and the warnings."""
    b = c.parent
    signed: dict[str, str] = {}
    for g, names in groups(b).items():
        ys = lp.values([signing_var(b, n) for n in names])
        signed[g] = names[int(np.argmax(ys))]
    summary["signed_offers"] = signed
    if block_parts:
        out: dict[str, dict[str, float]] = {}
        for o in c.problem.offers:
            if o.name not in block_parts:
                continue
            d, sur, rest = block_parts[o.name]
            tot = acc.total_mwh
            taken = o.group is None or signed.get(o.group) == o.name
            out[o.name] = {
                "block_mwh": o.block_mwh if taken else 0.0,
                "delivered_mwh": tot(lp.values(d)),
                "resold_mwh": tot(lp.values(sur)),
                "rest_mwh": tot(lp.values(rest)),
            }
        summary["block_offers"] = out
    from optimizer.scenario.plausibility import check

    warnings = check(c.problem)
    if warnings:
        summary.setdefault("warnings", []).extend(warnings)
