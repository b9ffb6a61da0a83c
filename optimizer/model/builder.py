"""Assemble the LP from its modules (CONTRACT section 3; docs/formulation.md).

Each module in :data:`MODULES` owns its variables and constraints and adds terms to the
shared ledgers held by :class:`ModelBuilder`: the power balance, the dirty (non-clean) power,
the location-based emissions and the one cost expression. The balance, the CFE constraint,
the emissions cap and the objective are written once, in :func:`build_model`, after every
module has contributed.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
import pyomo.environ as pyo
from pyomo.core.base.constraint import ConstraintData
from pyomo.core.base.var import VarData
from pyomo.core.expr.numeric_expr import LinearExpression, MonomialTermExpression

from optimizer.model.flows import Flow, FlowIndex
from optimizer.model.ledger import CostLedger, StepExpr
from optimizer.model.storage_periods import StoragePeriods
from optimizer.scenario.resolve import Problem

log = logging.getLogger(__name__)


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
    """Every variable that must be zero when the item is left out."""
    fixed_cost: float = 0.0
    """Cost paid whatever the dispatch (a grid offer's fixed fee), dropped with the item."""


@dataclass
class ModelBuilder:
    """The model under construction: the Pyomo model, the ledgers and the output index."""

    problem: Problem
    options: BuildOptions
    m: pyo.ConcreteModel
    balance: StepExpr
    """Σ supply − Σ uses in MW; the balance row is ``balance[t] == load[t]``."""
    physical_supply: StepExpr
    """Physical PPA delivery + on-site output + battery discharge (the export limit)."""
    imports: StepExpr
    """I[t] = Σ_o imp[o,t]."""
    certificates: StepExpr
    """Σ v[t]: virtual PPA certificates."""
    fossil: StepExpr
    """F[t]: on-site fossil output."""
    emissions: StepExpr
    """Location-based tCO2 in every step."""
    served_delta: StepExpr
    """up[t] − down[t] of flexible load."""
    cost: CostLedger
    flows: dict[str, StepExpr] = field(default_factory=dict)
    capacities: dict[str, VarData] = field(default_factory=dict)
    storage: dict[str, VarData] = field(default_factory=dict)
    items: list[Item] = field(default_factory=list)
    rows: dict[str, ConstraintData] = field(default_factory=dict)
    """Named single rows whose duals are reported ("cfe", "emissions_cap", ...)."""
    balance_rows: list[ConstraintData] = field(default_factory=list)
    extras: dict[str, object] = field(default_factory=dict)
    """Module-owned entries (e.g. the CFE certificate-cover variables)."""
    step_components: list[pyo.Var] = field(default_factory=list)
    """Every per-step variable component made by :meth:`step_vars` (index ``(k, t)``)."""

    @property
    def flow_index(self) -> FlowIndex:
        """The declared flows, typed (kind, asset, the asset's kind)."""
        kinds = {i.name: i.kind for i in self.items}
        out = FlowIndex()
        for f in FlowIndex.from_columns(self.flows):
            out.add(Flow(f.kind, f.asset, kinds.get(f.asset, "")))
        return out

    @property
    def T(self) -> int:
        return self.problem.periods

    @property
    def dt(self) -> float:
        return self.problem.dt

    def step_expr(self) -> StepExpr:
        return StepExpr(self.T)

    def block(self, name: str) -> pyo.Block:
        blk = pyo.Block(concrete=True)
        self.m.add_component(name, blk)
        return blk

    def step_vars(
        self, blk: pyo.Block, name: str, count: int, ub: np.ndarray | float | None = None
    ) -> list[list[VarData]]:
        """``count`` non-negative variables per step, as one list per item."""
        var = pyo.Var(range(count), range(self.T), within=pyo.NonNegativeReals)
        blk.add_component(name, var)
        self.step_components.append(var)
        data = list(var.values())  # in index order: k major, t minor
        out = [data[k * self.T : (k + 1) * self.T] for k in range(count)]
        if ub is not None:
            ubs = np.broadcast_to(np.asarray(ub, dtype=float), (count, self.T))
            for k in range(count):
                for v, u in zip(out[k], ubs[k].tolist(), strict=True):
                    v.setub(None if np.isinf(u) else u)
        return out

    def scalar_vars(
        self, blk: pyo.Block, name: str, lows: Sequence[float], highs: Sequence[float | None]
    ) -> list[VarData]:
        var = pyo.Var(range(len(lows)), within=pyo.NonNegativeReals)
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
        which: np.ndarray | None = None,
        coef: float = 1.0,
    ) -> list[ConstraintData]:
        """``x[t] ≤ coef·caps[which[t]]`` in every step (``which`` defaults to all zeros)."""
        idx = (np.zeros(self.T, dtype=np.int64) if which is None else np.asarray(which)).tolist()
        # Expression objects are built directly (no operator overloading): one shared
        # monomial −coef·cap per capacity, a two-term sum per step.
        neg = [MonomialTermExpression((-float(coef), cap)) for cap in caps]

        def make(t: int) -> object:
            return (None, LinearExpression([x[t], neg[idx[t]]]), 0.0)

        return self.step_rows(blk, name, range(self.T), make)


Module = Callable[[ModelBuilder], None]


def _modules() -> list[Module]:
    from optimizer.model import (
        battery,
        flexibility,
        generator,
        grid,
        materials,
        policy,
        ppa,
        renewables,
        site,
    )

    # Order matters only in that policy reads the ledgers the others fill.
    return [
        grid.build,
        ppa.build,
        renewables.build,
        battery.build,
        generator.build,
        flexibility.build,
        site.build,
        materials.build,
        policy.build,
    ]


@dataclass
class BuiltModel:
    """The finished LP with the index that results and decisions read it through."""

    builder: ModelBuilder
    build_seconds: float

    @property
    def model(self) -> pyo.ConcreteModel:
        return self.builder.m


def build_model(problem: Problem, options: BuildOptions | None = None) -> BuiltModel:
    """Build the whole LP of a resolved scenario."""
    t0 = time.perf_counter()
    T = problem.periods
    b = ModelBuilder(
        problem=problem,
        options=options or BuildOptions(),
        m=pyo.ConcreteModel(name=problem.scenario.name),
        balance=StepExpr(T),
        physical_supply=StepExpr(T),
        imports=StepExpr(T),
        certificates=StepExpr(T),
        fossil=StepExpr(T),
        emissions=StepExpr(T),
        served_delta=StepExpr(T),
        cost=CostLedger(),
    )
    for module in _modules():
        module(b)

    # Power balance (CONTRACT 3.5): Σ supply − Σ uses = served_load − flexible shift,
    # written with the load on the right so that its dual is the marginal cost of load.
    load = problem.load_mw
    bal = b.balance
    loads = np.asarray(load, dtype=float).tolist()
    rows = b.step_rows(b.m, "balance", range(T), lambda t: (loads[t], bal.pyomo(t), loads[t]))
    b.balance_rows = rows

    b.m.objective = pyo.Objective(expr=b.cost.pyomo(), sense=pyo.minimize)
    seconds = time.perf_counter() - t0
    log.info("built the LP in %.2f s", seconds)
    return BuiltModel(b, seconds)
