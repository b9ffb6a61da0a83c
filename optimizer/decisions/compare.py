"""Value every grid offer, PPA offer and technology of a scenario (CONTRACT section 6).

For each item, from one solved model kept in HiGHS:

- ``chosen_mw``: its capacity in the optimum (for a grid offer, its peak import);
- ``value`` = objective without the item − objective with it, from a warm re-solve with the
  item's columns fixed to 0 (and its fixed fee dropped from the objective); ``None`` with
  ``required: true`` where the scenario is infeasible without it;
- ``marginal_value_per_mw_year`` = −(reduced cost of its capacity column) / H: the reduced
  cost is per MW over the modelled horizon, H = T·Δt/8760 turns it into a year. Positive =
  one more MW of the offer would lower the cost (the item is worth more than it costs at
  the margin); negative = forcing one more MW in would raise the cost; 0 for a capacity
  chosen strictly between its bounds. For a grid offer it is the value of one more MW of
  its import bound in every step (−Σ of the reduced costs of imports at that bound).
- ``breakeven_price_per_mwh`` (PPA offers): the strike at which the chosen volume starts to
  change — up (a lower strike buys more) for an offer not taken to its maximum, down (a
  higher strike buys less) for one at its maximum. Found from HiGHS's cost ranging of the
  capacity column (the cost range over which the optimal basis stays optimal) and verified
  by one re-solve just past it; where that re-solve shows no change (a degenerate optimum),
  by bisection on re-solves (``breakeven_method`` says which).
"""

from __future__ import annotations

import logging
import math
import time
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

import numpy as np

from optimizer.decisions.common import clean_number, warm_settings
from optimizer.model import Item
from optimizer.model.highs import HighsLp, HighsSettings
from optimizer.scenario import Problem
from optimizer.scenario.resolve import PpaData
from optimizer.solve import Result, SolveOptions, solve

log = logging.getLogger(__name__)

Direction = Literal["up", "down"]

BREAKEVEN_TOL_PER_MWH = 0.01
"""Width of the price bracket a breakeven is known to (absolute part, per MWh)."""
_MAX_BISECTIONS = 40


@dataclass
class CompareItem:
    """One row of compare.json / compare.csv."""

    name: str
    kind: str
    section: str
    """grid_offer | ppa_offer | technology."""
    chosen_mw: float
    energy_mwh: float | None
    value: float | None
    required: bool
    marginal_value_per_mw_year: float | None
    breakeven_price_per_mwh: float | None = None
    breakeven_direction: Direction | None = None
    breakeven_method: str | None = None
    without_status: str = "optimal"
    """Status of the re-solve without the item."""
    objective_without: float | None = None

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        if self.section != "ppa_offer":
            for k in ("breakeven_price_per_mwh", "breakeven_direction", "breakeven_method"):
                d.pop(k)
        if not self.required:
            d.pop("required")
        return d


@dataclass
class CompareResult:
    base: Result
    items: list[CompareItem] = field(default_factory=list)
    seconds: float = 0.0
    solves: int = 0

    @property
    def status(self) -> str:
        return self.base.status

    def ranked(self) -> list[CompareItem]:
        """Required items first, then by value, highest first."""
        return sorted(
            self.items,
            key=lambda i: (not i.required, -(i.value if i.value is not None else -math.inf)),
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "base": self.base.summary,
            "items": [i.to_dict() for i in self.items],
            "seconds": self.seconds,
            "solves": self.solves,
        }


def compare(
    problem: Problem,
    options: SolveOptions | None = None,
    *,
    breakeven: bool = True,
) -> CompareResult:
    """Solve ``problem`` and value each of its items (see the module docstring)."""
    t0 = time.perf_counter()
    options = options or SolveOptions()
    base = solve(problem, options)
    out = CompareResult(base, solves=1)
    if base.status != "optimal" or base.lp is None or base.built is None:
        out.seconds = time.perf_counter() - t0
        return out
    lp, b = base.lp, base.built.builder
    settings = warm_settings(options, problem.periods)
    basis = lp.get_basis()
    base_obj = float(lp.objective)
    H = problem.time.horizon_fraction
    dt = problem.dt
    dispatch = base.dispatch
    ppas = {q.name: q for q in problem.ppas}
    tol_obj = 1e-7 * max(1.0, abs(base_obj))

    # Everything read from the base solution comes first: re-solves overwrite it.
    rows: list[CompareItem] = []
    for it in b.items:
        chosen = _chosen_mw(lp, it, dispatch)
        energy = _energy_mwh(it, dispatch, dt)
        marginal = _marginal_per_mw_year(lp, it, H)
        rows.append(
            CompareItem(it.name, it.kind, it.section, chosen, energy, None, False, marginal)
        )
    ranging: dict[str, tuple[float, float]] = {}
    caps = [it.capacity for it in b.items if it.section == "ppa_offer" and it.capacity is not None]
    rng = lp.cost_ranging(caps) if caps else None
    if rng is not None:
        names = [it.name for it in b.items if it.section == "ppa_offer" and it.capacity is not None]
        for name, lo, hi in zip(names, rng[0], rng[1], strict=True):
            ranging[name] = (float(lo), float(hi))

    for it, row in zip(b.items, rows, strict=True):
        lo, hi = lp.col_bounds(it.columns)
        lp.set_col_bounds(it.columns, 0.0, 0.0)
        lp.set_basis(basis)
        status = lp.solve(settings)
        out.solves += 1
        row.without_status = status
        if status == "optimal":
            obj_without = float(lp.objective) - it.fixed_cost
            value = obj_without - base_obj
            row.objective_without = obj_without
            row.value = 0.0 if abs(value) < tol_obj else value
        elif status == "infeasible":
            row.required = True
        else:
            log.warning("re-solve without %s ended %s", it.name, status)
        lp.set_col_bounds_each(it.columns, lo, hi)

    if breakeven:
        for it, row in zip(b.items, rows, strict=True):
            q = ppas.get(it.name)
            if it.section != "ppa_offer" or q is None or it.capacity is None:
                continue
            price, direction, method, n = _ppa_breakeven(
                lp, it, q, row.chosen_mw, dt, settings, basis, ranging.get(it.name)
            )
            out.solves += n
            row.breakeven_price_per_mwh = clean_number(price)
            row.breakeven_direction = direction
            row.breakeven_method = method

    lp.set_basis(basis)
    out.items = rows
    out.seconds = time.perf_counter() - t0
    log.info("compared %d items with %d solves in %.2f s", len(rows), out.solves, out.seconds)
    return out


def _chosen_mw(lp: HighsLp, it: Item, dispatch: Any) -> float:
    if it.capacity is not None:
        return float(lp.values([it.capacity])[0]) + 0.0
    col = f"grid_import_mw:{it.name}"
    if dispatch is not None and col in dispatch:
        return float(dispatch[col].max()) + 0.0
    return 0.0


_FLOW_COLUMNS = (
    "grid_import_mw:{}",
    "ppa_delivery_mw:{}",
    "vppa_certificates_mw:{}",
    "output_mw:{}",
    "discharge_mw:{}",
)


def _energy_mwh(it: Item, dispatch: Any, dt: float) -> float | None:
    """Energy the item supplies (for a virtual PPA: its certificates) over the horizon."""
    if dispatch is None:
        return None
    for pattern in _FLOW_COLUMNS:
        col = pattern.format(it.name)
        if col in dispatch:
            return float(dispatch[col].sum() * dt) + 0.0
    return None


def _marginal_per_mw_year(lp: HighsLp, it: Item, H: float) -> float | None:
    """−reduced cost / H (see the module docstring for the sign and the grid-offer case)."""
    if H <= 0:
        return None
    if it.capacity is not None:
        return float(-lp.reduced_costs([it.capacity])[0] / H) + 0.0
    # A grid offer: the import columns sitting at a finite upper bound.
    _, hi = lp.col_bounds(it.columns)
    x = lp.values(it.columns)
    rc = lp.reduced_costs(it.columns)
    cols = lp.cols(it.columns)
    finite = (cols >= 0) & np.isfinite(hi)
    hi_f = np.where(finite, hi, 0.0)
    at_ub = finite & (x >= hi_f - 1e-7 * np.maximum(1.0, np.abs(hi_f)))
    return float(-np.minimum(rc[at_ub], 0.0).sum() / H) + 0.0


def _ppa_breakeven(
    lp: HighsLp,
    it: Item,
    q: PpaData,
    chosen: float,
    dt: float,
    settings: HighsSettings,
    basis: Any,
    ranging: tuple[float, float] | None,
) -> tuple[float | None, Direction | None, str, int]:
    """(breakeven strike, direction, method, number of solves) of one PPA offer.

    The offer's cost coefficient on its capacity column is ``price·k + const`` with
    k = Σ_t profile[t]·Δt (MWh per MW contracted; the spot part of a virtual settlement is
    the constant), so a strike p' is the coefficient ``c0 + (p' − p)·k``.
    """
    assert it.capacity is not None
    cap = it.capacity
    k = float(q.profile.sum() * dt)
    hi_mw = q.max_mw
    tol_mw = 1e-6 * max(1.0, abs(hi_mw) if hi_mw is not None else abs(chosen))
    if k <= 0:
        return None, None, "no energy: the strike does not change the cost", 0
    if hi_mw is not None and hi_mw - q.min_mw <= tol_mw:
        return None, None, "fixed volume (min_mw = max_mw)", 0
    direction: Direction = "down" if hi_mw is not None and chosen >= hi_mw - tol_mw else "up"
    col = int(lp.cols([cap])[0])
    c0 = float(lp.cost[col])
    p0 = q.price_per_mwh
    sign = -1.0 if direction == "up" else 1.0  # the way the price moves
    solves = 0

    def changed_at(price: float) -> bool:
        nonlocal solves
        lp.set_costs([cap], np.array([c0 + (price - p0) * k]))
        lp.set_basis(basis)
        status = lp.solve(settings)
        solves += 1
        if status != "optimal":
            return False
        v = float(lp.values([cap])[0])
        return v > chosen + tol_mw if direction == "up" else v < chosen - tol_mw

    def tol_at(price: float) -> float:
        return max(BREAKEVEN_TOL_PER_MWH, 1e-4 * abs(price))

    try:
        candidate: float | None = None
        if ranging is not None:
            edge = ranging[0] if direction == "up" else ranging[1]
            if math.isinf(edge):
                return None, direction, "cost ranging: the volume never changes that way", 0
            if math.isfinite(edge):
                candidate = p0 + (edge - c0) / k
        if candidate is not None:
            past = candidate + sign * tol_at(candidate)
            if changed_at(past):
                return candidate, direction, "cost ranging, verified by a re-solve", solves
            inner = past  # the basis ranging was degenerate: the volume holds further out
        else:
            inner = p0
        # Bracket: find a price where the volume changes, doubling the step outwards.
        step = max(1.0, 0.1 * abs(inner))
        outer = inner + sign * step
        while not changed_at(outer):
            inner = outer
            step *= 4.0
            if step > 1e7:
                return None, direction, "bisection: no change within 1e7 per MWh", solves
            outer = inner + sign * step
        for _ in range(_MAX_BISECTIONS):
            if abs(outer - inner) <= tol_at(outer):
                break
            mid = 0.5 * (inner + outer)
            if changed_at(mid):
                outer = mid
            else:
                inner = mid
        return 0.5 * (inner + outer), direction, "bisection on re-solves", solves
    finally:
        lp.set_costs([cap], np.array([c0]))
