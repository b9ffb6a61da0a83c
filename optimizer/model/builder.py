"""Assemble the LP from its units over an outer index of cases (docs/formulation.md).

The LP has two parts (docs/formulation.md, "Cases"):

- **first stage**, written once: each technology's capacity ``P`` (a battery's energy ``E``)
  and each PPA's contracted ``c`` — the decisions that do not depend on the case;
- **operation**, written once per :class:`Case` (a scenario of ``uncertainty:``, a year of
  ``horizon:``, or the one case of a plain run) from that case's own data: dispatch,
  imports, peaks, certificates, flexibility, and the case's ledgers — the power balance,
  clean and dirty supply, emissions and one cost expression ``C_c``.

The objective is ``Σ_c weight_c·C_c`` (plus the CVaR terms of a risk-averse study). With one
case of weight 1 the LP is exactly the single-year model. Units (:mod:`optimizer.units` for
technologies; grid offers, PPAs, the site and the policy here) never loop over cases: the
builder calls ``declare(b, items)`` once and ``operate(c, items)`` for every case.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pyomo.core as pyo
from pyomo.core.base.constraint import ConstraintData
from pyomo.core.base.var import VarData
from pyomo.core.expr.numeric_expr import LinearExpression, MonomialTermExpression

from optimizer.gcpause import gc_paused
from optimizer.model.flows import Flow, FlowIndex, FlowKind
from optimizer.model.ledger import CostLedger, LinearTerms, StepExpr
from optimizer.model.storage_periods import StoragePeriods

if TYPE_CHECKING:
    from optimizer.model.certificates import CertificateBook
    from optimizer.scenario.cases import Study
    from optimizer.scenario.resolve import Problem

log = logging.getLogger(__name__)

FREE = 1e20
"""A row bound HiGHS treats as infinite (its ``infinite_bound``)."""


@dataclass(frozen=True)
class BuildOptions:
    """Choices about the LP that do not change its optimum."""

    cfe_row: bool = False
    """Write the CFE row even without a target (its bound is then relaxed), so that a
    frontier can move the target by changing one row bound."""
    emissions_row: bool = False
    """Likewise for the emissions cap."""
    storage_periods: StoragePeriods | None = None
    """Screening only: the horizon is typical periods and storage is linked across the
    real periods they stand for (or cyclic per period); None: storage cyclic over the
    horizon (the full model). See ``storage_periods.py``."""


@dataclass
class Item:
    """A decision the buyer can take or leave: a grid offer, a PPA offer or a technology."""

    name: str
    section: str
    """"grid_offer" | "ppa_offer" | "technology"."""
    kind: str
    capacity: VarData | None
    """The chosen-MW decision (None for a grid offer: its imports are the decision)."""
    columns: list[VarData]
    """Every variable that must be zero when the item is left out (all cases)."""
    fixed_cost: float = 0.0
    """Cost paid whatever the dispatch (a grid offer's fixed fee, weighted over the cases),
    dropped with the item."""


@dataclass
class CarbonRow:
    """A carbon goal's row and the linear total it bounds (for goals, frontier, screening)."""

    row: ConstraintData
    terms: LinearTerms
    """The row's left-hand side as (coefficients, variables)."""
    total_load_mwh: float = 0.0
    """CFE rows: the load energy the dirty energy is measured against."""
    shed: LinearTerms | None = None
    """CFE rows: Σ w·(shed + lost load)·Δt as (coefficients, variables); the row holds each
    at ``(1 − x)·coefficient`` (x the target), so that a frontier moving x updates them."""


@dataclass
class FirstStage:
    """A first-stage capacity: one variable shared by every case, or (a pathway of years)
    one capacity per year made of the builds that stand in it."""

    name: str
    var: VarData
    """The capacity (of the first year, in a pathway)."""
    unit: str
    """"MW" | "MWh"."""
    per_case: list[VarData] = field(default_factory=list)
    """Pathway: the capacity standing in each year (case order); empty otherwise."""
    builds: list[VarData] = field(default_factory=list)
    """Pathway: the capacity built in each year (case order)."""
    lifetime: float = float("inf")
    """Pathway: years a build stands."""

    def in_case(self, index: int) -> VarData:
        return self.per_case[index] if self.per_case else self.var


class CaseBuilder:
    """One case's operational block: its data, its ledgers and its rows.

    Units add to the ledgers; the balance, the carbon rows and the case's cost are written
    by the builder and the policy once every unit has contributed.
    """

    def __init__(
        self,
        parent: ModelBuilder,
        index: int,
        name: str,
        problem: Problem,
        weight: float,
        year: int | None = None,
    ) -> None:
        self.parent = parent
        self.index = index
        self.year = year
        """The modelled year (a pathway); None otherwise."""
        self.name = name
        self.problem = problem
        self.weight = weight
        """How often this case counts in the objective (probability, discounted years)."""
        T = problem.periods
        self.w: np.ndarray = (
            np.ones(T) if problem.step_weight is None else np.asarray(problem.step_weight, float)
        )
        """Step weights: how many real steps each modelled step stands for (screening)."""
        self.balance = StepExpr(T)
        """Σ supply − Σ uses in MW; the balance row is ``balance[t] == load[t]``."""
        self.physical_supply = StepExpr(T)
        """Physical PPA delivery + on-site output + battery discharge (the export limit)."""
        self.imports = StepExpr(T)
        """I[t] = Σ_o imp[o,t]."""
        self.certificates = StepExpr(T)
        """Σ v[t]: certificates that may cover imports of the same step for the CFE score."""
        self.fossil = StepExpr(T)
        """F[t]: on-site fossil output."""
        self.emissions = StepExpr(T)
        """Location-based tCO2 in every step."""
        self.served_delta = StepExpr(T)
        """served_load[t] − load[t] (flexible load moved in minus out)."""
        self.renewable = StepExpr(T)
        """Renewable supply delivered to the site: on-site solar and wind output and physical
        PPA delivery of renewable plants, MW (before curtailment and export)."""
        self.summary_hooks: list[SummaryHook] = []
        """Functions a unit registers to add its own keys to the case's summary."""
        self.cost = CostLedger()
        """C_c: the case's cost (its section 3.8 objective, for its horizon)."""
        self.flows: dict[Flow, StepExpr] = {}
        self.balance_rows: list[ConstraintData] = []
        self.cfe: CarbonRow | None = None
        self.emissions_cap: CarbonRow | None = None
        self.cert_cover: list[VarData] | None = None
        """u[t]: certificate-covered imports (a variable only when a CFE row is written)."""
        self.peaks: dict[str, list[VarData]] = {}
        """Billed monthly peak of each grid offer with a demand charge."""
        self.book: CertificateBook | None = None
        """CONTRACT 11: certificates bought, their cover, heat reuse and the compliance rows
        (:mod:`optimizer.model.certificates`); None when the scenario has none of them."""
        self.price_terms: dict[str, tuple[list[VarData], np.ndarray]] = {}
        """Grid offers with a numeric energy price: the variables its price multiplies and
        d(C_c)/d(price) of each (compare's breakeven moves these cost coefficients)."""
        self.m = parent.m if parent.single else parent.case_block(index)

    # -- data ------------------------------------------------------------------------------
    @property
    def T(self) -> int:
        return self.problem.periods

    @property
    def dt(self) -> float:
        return self.problem.dt

    @property
    def options(self) -> BuildOptions:
        return self.parent.options

    def step_expr(self) -> StepExpr:
        return StepExpr(self.T)

    # -- first stage -----------------------------------------------------------------------
    def capacity(self, name: str) -> VarData:
        """The first-stage MW decision of ``name`` as this case sees it (in a pathway: the
        capacity standing in this year)."""
        return self.parent.first_stage[name].in_case(self.index)

    def energy(self, name: str) -> VarData:
        """The first-stage MWh decision of storage ``name``."""
        return self.parent.first_stage[f"{name}#energy"].in_case(self.index)

    def vintages(self, name: str, unit: str = "MW") -> list[tuple[VarData, float]]:
        """The builds of ``name`` standing in this case with their age in years (a pathway),
        else the one capacity at age 0: for ageing (degradation, capacity fade)."""
        key = name if unit == "MW" else f"{name}#energy"
        fs = self.parent.first_stage[key]
        if not fs.builds or self.year is None:
            return [(fs.in_case(self.index), 0.0)]
        years = [c.year for c in self.parent.study.cases]
        out = []
        for b, y in zip(fs.builds, years, strict=True):
            if y is not None and y <= self.year < y + fs.lifetime:
                out.append((b, float(self.year - y)))
        return out

    def active(self, start_year: int | None, term_years: int | None) -> bool:
        """Whether a contract from ``start_year`` for ``term_years`` runs in this case
        (always outside a pathway of years)."""
        if self.year is None:
            return True
        first = start_year if start_year is not None else self.parent.study.cases[0].year
        assert first is not None
        if self.year < first:
            return False
        return term_years is None or self.year < first + term_years

    # -- declaring -------------------------------------------------------------------------
    def flow(self, kind: FlowKind, asset: str, expr: StepExpr, asset_kind: str = "") -> None:
        """Declare a dispatch column (its name is derived in :mod:`flows`)."""
        f = Flow(kind, asset, asset_kind)
        if f in self.flows:
            raise ValueError(f"flow {f.column} declared twice")
        self.flows[f] = expr

    def item_columns(self, name: str, columns: Sequence[VarData]) -> None:
        """Variables of this case that are zero when item ``name`` is left out."""
        self.parent.item(name).columns.extend(columns)

    def item_fixed_cost(self, name: str, value: float) -> None:
        self.parent.item(name).fixed_cost += self.weight * value

    def add_step_cost(
        self, category: str, item: str, coef: float | np.ndarray, var: Sequence[VarData]
    ) -> None:
        """``Σ_t w[t]·coef[t]·var[t]``: a cost paid per modelled step (money)."""
        c = np.broadcast_to(np.asarray(coef, dtype=float), (self.T,)) * self.w
        self.cost.add(category, item, c, var)

    # -- rows (delegated to the parent, which owns the Pyomo model) ------------------------
    def block(self, name: str) -> pyo.Block:
        return self.parent.block(name, self.m)

    def step_vars(
        self, blk: pyo.Block, name: str, count: int, ub: np.ndarray | float | None = None
    ) -> list[list[VarData]]:
        return self.parent.step_vars(blk, name, count, self.T, ub)

    def scalar_vars(
        self, blk: pyo.Block, name: str, lows: Sequence[float], highs: Sequence[float | None]
    ) -> list[VarData]:
        return self.parent.scalar_vars(blk, name, lows, highs)

    def step_rows(
        self,
        blk: pyo.Block,
        name: str,
        steps: Sequence[int] | np.ndarray,
        make: Callable[[int], object],
    ) -> list[ConstraintData]:
        return self.parent.step_rows(blk, name, steps, make)

    def cap_rows(
        self,
        blk: pyo.Block,
        name: str,
        x: Sequence[VarData],
        caps: Sequence[VarData],
        which: np.ndarray | None = None,
        coef: float = 1.0,
    ) -> list[ConstraintData]:
        """``x[t] ≤ coef·caps[which[t]]`` in every step (``which`` defaults to all zeros)."""
        return self.parent.cap_rows(blk, name, x, caps, self.T, which, coef)

    def row(self, blk: pyo.Block, name: str, expr: object) -> ConstraintData:
        return self.parent.row(blk, name, expr)

    def total_row(
        self,
        blk: pyo.Block,
        name: str,
        terms: LinearTerms,
        upper: float | None,
        lower: float | None = None,
    ) -> ConstraintData:
        """``lower ≤ Σ coef·var ≤ upper`` (None: no bound on that side)."""
        return self.parent.total_row(blk, name, terms, upper, lower)


@dataclass
class ModelBuilder:
    """The model under construction: the Pyomo model, the first stage and the cases."""

    study: Study
    options: BuildOptions
    m: pyo.ConcreteModel
    first_stage: dict[str, FirstStage] = field(default_factory=dict)
    items: list[Item] = field(default_factory=list)
    cases: list[CaseBuilder] = field(default_factory=list)
    step_components: list[pyo.Var] = field(default_factory=list)
    """Every per-step variable component made by :meth:`step_vars` (index ``(k, t)``)."""
    material_caps: dict[str, ConstraintData] = field(default_factory=dict)
    """Material → its cap row (:mod:`optimizer.model.materials`)."""
    study_cfe: CarbonRow | None = None
    """``targets_apply: expectation``: the CFE row over all scenarios."""
    study_emissions: CarbonRow | None = None
    risk_rows: dict[str, VarData] = field(default_factory=dict)
    """CVaR variables of a risk-averse study: ``var`` (θ′ = θ − K, the value at risk less
    the cost every scenario shares; docs/formulation.md (K2′)) and ``excess:<case>`` (a_s)."""

    @property
    def single(self) -> bool:
        return len(self.study.cases) == 1

    @property
    def problem(self) -> Problem:
        """The first (base) case's data: names, bounds and the first-stage decisions."""
        return self.study.cases[0].problem

    @property
    def base(self) -> CaseBuilder:
        return self.cases[0]

    # -- read-only views of the base case, for single-case callers -------------------------
    @property
    def capacities(self) -> dict[str, VarData]:
        return {k: v.var for k, v in self.first_stage.items() if v.unit == "MW"}

    @property
    def storage(self) -> dict[str, VarData]:
        return {
            k.removesuffix("#energy"): v.var for k, v in self.first_stage.items() if v.unit == "MWh"
        }

    @property
    def flow_index(self) -> FlowIndex:
        """The declared flows of every case (union, in declaration order)."""
        out = FlowIndex()
        seen: set[str] = set()
        for c in self.cases:
            for f in c.flows:
                if f.column not in seen:
                    seen.add(f.column)
                    out.add(f)
        return out

    def item(self, name: str) -> Item:
        for it in self.items:
            if it.name == name:
                return it
        raise KeyError(name)

    # -- first stage -----------------------------------------------------------------------
    def declare_capacities(
        self,
        blk: pyo.Block,
        name: str,
        names: Sequence[str],
        lows: Sequence[float],
        highs: Sequence[float | None],
        unit: str = "MW",
        lifetimes: Sequence[float] | None = None,
    ) -> list[VarData]:
        """First-stage decisions, one per item, shared by every case.

        With ``lifetimes`` (assets that can be built) and a pathway of years, each item gets
        a build per year and a capacity per year, ``cap[y] = Σ_{b ≤ y < b + life} build[b]``,
        bounded by ``[low, high]`` in every year (CONTRACT 10); the first year's capacity is
        returned.

        A case may set an item's ``min_mw`` / ``max_mw`` (data, CONTRACT 9, 10): a pathway's
        capacity of year y is bounded by that year's; one capacity shared by every case by
        all of them (the largest ``min_mw``, the smallest ``max_mw``)."""
        years = [c.year for c in self.study.cases] if self.study.kind == "years" else []
        per_case = self._case_bounds(names, lows, highs, unit)
        if lifetimes is None or not years:
            shared_lo = [max(lo[k] for lo, _ in per_case) for k in range(len(names))]
            shared_hi = [
                min((h for h in (hi[k] for _, hi in per_case) if h is not None), default=None)
                for k in range(len(names))
            ]
            out = self.scalar_vars(blk, name, shared_lo, shared_hi)
            for n, v in zip(names, out, strict=True):
                self._register(FirstStage(n, v, unit))
            return out
        out = []
        Y = len(years)
        for k, n in enumerate(names):
            builds = self.scalar_vars(blk, f"{name}_build_{k}", [0.0] * Y, [None] * Y)
            caps = self.scalar_vars(
                blk, f"{name}_{k}", [lo[k] for lo, _ in per_case], [hi[k] for _, hi in per_case]
            )
            life = float(lifetimes[k])
            for j, y in enumerate(years):
                assert y is not None
                standing = [
                    builds[i] for i, b in enumerate(years) if b is not None and b <= y < b + life
                ]
                self.total_row(
                    blk,
                    f"{name}_standing_{k}_{j}",
                    ([1.0] + [-1.0] * len(standing), [caps[j], *standing]),
                    0.0,
                    0.0,
                )
            self._register(FirstStage(n, caps[0], unit, caps, builds, life))
            out.append(caps[0])
        return out

    def _case_bounds(
        self,
        names: Sequence[str],
        lows: Sequence[float],
        highs: Sequence[float | None],
        unit: str,
    ) -> list[tuple[list[float], list[float | None]]]:
        """Each case's (lows, highs) of the named MW items: the case's own ``min_mw`` /
        ``max_mw`` where it sets them otherwise than the base, else the base's."""
        base = list(lows), list(highs)
        if unit != "MW" or len(self.study.cases) == 1:
            return [base] * len(self.study.cases)

        def named(p: Problem) -> dict[str, Any]:
            items: list[Any] = [*p.technologies, *p.ppas, *p.demand_response]
            return {x.name: x for x in items}

        first = named(self.problem)
        out = []
        for case in self.study.cases:
            own = named(case.problem)
            lo_c, hi_c = list(lows), list(highs)
            for k, n in enumerate(names):
                x0, x = first.get(n), own.get(n)
                if x0 is None or x is None:
                    continue
                if x.min_mw != x0.min_mw:
                    lo_c[k] = x.min_mw
                if x.max_mw != x0.max_mw:
                    hi_c[k] = x.max_mw
            out.append((lo_c, hi_c))
        return out

    def _register(self, fs: FirstStage) -> None:
        key = fs.name if fs.unit == "MW" else f"{fs.name}#energy"
        if key in self.first_stage:
            raise ValueError(f"capacity of {fs.name!r} declared twice")
        self.first_stage[key] = fs

    def add_item(self, item: Item) -> Item:
        """Register a decision for compare; a pathway's builds and yearly capacities of the
        same name join its columns."""
        for key in (item.name, f"{item.name}#energy"):
            fs = self.first_stage.get(key)
            if fs is not None:
                known = {id(v) for v in item.columns}
                item.columns.extend(v for v in [*fs.per_case, *fs.builds] if id(v) not in known)
        self.items.append(item)
        return item

    # -- Pyomo plumbing (the only place units' rows and variables are made) -----------------
    def case_block(self, index: int) -> pyo.Block:
        return self.block(f"case_{index}", self.m)

    def block(self, name: str, parent: pyo.Block | None = None) -> pyo.Block:
        blk = pyo.Block(concrete=True)
        (parent if parent is not None else self.m).add_component(name, blk)
        return blk

    def step_vars(
        self,
        blk: pyo.Block,
        name: str,
        count: int,
        T: int,
        ub: np.ndarray | float | None = None,
    ) -> list[list[VarData]]:
        """``count`` non-negative variables per step, as one list per item."""
        var = pyo.Var(range(count), range(T), within=pyo.NonNegativeReals)
        blk.add_component(name, var)
        self.step_components.append(var)
        data = list(var.values())  # in index order: k major, t minor
        out = [data[k * T : (k + 1) * T] for k in range(count)]
        if ub is not None:
            ubs = np.broadcast_to(np.asarray(ub, dtype=float), (count, T))
            for k in range(count):
                for v, u in zip(out[k], ubs[k].tolist(), strict=True):
                    v.setub(None if np.isinf(u) else u)
        return out

    def scalar_vars(
        self,
        blk: pyo.Block,
        name: str,
        lows: Sequence[float | None],
        highs: Sequence[float | None],
        free: bool = False,
    ) -> list[VarData]:
        var = pyo.Var(range(len(lows)), within=pyo.Reals if free else pyo.NonNegativeReals)
        blk.add_component(name, var)
        out = [var[k] for k in range(len(lows))]
        for v, lo, hi in zip(out, lows, highs, strict=True):
            v.setlb(lo)
            v.setub(hi)
        return out

    def step_rows(
        self,
        blk: pyo.Block,
        name: str,
        steps: Sequence[int] | np.ndarray,
        make: Callable[[int], object],
    ) -> list[ConstraintData]:
        """One constraint per step in ``steps``, ``make(t)`` returning its relational expr."""
        idx = [int(t) for t in steps]
        con = pyo.Constraint(idx, rule=lambda _b, t: make(t))
        blk.add_component(name, con)
        return [con[t] for t in idx]

    def cap_rows(
        self,
        blk: pyo.Block,
        name: str,
        x: Sequence[VarData],
        caps: Sequence[VarData],
        T: int,
        which: np.ndarray | None = None,
        coef: float = 1.0,
    ) -> list[ConstraintData]:
        idx = (np.zeros(T, dtype=np.int64) if which is None else np.asarray(which)).tolist()
        # Expression objects are built directly (no operator overloading): one shared
        # monomial −coef·cap per capacity, a two-term sum per step.
        neg = [MonomialTermExpression((-float(coef), cap)) for cap in caps]

        def make(t: int) -> object:
            return (None, LinearExpression([x[t], neg[idx[t]]]), 0.0)

        return self.step_rows(blk, name, range(T), make)

    def row(self, blk: pyo.Block, name: str, expr: object) -> ConstraintData:
        con = pyo.Constraint(expr=expr)
        blk.add_component(name, con)
        return con

    def total_row(
        self,
        blk: pyo.Block,
        name: str,
        terms: LinearTerms,
        upper: float | None,
        lower: float | None = None,
    ) -> ConstraintData:
        coefs, variables = terms
        expr = LinearExpression(linear_coefs=list(coefs), linear_vars=list(variables))
        return self.row(blk, name, pyo.inequality(lower, expr, upper))


SummaryHook = Callable[[Any, Any, dict[str, Any]], None]
"""``hook(lp, accounts, summary)``: a unit's numbers into summary.json (``lp`` a
:class:`~optimizer.model.highs.HighsLp`, ``accounts`` a
:class:`~optimizer.results.accounting.CaseAccounts`)."""

Declare = Callable[[ModelBuilder], None]
Operate = Callable[[CaseBuilder], None]


def _parts() -> tuple[list[Declare], list[Operate]]:
    """The units in build order: first-stage declarations, then per-case operation."""
    from optimizer.model import (
        certificates,
        compliance,
        demand_response,
        flexibility,
        grid,
        heat_reuse,
        materials,
        network,
        policy,
        ppa,
        resilience,
        site,
    )
    from optimizer.units import TECHNOLOGY_UNITS

    declare: list[Declare] = [grid.declare, ppa.declare]
    operate: list[Operate] = [grid.operate, network.operate, ppa.operate]
    for unit in TECHNOLOGY_UNITS:
        declare.append(unit.declare_all)
        operate.append(unit.operate_all)
    declare.extend([demand_response.declare, materials.declare])
    # Order matters only in that site and policy read the ledgers the others fill, and
    # materials' embodied emissions must be in the ledger before the policy reads it;
    # demand response reads imports and generator output, resilience the served-load
    # changes of flexibility and curtailment; certificates and the compliance rows read the
    # renewable ledger, curtailment and export (site) and the heat pump's draw; the policy
    # reuses their certificate cover u[t].
    operate.extend(
        [
            flexibility.operate,
            demand_response.operate,
            resilience.operate,
            site.operate,
            materials.operate,
            heat_reuse.operate,
            certificates.operate,
            compliance.operate,
            policy.operate,
        ]
    )
    return declare, operate


@dataclass
class BuiltModel:
    """The finished LP with the index that results and decisions read it through."""

    builder: ModelBuilder
    build_seconds: float

    @property
    def model(self) -> pyo.ConcreteModel:
        return self.builder.m


@gc_paused
def build_model(problem: Problem | Study, options: BuildOptions | None = None) -> BuiltModel:
    """Build the whole LP of a resolved scenario (one case) or of a study (many cases)."""
    from optimizer.scenario.cases import Study

    t0 = time.perf_counter()
    if isinstance(problem, Study):
        study = problem
    else:
        study = problem.study if problem.study is not None else Study.single(problem)
    b = ModelBuilder(
        study=study,
        options=options or BuildOptions(),
        m=pyo.ConcreteModel(name=study.cases[0].problem.scenario.name),
    )
    declare, operate = _parts()
    for part in declare:
        part(b)
    for k, case in enumerate(study.cases):
        c = CaseBuilder(b, k, case.name, case.problem, case.weight, case.year)
        b.cases.append(c)
        for op in operate:
            op(c)
        _balance(c)
    from optimizer.model import policy

    policy.finish(b)
    _objective(b)
    seconds = time.perf_counter() - t0
    log.info("built the LP of %d case(s) in %.2f s", len(b.cases), seconds)
    return BuiltModel(b, seconds)


def _balance(c: CaseBuilder) -> None:
    """Power balance (CONTRACT 3.5): Σ supply − Σ uses = served_load − flexible shift,
    written with the load on the right so that its dual is the marginal cost of load."""
    loads = np.asarray(c.problem.load_mw, dtype=float).tolist()
    bal = c.balance
    c.balance_rows = c.step_rows(
        c.m, "balance", range(c.T), lambda t: (loads[t], bal.pyomo(t), loads[t])
    )


def _objective(b: ModelBuilder) -> None:
    """``(1−ω)·Σ_c weight_c·C_c + ω·CVaR_α`` (ω = 0 unless the study is risk-averse)."""
    from optimizer.model import risk

    if b.single and b.cases[0].weight == 1.0:
        b.m.objective = pyo.Objective(expr=b.cases[0].cost.pyomo(), sense=pyo.minimize)
        return
    risk.objective(b)
