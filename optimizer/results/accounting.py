"""Carbon and energy accounting of a solved case: the one place the CFE score and the
location- and market-based emissions are computed (CONTRACT 3.6, 3.7).

Results, screening and the footprint read these numbers; the CFE row of the LP
(:mod:`optimizer.model.policy`) is the same definition written as a constraint. The
covered imports are the contract's ``u[t] = min(I[t], Σ v[t])``, computed from the
dispatch whatever value the LP's own cover variable took (it is free to be lower where
the target does not bind). Step weights (screening) weight every horizon total.
"""

from __future__ import annotations

from dataclasses import dataclass

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
        """CONTRACT 3.6: 1 − Σ dirty·Δt / Σ served·Δt."""
        served = self.served_mwh
        return 1.0 - self.total_mwh(self.dirty) / served if served > 0 else None

    @property
    def cfe_hourly(self) -> np.ndarray:
        s = self.served
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
    emis_mkt = p.grid_carbon_intensity * uncovered * dt + other
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
    )
