"""Unbundled certificates (GOs, RECs, EACs) and their cover of grid imports (CONTRACT 11).

=====================  ==================================================================
symbol                 meaning
=====================  ==================================================================
I[t]                   Σ_o imp[o,t], MW
V[t]                   virtual-PPA certificates + hourly certificates bought, MW
zh[k,t] ≥ 0            hourly certificates of offer k, MW (≤ max_mw[k,t])
zm[k,m] ≥ 0            monthly certificates of offer k for local month m, MWh
za[k] ≥ 0              annual certificates of offer k for the horizon, MWh
u[t] ≥ 0               hourly-covered imports (virtual-PPA and hourly certificates), MW
w[t]                   step weights (1 outside screening)
=====================  ==================================================================

Equations::

    V[t] = Σ_k v[k,t] + Σ_k zh[k,t]                    (hourly ones join the CFE score)
    u[t] ≤ I[t],   u[t] ≤ V[t]                                          (per step)
    Σ_{t∈m} w·u·Δt + Σ_k zm[k,m] ≤ Σ_{t∈m} w·I·Δt        ∀m (written with monthly offers)
    Σ_t w·u·Δt + Σ_{k,m} zm[k,m] + Σ_k za[k] ≤ Σ_t w·I·Δt   (written with annual offers)
    Σ_t w·zh[k,t]·Δt ≤ max_mwh[k],  Σ_m zm[k,m] ≤ max_mwh[k],  za[k] ≤ max_mwh[k]
    cost += price[k]·(Σ_t w·zh[k,t]·Δt | Σ_m zm[k,m] | za[k])        (certificates)

u is written here only when a coverage row or a renewable-share row needs it (the policy's
CFE row then reuses it); a scenario without certificate offers and without renewable-share
requirements gets exactly the LP it had before. Monthly and annual certificates bought are
their cover (the rows above forbid buying more than the imports they can cover).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
from pyomo.core.base.constraint import ConstraintData
from pyomo.core.base.var import VarData

from optimizer.model.builder import CaseBuilder
from optimizer.model.flows import Flow, FlowKind
from optimizer.model.ledger import StepExpr


@dataclass
class ShareRows:
    """The rows of one renewable-share requirement (optimizer.rules.ShareRequirement)."""

    requirement: Any
    rows: list[ConstraintData]
    bound_per_share: np.ndarray
    """Each row's bound divided by the share: the period's Σ w·load·Δt (MWh; hourly rows:
    load[t], MW)."""
    total_mwh: float
    """Σ w·load·Δt over the horizon."""


@dataclass
class LimitRows:
    requirement: Any
    row: ConstraintData
    denominator_mwh: float


@dataclass
class CertificateBook:
    """One case's certificates, heat reuse and compliance rows, for results and diagnosis."""

    hourly: dict[str, list[VarData]] = field(default_factory=dict)
    monthly: dict[str, list[VarData]] = field(default_factory=dict)
    annual: dict[str, VarData] = field(default_factory=dict)
    offers: dict[str, Any] = field(default_factory=dict)
    vppa: StepExpr | None = None
    """Virtual-PPA certificates (before hourly offers joined ``c.certificates``)."""
    in_zone: StepExpr | None = None
    """V[t] restricted to the site's market boundary (virtual PPAs + in-zone hourly offers)."""
    zone_cover: list[VarData] | None = None
    renewable_supply: StepExpr | None = None
    heat: list[VarData] | None = None
    heat_pump: StepExpr | None = None
    heat_lift: float = 1.0
    """Recovered heat per MWh of heat delivered: 1 − 1/COP (1 without a heat pump)."""
    share_rows: list[ShareRows] = field(default_factory=list)
    limit_rows: list[LimitRows] = field(default_factory=list)
    failures: list[dict[str, Any]] = field(default_factory=list)
    """Enforced requirements that the data alone fail (a PUE above its limit, an ERF
    without heat reuse): the run is infeasible, with these values as the best reachable."""


def ensure_book(c: CaseBuilder) -> CertificateBook:
    if c.book is None:
        c.book = CertificateBook()
    return c.book


def renewable_supply_expr(c: CaseBuilder) -> StepExpr:
    """CONTRACT 11: on-site solar and wind + physical PPA delivery − curtailment − export.

    Curtailment and export are charged to renewable supply first (docs/compliance.md)."""
    rs = c.renewable.scaled(1.0)
    for kind in (FlowKind.CURTAILMENT, FlowKind.EXPORT):
        f = c.flows.get(Flow(kind, ""))
        if f is not None:
            rs.add_expr(f, -1.0)
    return rs


def _cover(c: CaseBuilder, name: str, certs: StepExpr) -> list[VarData]:
    blk = c.block(f"cover_{name}")
    u = c.step_vars(blk, "cert_cover", 1)[0]
    imports = c.imports
    c.step_rows(blk, "cover_imports", range(c.T), lambda t: u[t] - imports.pyomo(t) <= 0)
    c.step_rows(blk, "cover_certs", range(c.T), lambda t: u[t] - certs.pyomo(t) <= 0)
    return u


def operate(c: CaseBuilder) -> None:
    from optimizer.results.compliance import summary_hook

    c.summary_hooks.append(lambda lp, acc, summary: summary_hook(c, lp, acc, summary))
    p = c.problem
    offers = p.certificate_offers
    comp = p.compliance
    enforced = [r for r in comp.shares if r.enforce] if comp is not None else []
    if not offers and comp is None and p.heat_reuse is None:
        return
    book = ensure_book(c)
    book.vppa = c.certificates.scaled(1.0)
    book.renewable_supply = renewable_supply_expr(c)
    c.flow(FlowKind.RENEWABLE_SUPPLY, "", book.renewable_supply.scaled(1.0))
    dt, w = c.dt, c.w
    blk = c.block("certificates")
    month_id = p.time.month_id
    n_months = len(p.time.month_labels)
    in_zone = book.vppa.scaled(1.0)
    for k in offers:
        book.offers[k.name] = k
        if k.matching == "hourly":
            ub = k.max_mw if k.max_mw is not None else None
            z = c.step_vars(blk, f"hourly_{len(book.hourly)}", 1, ub=ub)[0]
            book.hourly[k.name] = z
            c.certificates.add(1.0, z)
            if k.in_zone:
                in_zone.add(1.0, z)
            c.flow(FlowKind.CERTIFICATES, k.name, c.step_expr().add(1.0, z), "hourly")
            c.add_step_cost("certificates", k.name, k.price_per_mwh * dt, z)
            if k.max_mwh is not None:
                c.total_row(blk, f"max_mwh_{k.name}", (list(w * dt), list(z)), k.max_mwh)
        elif k.matching == "monthly":
            zm = c.scalar_vars(
                blk, f"monthly_{len(book.monthly)}", [0.0] * n_months, [None] * n_months
            )
            book.monthly[k.name] = zm
            c.cost.add("certificates", k.name, k.price_per_mwh, zm)
            if k.max_mwh is not None:
                c.total_row(blk, f"max_mwh_{k.name}", ([1.0] * n_months, zm), k.max_mwh)
        else:
            za = c.scalar_vars(blk, f"annual_{len(book.annual)}", [0.0], [k.max_mwh])[0]
            book.annual[k.name] = za
            c.cost.add("certificates", k.name, k.price_per_mwh, [za])
    book.in_zone = in_zone

    need_cover = bool(book.monthly or book.annual or enforced)
    if need_cover and not c.certificates.is_empty:
        c.cert_cover = _cover(c, "all", c.certificates)
    if any(r.same_zone_only for r in enforced) and any(
        not k.in_zone for k in offers if k.matching == "hourly"
    ):
        book.zone_cover = _cover(c, "zone", in_zone) if not in_zone.is_empty else None
    elif c.cert_cover is not None:
        book.zone_cover = c.cert_cover

    u = c.cert_cover
    imports = c.imports
    monthly_all = [v for zm in book.monthly.values() for v in zm]
    if book.monthly:
        for m in range(n_months):
            mask = (month_id == m) * w * dt
            ic, iv = imports.total_pyomo(mask)
            coefs = [-x for x in ic]
            variables = list(iv)
            if u is not None:
                coefs.extend((mask[mask != 0]).tolist())
                variables.extend(u[int(t)] for t in np.flatnonzero(mask))
            for zm in book.monthly.values():
                coefs.append(1.0)
                variables.append(zm[m])
            c.total_row(blk, f"cover_month_{m}", (coefs, variables), 0.0)
    if book.annual:
        ic, iv = imports.total_pyomo(w * dt)
        coefs = [-x for x in ic]
        variables = list(iv)
        if u is not None:
            coefs.extend((w * dt).tolist())
            variables.extend(u)
        coefs.extend([1.0] * (len(monthly_all) + len(book.annual)))
        variables.extend(monthly_all + list(book.annual.values()))
        c.total_row(blk, "cover_horizon", (coefs, variables), 0.0)
