"""Renewable-share requirements and KPI limits as rows (CONTRACT 11, docs/compliance.md).

=====================  ==================================================================
symbol                 meaning
=====================  ==================================================================
rs[t]                  renewable supply: on-site solar/wind + physical PPA delivery
                       − curtailment − export, MW
u[t]                   hourly-covered imports (certificates.py); under ghg_scope2_hourly
                       only certificates of the site's zone (u_zone)
zm[k,m], za[k]         monthly and annual certificates bought, MWh
S[t]                   site consumption: load + flexible shift/shed + heat-pump draw, MW
x                      required share
=====================  ==================================================================

Equations (w = step weights, P a matching period)::

    hourly:   rs[t] + u[t] ≥ x·S[t]                                                ∀t
    monthly:  Σ_{t∈m} w·(rs + u)·Δt + Σ_k zm[k,m] ≥ x·Σ_{t∈m} w·S·Δt                 ∀m
    annual:   Σ_t w·(rs + u)·Δt + Σ_{k,m} zm[k,m] + Σ_k za[k] ≥ x·Σ_t w·S·Δt
    ERF:      Σ_t w·q[t]·Δt ≥ erf_min·Σ_t w·served[t]·Δt      (q: recovered heat reused)
    PUE:      Σ_t w·served[t]·Δt ≤ pue_max·Σ_t w·IT[t]·Δt     (a check when served = load)

``S`` keeps its variable part (flexibility, shed, heat pump) on the left, so the share sits
in the bound only when the load is fixed. Requirements a rule lists with ``enforce: false``
write no row and are reported only.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from pyomo.core.base.constraint import ConstraintData

from optimizer.model.builder import CaseBuilder
from optimizer.model.certificates import LimitRows, ShareRows, ensure_book
from optimizer.model.ledger import StepExpr


def site_variable_part(c: CaseBuilder) -> StepExpr:
    """S[t] − load[t]: flexible shift and shed, plus the heat pump's draw."""
    s = c.served_delta.scaled(1.0)
    if c.book is not None and c.book.heat_pump is not None:
        s.add_expr(c.book.heat_pump)
    return s


def _hourly_rows(
    c: CaseBuilder, blk: Any, name: str, e: StepExpr, lows: list[float]
) -> list[ConstraintData]:
    def make(t: int) -> object:
        return (lows[t], e.pyomo(t), None)

    return c.step_rows(blk, name, range(c.T), make)


def operate(c: CaseBuilder) -> None:
    p = c.problem
    comp = p.compliance
    if comp is None:
        return
    book = ensure_book(c)
    assert book.renewable_supply is not None
    T, dt, w = c.T, c.dt, c.w
    load = np.asarray(p.load_mw, dtype=float)
    month_id = p.time.month_id
    n_months = len(p.time.month_labels)
    var_site = site_variable_part(c)
    blk = c.block("compliance")
    for i, req in enumerate(comp.shares):
        if not req.enforce:
            continue
        x = float(req.share)
        cover = book.zone_cover if req.same_zone_only else c.cert_cover
        e = book.renewable_supply.scaled(1.0)
        if cover is not None:
            e.add(1.0, cover)
        e.add_expr(var_site, -x)
        name = f"share_{i}_{req.key}"
        if req.matching == "hourly":
            hrows = _hourly_rows(c, blk, name, e, (x * load - e.const).tolist())
            book.share_rows.append(ShareRows(req, hrows, load.copy(), float((w * load).sum() * dt)))
            continue
        if req.matching == "monthly":
            periods = [(month_id == m) for m in range(n_months)]
        else:
            periods = [np.ones(T, dtype=bool)]
        rows: list[ConstraintData] = []
        period_load: list[float] = []
        for j, mask in enumerate(periods):
            weight = mask * w * dt
            coefs, variables = e.total_pyomo(weight)
            coefs, variables = list(coefs), list(variables)
            if req.matching == "monthly":
                for zm in book.monthly.values():
                    coefs.append(1.0)
                    variables.append(zm[j])
            else:
                for zm in book.monthly.values():
                    coefs.extend([1.0] * len(zm))
                    variables.extend(zm)
                coefs.extend([1.0] * len(book.annual))
                variables.extend(book.annual.values())
            lo_mwh = float((weight * load).sum())
            bound = x * lo_mwh - float((weight * e.const).sum())
            rows.append(c.total_row(blk, f"{name}_{j}", (coefs, variables), None, bound))
            period_load.append(lo_mwh)
        book.share_rows.append(
            ShareRows(req, rows, np.asarray(period_load), float(sum(period_load)))
        )

    served_total = float((w * load).sum() * dt)
    for lim in comp.limits:
        if not lim.enforce:
            continue
        if lim.kpi == "erf":
            if book.heat is None:
                book.failures.append(
                    {
                        "key": lim.key,
                        "kpi": "erf",
                        "required": lim.limit,
                        "best": 0.0,
                        "message": f"{lim.key}: ERF ≥ {lim.limit:g} ({lim.source}) cannot be "
                        "met: the scenario has no heat_reuse section (best reachable ERF 0)",
                    }
                )
                continue
            coefs, variables = c.served_delta.total_pyomo(w * dt * -lim.limit)
            hc = (w * dt * book.heat_lift).tolist()
            row = c.total_row(
                blk,
                f"erf_{lim.key}",
                (list(coefs) + hc, list(variables) + list(book.heat)),
                None,
                lim.limit * served_total,
            )
            book.limit_rows.append(LimitRows(lim, row, served_total))
        else:  # pue
            it = p.it_load_mw
            assert it is not None
            it_total = float((w * it).sum() * dt)
            if c.served_delta.is_empty:
                pue = served_total / it_total if it_total > 0 else float("inf")
                if pue > lim.limit + 1e-9:
                    book.failures.append(
                        {
                            "key": lim.key,
                            "kpi": "pue",
                            "required": lim.limit,
                            "best": pue,
                            "message": f"{lim.key}: PUE ≤ {lim.limit:g} ({lim.source}) cannot "
                            f"be met: the site's PUE is {pue:.4f} (load.mw / load.it_mw, data, "
                            f"over by {pue - lim.limit:.4f})",
                        }
                    )
                continue
            coefs, variables = c.served_delta.total_pyomo(w * dt)
            row = c.total_row(
                blk,
                f"pue_{lim.key}",
                (list(coefs), list(variables)),
                lim.limit * it_total - served_total,
            )
            book.limit_rows.append(LimitRows(lim, row, it_total))
