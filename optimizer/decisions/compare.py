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
- ``breakeven_price_per_mwh`` (grid offers whose energy price is one number, CONTRACT 13):
  the price at which the offer would be signed (``direction: up``: below it) or stop being
  signed (``down``: above it). With a group, signed means y = 1; without, it means the offer
  imports at all. Cost ranging does not see a change of the signed offer, so it is found by
  bisection on re-solves (each a full choice of the signed offers), and the two re-solves
  that bracket it (no change at ``breakeven_bracket[0]``, a change at ``[1]``) verify it.

Values and words (CONTRACT 6, 13): ``value = max(0, Δ)`` with Δ = objective without the item −
objective with it, so ≥ 0. Δ < 0 only for an offer without a group whose fixed fee is paid
whatever it imports (3.2): an unused one has value 0 and ``saving_if_dropped`` = its fee, a
used one whose savings do not cover its fee has value 0 and ``saving_if_dropped`` = −Δ. An
unsigned grouped offer pays nothing: its value and saving are 0. Leaving out a grouped offer
forces its y to 0; the value of the signed one is then the cost of the next best choice
(``alternative`` names the offer signed in its place). A ``required`` item (infeasible without
it) keeps ``value: null``; where a carbon goal is what fails, ``value_relaxed`` is the
objective without it at the best reachable goal minus the base objective and
``relaxed_target`` names that goal. ``verdict`` says it in words, ``rank`` orders the items
(required first, then by value).
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
    breakeven: str | None = None
    """The breakeven in words, e.g. "signed below 84.20" (terminal, CSV and JSON alike)."""
    breakeven_index_adder_per_mwh: float | None = None
    """Index offers: the adder at which the offer would be signed or stop being signed."""
    breakeven_of: str | None = None
    """Grid offers: "price" (energy_price_per_mwh) or "index_adder" (index_adder_per_mwh: the
    breakeven is then the adder, ``breakeven_index_adder_per_mwh``)."""
    breakeven_bracket: list[float] | None = None
    """Grid offers: [price of a re-solve without the change, price of one with it]."""
    group: str | None = None
    signed: bool | None = None
    """Grid offers: signed (with a group: y = 1; without: it imports)."""
    alternative: str | None = None
    """Grouped offers: the offer of the group signed when this one is left out."""
    fixed_fee: float | None = None
    """Grid offers: fixed_per_year·H (paid only if signed, with a group)."""
    saving_if_dropped: float = 0.0
    """What leaving the item out saves (max(0, −Δ)): an unused offer's fee."""
    value_relaxed: float | None = None
    relaxed_target: dict[str, Any] | None = None
    verdict: str = ""
    rank: int = 0

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        if self.section not in ("ppa_offer", "grid_offer"):
            for k in (
                "breakeven_price_per_mwh",
                "breakeven_direction",
                "breakeven_method",
                "breakeven",
                "breakeven_bracket",
            ):
                d.pop(k)
        if self.section != "grid_offer":
            for k in (
                "group",
                "signed",
                "alternative",
                "fixed_fee",
                "breakeven_of",
                "breakeven_index_adder_per_mwh",
            ):
                d.pop(k)
        if not self.required:
            for k in ("required", "value_relaxed", "relaxed_target"):
                d.pop(k)
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
            "signed_offers": self.base.summary.get("signed_offers", {}),
            "items": [i.to_dict() for i in self.ranked()],
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

    offers = {o.name: o for o in problem.offers}
    group_of = {o.name: o.group for o in problem.offers if o.group is not None}
    signed_base = dict(base.summary.get("signed_offers", {}))

    # Everything read from the base solution comes first: re-solves overwrite it.
    rows: list[CompareItem] = []
    for it in b.items:
        chosen = _chosen_mw(lp, it, dispatch)
        energy = _energy_mwh(it, dispatch, dt)
        marginal = _marginal_per_mw_year(lp, it, H)
        row = CompareItem(it.name, it.kind, it.section, chosen, energy, None, False, marginal)
        if it.section == "grid_offer":
            o = offers[it.name]
            row.group = o.group
            row.fixed_fee = o.fixed_cost * sum(c.weight for c in b.cases)
            row.signed = (
                signed_base.get(o.group) == o.name
                if o.group is not None
                else (energy or 0.0) > _ENERGY_TOL
            )
        rows.append(row)
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
            delta = obj_without - base_obj
            row.objective_without = obj_without
            delta = 0.0 if abs(delta) < tol_obj else delta
            row.value = max(0.0, delta)
            row.saving_if_dropped = max(0.0, -delta)
            g = group_of.get(it.name)
            if g is not None and row.signed:
                row.alternative = _signed_in(lp, b, g)
        elif status == "infeasible":
            row.required = True
            relaxed = _relaxed(built=base.built, lp=lp, settings=settings, base_obj=base_obj)
            if relaxed is not None:
                row.value_relaxed = relaxed[0] - it.fixed_cost
                row.relaxed_target = relaxed[1]
        else:
            log.warning("re-solve without %s ended %s", it.name, status)
        lp.set_col_bounds_each(it.columns, lo, hi)

    if breakeven:
        for it, row in zip(b.items, rows, strict=True):
            q = ppas.get(it.name)
            if it.section == "grid_offer":
                o = offers[it.name]
                p0 = o.price_per_mwh if o.price_is_number else o.index_adder_per_mwh
                if p0 is None:
                    continue
                row.breakeven_of = "price" if o.price_is_number else "index_adder"
                found = _grid_breakeven(lp, b, o, p0, bool(row.signed), settings, basis)
                out.solves += found[4]
                if o.price_is_number:
                    row.breakeven_price_per_mwh = clean_number(found[0])
                else:
                    row.breakeven_index_adder_per_mwh = clean_number(found[0])
                row.breakeven_direction = found[1]
                row.breakeven_method = found[2]
                row.breakeven_bracket = found[3]
                continue
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
    for row in rows:
        row.breakeven = breakeven_text(row)
        row.verdict = _verdict(row, signed_base, problem.scenario.currency)
    out.items = rows
    for rank, row in enumerate(out.ranked(), start=1):
        row.rank = rank
    out.seconds = time.perf_counter() - t0
    log.info("compared %d items with %d solves in %.2f s", len(rows), out.solves, out.seconds)
    return out


_ENERGY_TOL = 1e-6
"""MWh below which an offer without a group counts as not used (not signed)."""


def _signed_in(lp: HighsLp, b: Any, group: str) -> str | None:
    from optimizer.model.grid import groups, signing_var

    names = groups(b).get(group, [])
    if not names:
        return None
    ys = lp.values([signing_var(b, n) for n in names])
    return names[int(np.argmax(ys))]


def breakeven_text(row: CompareItem) -> str | None:
    """One notation for the terminal, compare.csv and compare.json: the price and what
    happens beyond it, e.g. "signed below 84.20", "not signed above 97.10",
    "more MW below 16.67", "fewer MW above 50.00"."""
    p = (
        row.breakeven_index_adder_per_mwh
        if row.breakeven_of == "index_adder"
        else row.breakeven_price_per_mwh
    )
    if p is None or row.breakeven_direction is None:
        return None
    if row.section == "grid_offer":
        what = ("signed", "not signed") if row.group is not None else ("used", "not used")
    else:
        what = ("more MW", "fewer MW")
    of = "spot + " if row.breakeven_of == "index_adder" else ""
    if row.breakeven_direction == "up":
        return f"{what[0]} below {of}{p:,.2f}"
    return f"{what[1]} above {of}{p:,.2f}"


def _money(x: float, cur: str) -> str:
    return f"{x:,.0f} {cur}".strip()


def _verdict(row: CompareItem, signed: dict[str, str], cur: str) -> str:
    """The row in a buyer's words (for the report and the CSV)."""
    be = ""
    if row.required:
        if row.relaxed_target is not None and row.value_relaxed is not None:
            t = row.relaxed_target
            return (
                f"required: without it {t['field']} {t['target']:g} cannot be met (best "
                f"{t['best_without']:.4f}); at that goal the objective changes by "
                f"{_money(row.value_relaxed, cur)}"
            )
        return "required: the load cannot be served without it"
    v = row.value or 0.0
    if row.section == "grid_offer":
        if row.group is not None:
            if row.signed:
                alt = f" against {row.alternative}" if row.alternative else ""
                return f"sign: saves {_money(v, cur)}{alt}{be}"
            return f"do not sign ({signed.get(row.group, '?')} is better){be}"
        if not row.signed:
            if row.saving_if_dropped > 0:
                fee = _money(row.saving_if_dropped, cur)
                return f"unused: dropping it saves its fixed fee {fee}{be}"
            return f"unused{be}"
        if row.saving_if_dropped > 0:
            return (
                f"drop: its fixed fee outweighs what it saves by "
                f"{_money(row.saving_if_dropped, cur)}{be}"
            )
        return f"use: worth {_money(v, cur)}{be}"
    if row.section == "ppa_offer":
        if row.chosen_mw > 1e-6:
            return f"sign {row.chosen_mw:,.1f} MW: worth {_money(v, cur)}{be}"
        return f"not taken{be}"
    if row.chosen_mw > 1e-6:
        return f"build {row.chosen_mw:,.1f} MW: worth {_money(v, cur)}"
    return "not built"


def _relaxed(
    built: Any, lp: HighsLp, settings: HighsSettings, base_obj: float
) -> tuple[float, dict[str, Any]] | None:
    """Without the item (its columns already at 0): the objective at the best reachable
    carbon goal, and that goal; None when the load itself cannot be served."""
    from optimizer.goals import minimise_terms

    c = built.builder.base
    carbon = built.builder.problem.carbon
    rows: dict[str, Any] = {}
    if c.cfe is not None and carbon.cfe_target is not None:
        rows["carbon.cfe_target"] = c.cfe
    if c.emissions_cap is not None and carbon.max_emissions_tco2 is not None:
        rows["carbon.max_emissions_tco2"] = c.emissions_cap
    if not rows:
        return None
    saved = {k: lp.row_upper(r.row) for k, r in rows.items()}
    try:
        for r in rows.values():
            lp.set_row_upper(r.row, np.inf)
        if lp.solve(settings) != "optimal":
            return None
        relaxed: dict[str, Any] = {}
        for field, r in rows.items():
            lp.set_row_upper(r.row, saved[field])
            if lp.solve(settings) == "optimal":
                continue
            lp.set_row_upper(r.row, np.inf)
            best = minimise_terms(lp, settings, r.terms)
            if best is None:
                return None
            lp.set_row_upper(r.row, best * (1 + 1e-9) + 1e-7)
            if field == "carbon.cfe_target":
                total = r.total_load_mwh
                best_goal = 1.0 - best / total if total > 0 else 1.0
                goal: float | None = carbon.cfe_target
            else:
                best_goal, goal = best, carbon.max_emissions_tco2
            relaxed = {"field": field, "target": goal, "best_without": best_goal}
        if lp.solve(settings) != "optimal" or not relaxed:
            return None
        return float(lp.objective) - base_obj, relaxed
    finally:
        for field, r in rows.items():
            lp.set_row_upper(r.row, saved[field])


def _grid_breakeven(
    lp: HighsLp,
    b: Any,
    o: Any,
    p0: float,
    signed: bool,
    settings: HighsSettings,
    basis: Any,
) -> tuple[float | None, Direction | None, str, list[float] | None, int]:
    """(breakeven price, direction, method, bracket, solves) of a grid offer whose energy
    price is one number: bisection on re-solves of "is it signed?" (see the module docstring).
    """
    from optimizer.model.grid import signing_var

    variables: list[Any] = []
    slopes: list[np.ndarray] = []
    for c in b.cases:
        terms = c.price_terms.get(o.name)
        if terms is not None:
            variables.extend(terms[0])
            slopes.append(np.asarray(terms[1], dtype=float) * c.weight)
    if not variables:
        return None, None, "no energy price terms", None, 0
    cols = lp.cols(variables)
    ok = cols >= 0
    k = np.concatenate(slopes)[ok]
    variables = [v for v, good in zip(variables, ok, strict=True) if good]
    c0 = lp.cost[cols[ok]].copy()
    y = signing_var(b, o.name)
    direction: Direction = "down" if signed else "up"
    sign = 1.0 if signed else -1.0
    solves = 0

    def is_signed() -> bool:
        if y is not None:
            return float(lp.values([y])[0]) > 0.5
        return float(lp.values(variables).sum()) > _ENERGY_TOL

    def changed_at(price: float) -> bool:
        nonlocal solves
        lp.set_costs(variables, c0 + (price - p0) * k)
        lp.set_basis(basis)
        status = lp.solve(settings)
        solves += 1
        if status != "optimal":
            return False
        return is_signed() != signed

    def tol_at(price: float) -> float:
        return max(BREAKEVEN_TOL_PER_MWH, 1e-4 * abs(price))

    try:
        inner = p0
        step = max(1.0, 0.1 * abs(p0))
        outer = inner + sign * step
        while not changed_at(outer):
            inner = outer
            step *= 4.0
            if step > 1e5:
                return None, direction, "bisection: no change within 1e5 per MWh", None, solves
            outer = inner + sign * step
        for _ in range(_MAX_BISECTIONS):
            if abs(outer - inner) <= tol_at(outer):
                break
            mid = 0.5 * (inner + outer)
            if changed_at(mid):
                outer = mid
            else:
                inner = mid
        return (
            0.5 * (inner + outer),
            direction,
            "bisection on re-solves (signed offers re-chosen), bracketed by both",
            [inner, outer],
            solves,
        )
    finally:
        lp.set_costs(variables, c0)


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
