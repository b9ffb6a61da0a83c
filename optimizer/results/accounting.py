"""Carbon and energy accounting of a solved case: the one place the CFE score, the
location- and market-based emissions, certificate cover and the renewable share are computed
(CONTRACT 3.6, 3.7, 11).

Certificate cover (docs/compliance.md): hourly cover ``h[t] = min(I[t], V[t])`` first (virtual
PPAs and hourly certificates); monthly certificates then cover what is left of their month,
``M[m] = min(Σ zm[m], Σ_{t∈m} (I − h)·Δt)``, annual ones what is left of the horizon,
``A = min(Σ za, Σ_t (I − h − monthly)·Δt)``; a monthly or annual cover is spread over the
steps of its period in proportion to their uncovered imports. Market-based emissions count
uncovered imports at the residual mix (default: the location factor), covered ones at zero.

Results, screening and the footprint read these numbers; the CFE row of the LP
(:mod:`optimizer.model.policy`) is the same definition written as a constraint. The
covered imports are the contract's ``u[t] = min(I[t], Σ v[t])``, computed from the
dispatch whatever value the LP's own cover variable took (it is free to be lower where
the target does not bind). Step weights (screening) weight every horizon total.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from optimizer.model.builder import CaseBuilder
from optimizer.model.flows import Flow
from optimizer.model.ledger import VarValues


@dataclass(frozen=True)
class CaseAccounts:
    """Per-step quantities of one case (MW, or tCO2 per step for emissions)."""

    dt: float
    w: np.ndarray
    """Step weights (1 in a full run)."""
    flows: dict[Flow, np.ndarray]
    load: np.ndarray
    served: np.ndarray
    imports: np.ndarray
    certificates: np.ndarray
    covered: np.ndarray
    uncovered: np.ndarray
    fossil: np.ndarray
    dirty: np.ndarray
    emissions_location: np.ndarray
    emissions_market: np.ndarray
    month_id: np.ndarray | None = None
    renewable_supply: np.ndarray | None = None
    """rs[t]: on-site solar/wind + physical PPA delivery − curtailment − export, MW."""
    site: np.ndarray | None = None
    """Site consumption S[t]: served load + heat-pump draw, MW."""
    heat_pump: np.ndarray | None = None
    heat_delivered: np.ndarray | None = None
    heat_reused: np.ndarray | None = None
    """Recovered IT heat reused (heat delivered × (1 − 1/COP)), MW."""
    certificates_bought: dict[str, Any] | None = None
    """Offer → MW per step (hourly), MWh per month (monthly) or MWh (annual)."""
    covered_monthly_mwh: np.ndarray | None = None
    covered_annual_mwh: float = 0.0
    covered_market: np.ndarray | None = None
    """Imports covered by any certificate (hourly, and monthly/annual spread pro rata), MW."""
    residual_mix: np.ndarray | None = None
    covered_in_zone: np.ndarray | None = None
    """min(I, V_zone): imports covered hourly by certificates of the site's zone, MW."""
    emissions_other: np.ndarray | None = None
    """Generator and embodied tCO2 per step (both emission methods count them)."""

    def total_mwh(self, mw: np.ndarray) -> float:
        """Σ_t w[t]·x[t]·Δt."""
        return float((self.w * mw).sum() * self.dt)

    def total(self, x: np.ndarray) -> float:
        """Σ_t w[t]·x[t] (for per-step totals such as tCO2)."""
        return float((self.w * x).sum())

    @property
    def served_mwh(self) -> float:
        return self.total_mwh(self.served)

    @property
    def cfe_score(self) -> float | None:
        """CONTRACT 3.6: 1 − Σ dirty·Δt / Σ served·Δt (with heat reuse the heat pump's draw
        joins the served load: it is site consumption, docs/compliance.md)."""
        served = self.total_mwh(self.site) if self.site is not None else self.served_mwh
        return 1.0 - self.total_mwh(self.dirty) / served if served > 0 else None

    @property
    def cfe_hourly(self) -> np.ndarray:
        s = self.site if self.site is not None else self.served
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(s > 0, 1.0 - self.dirty / np.where(s > 0, s, 1), 1.0)


def account(c: CaseBuilder, values: VarValues) -> CaseAccounts:
    """Evaluate the case's ledgers at a solution."""
    p = c.problem
    dt = p.dt
    flows = {f: expr.evaluate(values) for f, expr in c.flows.items()}
    imports = c.imports.evaluate(values)
    certs = c.certificates.evaluate(values)
    fossil = c.fossil.evaluate(values)
    served = p.load_mw + c.served_delta.evaluate(values)
    covered = np.minimum(imports, certs) if not c.certificates.is_empty else np.zeros(p.periods)
    covered = np.clip(covered, 0.0, None)
    uncovered = imports - covered
    dirty = (1.0 - p.grid_cfe_share) * uncovered + fossil
    emis_loc = c.emissions.evaluate(values)
    other = emis_loc - p.grid_carbon_intensity * imports * dt  # generators, embodied
    residual = p.residual_mix if p.residual_mix is not None else p.grid_carbon_intensity
    month_id = np.asarray(p.time.month_id)
    n_months = len(p.time.month_labels)
    book = c.book
    bought: dict[str, Any] = {}
    zm_total = np.zeros(n_months)
    za_total = 0.0
    heat_pump = np.zeros(p.periods)
    heat = np.zeros(p.periods)
    lift = 1.0
    in_zone = covered
    if book is not None:
        for name, z in book.hourly.items():
            bought[name] = values(z)
        for name, zm in book.monthly.items():
            bought[name] = values(zm)
            zm_total += bought[name]
        for name, za in book.annual.items():
            bought[name] = float(values([za])[0])
            za_total += bought[name]
        if book.heat_pump is not None:
            heat_pump = book.heat_pump.evaluate(values)
        if book.heat is not None:
            heat = values(book.heat)
            lift = book.heat_lift
        if book.in_zone is not None:
            in_zone = np.clip(np.minimum(imports, book.in_zone.evaluate(values)), 0.0, None)
    m_cov, a_cov, market_cov = spread_cover(imports, covered, zm_total, za_total, month_id, c.w, dt)
    emis_mkt = residual * (imports - market_cov) * dt + other
    from optimizer.model.certificates import renewable_supply_expr

    rs = (
        book.renewable_supply.evaluate(values)
        if book is not None and book.renewable_supply is not None
        else renewable_supply_expr(c).evaluate(values)
    )
    return CaseAccounts(
        dt=dt,
        w=c.w,
        flows=flows,
        load=p.load_mw,
        served=served,
        imports=imports,
        certificates=certs,
        covered=covered,
        uncovered=uncovered,
        fossil=fossil,
        dirty=dirty,
        emissions_location=emis_loc,
        emissions_market=emis_mkt,
        month_id=month_id,
        renewable_supply=rs,
        site=served + heat_pump,
        heat_pump=heat_pump,
        heat_delivered=heat,
        heat_reused=heat * lift,
        certificates_bought=bought,
        covered_monthly_mwh=m_cov,
        covered_annual_mwh=a_cov,
        covered_market=market_cov,
        residual_mix=residual,
        covered_in_zone=in_zone,
        emissions_other=other,
    )


def spread_cover(
    imports: np.ndarray,
    hourly: np.ndarray,
    monthly_mwh: np.ndarray,
    annual_mwh: float,
    month_id: np.ndarray,
    w: np.ndarray,
    dt: float,
) -> tuple[np.ndarray, float, np.ndarray]:
    """Monthly, then annual certificates on the imports hourly cover left (module docstring).

    Returns the monthly cover per month (MWh), the annual cover (MWh) and the imports covered
    by any certificate in every step (MW)."""
    rem = np.clip(imports - hourly, 0.0, None)
    n = len(monthly_mwh)
    left = np.bincount(month_id, weights=w * rem * dt, minlength=n)
    m_cov = np.minimum(monthly_mwh, left)
    with np.errstate(divide="ignore", invalid="ignore"):
        f_m = np.where(left > 0, m_cov / np.where(left > 0, left, 1.0), 0.0)
    rem2 = rem * (1.0 - f_m[month_id])
    left2 = float((w * rem2).sum() * dt)
    a_cov = min(annual_mwh, left2)
    f_a = a_cov / left2 if left2 > 0 else 0.0
    return m_cov, a_cov, hourly + rem * f_m[month_id] + rem2 * f_a


def renewable_shares(
    acc: CaseAccounts,
    hourly_cover: np.ndarray,
    monthly_mwh: np.ndarray | None = None,
    annual_mwh: float = 0.0,
) -> dict[str, Any]:
    """CONTRACT 11 renewable shares of site consumption (each at most 1).

    ``hourly``: Σ_t min(S, max(rs, 0) + h)·Δt / Σ S·Δt; a month's share:
    (max(Σ rs, 0) + Σ h + M[m]) / Σ S over the month; ``annual`` the same over the horizon
    with the annual cover A too. ``hourly_cover`` is h, ``monthly_mwh`` M, ``annual_mwh`` A.
    """
    assert acc.site is not None and acc.renewable_supply is not None and acc.month_id is not None
    w, dt = acc.w, acc.dt
    site, rs, mid = acc.site, acc.renewable_supply, acc.month_id
    n = int(mid.max()) + 1 if len(mid) else 0
    m_cov = np.zeros(n) if monthly_mwh is None else np.asarray(monthly_mwh, float)
    site_m = np.bincount(mid, weights=w * site * dt, minlength=n)
    rs_m = np.bincount(mid, weights=w * rs * dt, minlength=n)
    h_m = np.bincount(mid, weights=w * hourly_cover * dt, minlength=n)
    with np.errstate(divide="ignore", invalid="ignore"):
        monthly = np.where(
            site_m > 0,
            np.minimum(
                1.0, (np.clip(rs_m, 0, None) + h_m + m_cov) / np.where(site_m > 0, site_m, 1)
            ),
            1.0,
        )
    total = float(site_m.sum())
    if total <= 0:
        return {"annual": None, "monthly_min": None, "hourly": None, "monthly": {}}
    annual = min(
        1.0,
        (max(float(rs_m.sum()), 0.0) + float(h_m.sum()) + float(m_cov.sum()) + annual_mwh) / total,
    )
    hourly = float((w * np.minimum(site, np.clip(rs, 0, None) + hourly_cover)).sum() * dt) / total
    return {
        "annual": annual,
        "monthly_min": float(monthly.min()),
        "hourly": hourly,
        "monthly": monthly,
    }
