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

A study (CONTRACT 9, 10; docs/decisions.md "compare over a study") is solved and re-solved
whole: ``value`` is then a change of the present value over a pathway or of the risk
objective of a scenario set (``objective_kind``, ``objective_text``, ``value_unit``). A
pathway's item also gets its MW standing and built by year (``chosen_mw``: the most MW
standing in any year), its energy by year (÷ H), and ``marginal_value_per_mw_by_year`` =
−(reduced cost) of its build column in each year (a PPA: of its one c, keyed by its start
year) in place of ``marginal_value_per_mw_year``; a scenario set's item the changes of
E[C] and CVaR_α (``expected_cost_value``, ``cvar_value``: without − with). Breakevens use
the strike's slope over every case (:func:`_ppa_slope`, :func:`_offer_growth`) and are
not computed for ω > 0 (a price then also enters the CVaR rows).
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
from optimizer.results.cases import distribution
from optimizer.scenario import Problem
from optimizer.scenario.cases import Study
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
    capacity_mw_by_year: dict[str, float] | None = None
    """Pathways: the MW standing in each modelled year (a PPA: its c in its term, else 0)."""
    built_mw_by_year: dict[str, float] | None = None
    """Pathways, technologies: the MW built in each modelled year."""
    energy_mwh_by_year: dict[str, float] | None = None
    """Pathways: each year's energy scaled to a whole year (÷ H), undiscounted."""
    marginal_value_per_mw_by_year: dict[str, float] | None = None
    """Pathways: −(reduced cost) in present value per MW: of one more MW built in that year
    (technologies), of one more MW contracted over the term (PPAs: its start year)."""
    expected_cost_value: float | None = None
    """Scenario sets: E[C] without the item − E[C] with it."""
    cvar_value: float | None = None
    """Scenario sets: CVaR_α without the item − CVaR_α with it (its worth as a hedge)."""

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        for k in _STUDY_FIELDS:
            if d.get(k) is None:
                d.pop(k)
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


_STUDY_FIELDS = (
    "capacity_mw_by_year",
    "built_mw_by_year",
    "energy_mwh_by_year",
    "marginal_value_per_mw_by_year",
    "expected_cost_value",
    "cvar_value",
)
"""Fields written only when set (a pathway or a scenario set)."""


@dataclass
class CompareResult:
    base: Result
    items: list[CompareItem] = field(default_factory=list)
    seconds: float = 0.0
    solves: int = 0
    objective_kind: str = "total_cost"
    """What ``value`` is a change of: "total_cost" (one case: the cost over the modelled
    horizon), "present_value" (a pathway of years) or "risk" (a scenario set: the risk
    objective (1−ω)·E[C] + ω·CVaR_α)."""
    objective_text: str = "total cost over the modelled horizon"
    value_unit: str = ""

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
            "objective_kind": self.objective_kind,
            "objective_text": self.objective_text,
            "value_unit": self.value_unit,
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
    base = solve(problem, options, basis=True)  # the re-solves start from its basis
    out = CompareResult(base, solves=1)
    if base.status != "optimal" or base.lp is None or base.built is None:
        out.seconds = time.perf_counter() - t0
        return out
    lp, b = base.lp, base.built.builder
    study = base.study if base.study is not None else Study.single(problem)
    kind = study.kind
    out.objective_kind, out.objective_text, out.value_unit = _objective_words(study, problem)
    settings = warm_settings(options, sum(c.problem.periods for c in study.cases))
    basis = lp.get_basis()
    base_obj = float(lp.objective)
    H = problem.time.horizon_fraction
    dt = problem.dt
    dispatch = base.dispatch
    ppas = {q.name: q for q in problem.ppas}
    tol_obj = 1e-7 * max(1.0, abs(base_obj))
    omega = study.risk.weight if kind == "scenarios" else 0.0
    costs = _CaseCosts(lp, b) if kind == "scenarios" else None
    base_risk = costs.risk(lp, study) if costs is not None else None

    offers = {o.name: o for o in problem.offers}
    group_of = {o.name: o.group for o in problem.offers if o.group is not None}
    signed_base = dict(base.summary.get("signed_offers", {}))

    # Everything read from the base solution comes first: re-solves overwrite it.
    rows: list[CompareItem] = []
    for it in b.items:
        chosen = _chosen_mw(lp, it, dispatch)
        energy = _energy_mwh(it, dispatch, dt, study)
        marginal = _marginal_per_mw_year(lp, it, H) if kind != "years" else None
        row = CompareItem(it.name, it.kind, it.section, chosen, energy, None, False, marginal)
        if kind == "years":
            _pathway_numbers(lp, b, it, row, dispatch, dt)
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
            if costs is not None and base_risk is not None:
                without = costs.risk(lp, study, drop=it.fixed_cost)
                row.expected_cost_value = without[0] - base_risk[0]
                row.cvar_value = without[1] - base_risk[1]
            g = group_of.get(it.name)
            if g is not None and row.signed:
                row.alternative = _signed_in(lp, b, g)
        elif status == "infeasible":
            row.required = True
            relaxed = (
                _relaxed(built=base.built, lp=lp, settings=settings, base_obj=base_obj)
                if b.single
                else _relaxed_study(b, lp, settings, base_obj)
            )
            if relaxed is not None:
                row.value_relaxed = relaxed[0] - it.fixed_cost
                row.relaxed_target = relaxed[1]
        else:
            log.warning("re-solve without %s ended %s", it.name, status)
        lp.set_col_bounds_each(it.columns, lo, hi)

    if breakeven and omega > 0:
        log.info(
            "breakevens are not computed for a risk weight ω > 0: a price also enters the "
            "CVaR rows, not only the objective"
        )
        for it, row in zip(b.items, rows, strict=True):
            if it.section in ("grid_offer", "ppa_offer"):
                row.breakeven_method = "not computed: with ω > 0 a price also enters the CVaR rows"
    elif breakeven:
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
            k = float(q.profile.sum() * dt) if b.single else _ppa_slope(b, q.name)
            price, direction, method, n = _ppa_breakeven(
                lp, it, q, row.chosen_mw, k, settings, basis, ranging.get(it.name)
            )
            out.solves += n
            row.breakeven_price_per_mwh = clean_number(price)
            row.breakeven_direction = direction
            row.breakeven_method = method

    lp.set_basis(basis)
    for row in rows:
        row.breakeven = breakeven_text(row)
        row.verdict = _verdict(row, signed_base, problem.scenario.currency)
        if kind != "single" and (row.value or 0.0) > 0.0:
            row.verdict += f" ({out.objective_kind.replace('_', ' ')})"
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
            if "cases" in t:
                which = ", ".join(t["cases"]) or "the study"
                return (
                    f"required: without it the carbon goals of {which} cannot be met; without "
                    f"those goals the objective changes by {_money(row.value_relaxed, cur)}"
                )
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
    if row.built_mw_by_year is not None:
        built = [f"{mw:,.1f} MW in {y}" for y, mw in row.built_mw_by_year.items() if mw > 1e-6]
        if built:
            return f"build {', '.join(built)}: worth {_money(v, cur)}"
        return "not built"
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
            g = _offer_growth(o, c.problem)
            slopes.append(np.asarray(terms[1], dtype=float) * c.weight * g)
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
    k: float,
    settings: HighsSettings,
    basis: Any,
    ranging: tuple[float, float] | None,
) -> tuple[float | None, Direction | None, str, int]:
    """(breakeven strike, direction, method, number of solves) of one PPA offer.

    The offer's cost coefficient on its capacity column is ``price·k + const`` with
    k = Σ_t profile[t]·Δt (MWh per MW contracted; the spot part of a virtual settlement is
    the constant; a study: :func:`_ppa_slope`), so a strike p' is the coefficient
    ``c0 + (p' − p)·k``.
    """
    assert it.capacity is not None
    cap = it.capacity
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


# -- studies (a pathway of years, a scenario set) ------------------------------------------
def _objective_words(study: Study, problem: Problem) -> tuple[str, str, str]:
    """(objective_kind, objective_text, value_unit) of compare.json."""
    cur = problem.scenario.currency
    if study.kind == "years":
        years = [c.year for c in study.cases]
        last = study.cases[-1]
        assert years[0] is not None and last.year is not None
        end = last.year + last.weight_years - 1
        fin = problem.scenario.finance
        r = fin.discount_rate if fin is not None else 0.0
        return (
            "present_value",
            f"present value of the costs of {years[0]}–{end} at a discount rate of {r:g} "
            "(the whole pathway solved without the item)",
            f"{cur} (present value {years[0]}–{end})".strip(),
        )
    if study.kind == "scenarios":
        a, w = study.risk.alpha, study.risk.weight
        return (
            "risk",
            f"(1−ω)·E[C] + ω·CVaR_α with ω = {w:g}, α = {a:g} over {len(study.cases)} "
            "scenarios (the whole scenario set solved without the item)",
            f"{cur} (risk objective over the modelled horizon)".strip(),
        )
    return (
        "total_cost",
        "total cost over the modelled horizon",
        f"{cur} (modelled horizon)".strip(),
    )


class _CaseCosts:
    """Each case's cost C_c = its section 3.8 objective, evaluated at the LP's solution."""

    def __init__(self, lp: HighsLp, b: Any) -> None:
        self.parts = []
        for c in b.cases:
            coefs, variables = c.cost.linear()
            self.parts.append(
                (np.asarray(coefs, dtype=float), lp.cols(variables), float(c.cost.constant))
            )
        self.probs = np.array([c.weight for c in b.cases], dtype=float)

    def costs(self, lp: HighsLp) -> np.ndarray:
        x = lp.values(lp.columns)
        return np.array(
            [
                float(coefs[cols >= 0] @ x[cols[cols >= 0]]) + const
                for coefs, cols, const in self.parts
            ]
        )

    def risk(self, lp: HighsLp, study: Study, drop: float = 0.0) -> tuple[float, float]:
        """(E[C], CVaR_α); ``drop``: an item's fixed fee (weighted over the cases), taken
        out of every case (it is paid whatever the dispatch)."""
        c = self.costs(lp) - drop / max(float(self.probs.sum()), 1e-300)
        d = distribution(c, self.probs, study.risk.alpha)
        return d["expected_cost"], d["cvar_cost"]


def _energy_mwh(it: Item, dispatch: Any, dt: float, study: Study | None = None) -> float | None:
    """Energy the item supplies (for a virtual PPA: its certificates): over the modelled
    horizon; a scenario set: its expectation Σ_s p_s·E_s; a pathway: over the horizon's
    calendar years, each year's energy ÷ H times the years it stands for (undiscounted)."""
    if dispatch is None:
        return None
    for pattern in _FLOW_COLUMNS:
        col = pattern.format(it.name)
        if col not in dispatch:
            continue
        if study is None or study.kind == "single":
            return float(dispatch[col].sum() * dt) + 0.0
        by = _by_case(dispatch, col, dt, study)
        if study.kind == "scenarios":
            return float(sum(c.weight * e for c, e in zip(study.cases, by, strict=True))) + 0.0
        return (
            float(
                sum(
                    c.weight_years * e / c.problem.time.horizon_fraction
                    for c, e in zip(study.cases, by, strict=True)
                )
            )
            + 0.0
        )
    return None


def _by_case(dispatch: Any, col: str, dt: float, study: Study) -> list[float]:
    """Σ_t column·Δt of each case, in case order (the dispatch rows are case after case)."""
    out: list[float] = []
    at = 0
    values = np.asarray(dispatch[col], dtype=float)
    for c in study.cases:
        n = c.problem.periods
        out.append(float(values[at : at + n].sum() * dt))
        at += n
    return out


def _pathway_numbers(
    lp: HighsLp, b: Any, it: Item, row: CompareItem, dispatch: Any, dt: float
) -> None:
    """A pathway's capacity, builds, energy and marginal values by year (module docstring)."""
    study = b.study
    years = [str(c.year) for c in study.cases]
    if dispatch is not None:
        for pattern in _FLOW_COLUMNS:
            col = pattern.format(it.name)
            if col in dispatch:
                by = _by_case(dispatch, col, dt, study)
                row.energy_mwh_by_year = {
                    y: e / c.problem.time.horizon_fraction + 0.0
                    for y, e, c in zip(years, by, study.cases, strict=True)
                }
                break
    fs = b.first_stage.get(it.name)
    if fs is None or it.section == "grid_offer":
        return
    if fs.per_case:  # a technology: a build and a standing capacity per year
        caps = lp.values(fs.per_case)
        builds = lp.values(fs.builds)
        rc = lp.reduced_costs(fs.builds)
        row.capacity_mw_by_year = {y: float(v) + 0.0 for y, v in zip(years, caps, strict=True)}
        row.built_mw_by_year = {y: float(v) + 0.0 for y, v in zip(years, builds, strict=True)}
        row.marginal_value_per_mw_by_year = {
            y: float(-r) + 0.0 for y, r in zip(years, rc, strict=True)
        }
    else:  # a PPA: one c over its term
        v = float(lp.values([fs.var])[0]) + 0.0
        q = next(q for q in b.problem.ppas if q.name == it.name)
        active = [c.active(q.start_year, q.term_years) for c in b.cases]
        row.capacity_mw_by_year = {
            y: (v if on else 0.0) for y, on in zip(years, active, strict=True)
        }
        first = next((y for y, on in zip(years, active, strict=True) if on), years[0])
        row.marginal_value_per_mw_by_year = {first: float(-lp.reduced_costs([fs.var])[0]) + 0.0}
    row.chosen_mw = max(row.capacity_mw_by_year.values(), default=0.0)


def _offer_growth(o: Any, problem: Problem) -> float:
    """How a case's energy price (an index offer's adder) moves with the base's: its ratio
    (price escalation, docs/pathway.md); 1 for the base case or an unchanged price."""
    mine = next((x for x in problem.offers if x.name == o.name), None)
    if mine is None:
        return 1.0
    if o.price_is_number:
        p0, p1 = o.price_per_mwh, mine.price_per_mwh
    else:
        p0, p1 = o.index_adder_per_mwh, mine.index_adder_per_mwh
    if p0 is None or p1 is None or p0 == 0:
        return 1.0
    return float(p1 / p0)


def _ppa_slope(b: Any, name: str) -> float:
    """d(objective coefficient of the PPA's c)/d(base strike) over a study (ω = 0):
    ``Σ_c w_c·g_c·paid_c`` over the cases in its term, g_c the case's strike ÷ the base's
    (escalation) and paid_c its paid MWh per MW contracted (``paid_energy_per_mw``)."""
    q0 = next(q for q in b.problem.ppas if q.name == name)
    k = 0.0
    for c in b.cases:
        q = next(x for x in c.problem.ppas if x.name == name)
        if not c.active(q.start_year, q.term_years):
            continue
        g = q.price_per_mwh / q0.price_per_mwh if q0.price_per_mwh != 0 else 1.0
        k += c.weight * g * q.paid_energy_per_mw
    return float(k)


def _relaxed_study(
    b: Any, lp: HighsLp, settings: HighsSettings, base_obj: float
) -> tuple[float, dict[str, Any]] | None:
    """A study without the item (its columns already at 0): with every carbon goal of every
    case relaxed, the objective minus the base's, and which cases' goals fail (each case's
    goals restored alone); None when the load itself cannot be served."""
    rows: list[tuple[str, Any]] = []
    for c in b.cases:
        for cr in (c.cfe, c.emissions_cap):
            if cr is not None and np.isfinite(lp.row_upper(cr.row)) and lp.row_upper(cr.row) < 1e19:
                rows.append((c.name, cr))
    for cr in (b.study_cfe, b.study_emissions):
        if cr is not None and lp.row_upper(cr.row) < 1e19:
            rows.append(("expectation", cr))
    if not rows:
        return None
    saved = [lp.row_upper(cr.row) for _, cr in rows]
    try:
        for _, cr in rows:
            lp.set_row_upper(cr.row, np.inf)
        if lp.solve(settings) != "optimal":
            return None
        relaxed_obj = float(lp.objective)
        failing: list[str] = []
        for (name, cr), up in zip(rows, saved, strict=True):
            lp.set_row_upper(cr.row, up)
            if lp.solve(settings) != "optimal" and name not in failing:
                failing.append(name)
            lp.set_row_upper(cr.row, np.inf)
        return relaxed_obj - base_obj, {
            "field": "carbon goals",
            "target": None,
            "cases": failing,
            "best_without": None,
        }
    finally:
        for (_, cr), up in zip(rows, saved, strict=True):
            lp.set_row_upper(cr.row, up)
