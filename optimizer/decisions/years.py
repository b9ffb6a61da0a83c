"""Year decomposition of a pathway: multi-cut Benders over the years of one compiled LP
(docs/formulation.md, "Year decomposition"; docs/performance.md, "Pathway by years").

A pathway's LP (CONTRACT 10) is block-angular: every row of year y's block holds only year
y's own columns and the *linking* columns outside every year's block (builds, the capacity
standing in each year, contracted MW), and the rows outside every block (``cap[y] = Σ
build[b]`` over the builds standing in y, battery durations, material caps) hold only
linking columns. So with ``x`` the linking columns and ``c`` their cost (the annualised
capital of every build, discounted)::

    min_x  c·x + Σ_y Q_y(x)   s.t.  x within its bounds and the linking rows

where ``Q_y(x)`` is year y's optimum (its operation, discounted) with ``x`` fixed. Each
``Q_y`` is convex and piecewise linear; its value and the reduced costs of the fixed
columns at a point give a cut, and the loop of
:mod:`optimizer.decisions.decomposition` (its master with ``c`` in its objective, in-out
stabilisation, elastic goal rows, feasibility cuts) finds the optimum to its tolerance.
The first incumbent is the point of the linking rows nearest (in L1) to the capacities the
years chose alone.

The answer is handed back to the full LP (:meth:`HighsLp.set_solution`): each year's
columns and row duals from its subproblem at the answer, the linking rows' duals from the
master's last solve, every column's reduced cost ``c − Aᵀy``; so the results, the
dispatch and the report read it as if HiGHS had solved the whole LP.

Not decomposed (the caller solves the LP whole, the reason is logged): one year, integer
columns (signed offers), a row outside the years' blocks that holds a year's own column
(something that couples years other than the linking columns), a goal penalty that is not
exact at the answer, a year that cannot be served at some point or whose solve stops (a
time limit), a gap still open after ``max_iterations``.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import Any

import highspy
import numpy as np
import scipy.sparse as sp

from optimizer.decisions.decomposition import (
    GOAL_PENALTY,
    IN_OUT,
    TOLERANCE,
    ProcessPool,
    _Infeasible,
    _loop,
    _phase1,
    _Result,
    _Row,
    deal,
    phase1_cut,
)
from optimizer.errors import SolverError
from optimizer.model import BuiltModel
from optimizer.model.highs import (
    HighsLp,
    _use_threads,
    add_slack_columns,
    highs_lp,
    release_threads,
)

log = logging.getLogger(__name__)

_INF = highspy.kHighsInf

__all__ = ["solve_years"]

FAR_IN_OUT = 0.1
FAR_GAP = 5e-2
"""While the relative gap exceeds FAR_GAP an improvement resets the step to FAR_IN_OUT
(within it, to the scenarios' :data:`~optimizer.decisions.decomposition.IN_OUT`): the
master's early points are far from the optimum, and a dual simplex re-solve after a long
move is what costs. On the example's 10-year pathway at 3 days a month, 2 workers (whole
decomposition): 0.5 throughout 42 iterations and 71 s, 0.25 46 and 47 s, 0.1 139 and
34 s, 0.05 no convergence in 200; 0.1 then 0.5 within 5 % 40 and 27.7 s, within 1 % 49
and 28.9 s, within 10 % 41 and 41.4 s (docs/performance.md)."""
MAX_ITERATIONS = 400


@dataclass
class _Block:
    """Year ``index``'s subproblem as arrays (what a worker process receives): its rows of
    the full LP, its own columns, then the linking columns its rows hold."""

    index: int
    rows: np.ndarray
    """Row indices in the full LP."""
    own: np.ndarray
    """Its own column indices in the full LP (the subproblem's first columns)."""
    link: list[str]
    """Names of the linking columns it holds (the subproblem's last columns)."""
    matrix: sp.csc_matrix
    cost: np.ndarray
    col_lower: np.ndarray
    col_upper: np.ndarray
    row_lower: np.ndarray
    row_upper: np.ndarray
    goal_rows: np.ndarray
    """Local indices of its goal rows with a finite bound (CFE, emissions cap)."""
    penalty_scale: float = 1.0
    """What one MWh (tCO2) of its horizon costs in the objective per unit of money a year:
    the year's weight (discounted, its span) ÷ its horizon's fraction of a year. The goal
    penalty is per MWh of a whole year, as the scenarios' (a week's MWh weighs 52×)."""
    time_limit: float | None = None


class _Sub:
    """One year's subproblem in HiGHS (a worker's), its goal rows elastic."""

    def __init__(self, block: _Block, penalty: float | None) -> None:
        self.block = block
        self.h = highspy.Highs()
        self.h.setOptionValue("output_flag", False)
        self.h.setOptionValue("solver", "simplex")
        self.h.setOptionValue("simplex_strategy", 1)  # dual: the bounds move between solves
        if block.time_limit is not None:
            self.h.setOptionValue("time_limit", float(block.time_limit))
        self.h.passModel(
            highs_lp(
                block.matrix,
                block.cost,
                block.col_lower,
                block.col_upper,
                block.row_lower,
                block.row_upper,
            )
        )
        n_own = len(block.own)
        self.link_cols = np.arange(n_own, n_own + len(block.link), dtype=np.int32)
        self.where = {name: k for k, name in enumerate(block.link)}
        self.shortfall = np.zeros(0, dtype=np.int32)
        self.goal_scale = np.ones(0)
        goals = block.goal_rows
        if penalty is not None and len(goals):
            cost = np.full(len(goals), float(penalty) * block.penalty_scale)
            self.shortfall = add_slack_columns(self.h, goals, cost, coefficient=-1.0)
            self.goal_scale = np.maximum(1.0, np.abs(block.row_upper[goals]))
        self.solved = False
        self.phase1: highspy.Highs | None = None

    def fix(self, names: list[str], lo: np.ndarray, hi: np.ndarray) -> list[int]:
        """Bound its linking columns to ``[lo, hi]`` (entries of ``names``); their
        positions in ``names``."""
        have = [k for k, n in enumerate(names) if n in self.where]
        idx = np.array([self.link_cols[self.where[names[k]]] for k in have], dtype=np.int32)
        self.h.changeColsBounds(len(idx), idx, lo[have], hi[have])
        return have

    def run(self) -> str:
        """Solve from the last basis (the first time: with presolve); "optimal",
        "infeasible" or HiGHS's status."""
        self.h.setOptionValue("presolve", "on" if not self.solved else "off")
        _use_threads(self.h, 1)  # one thread; HiGHS's scheduler is one per process
        self.h.run()
        status = self.h.getModelStatus()
        ms = highspy.HighsModelStatus
        if status not in (ms.kOptimal, ms.kInfeasible) and self.solved:
            log.info("year %d: warm re-solve ended %s; solving cold", self.block.index, status)
            self.h.clearSolver()
            self.h.setOptionValue("presolve", "on")
            self.h.run()
            status = self.h.getModelStatus()
        if status == ms.kOptimal:
            self.solved = True
            return "optimal"
        if status == ms.kInfeasible:
            return "infeasible"
        return self.h.modelStatusToString(status)


class _YearGroup:
    """The subproblems of a share of the years (in a worker process or this one), with
    :class:`optimizer.decisions.decomposition._Group`'s ``describe`` and ``solve``."""

    def __init__(
        self,
        blocks: list[_Block],
        penalty: float | None,
        master: tuple[list[str], np.ndarray, np.ndarray, list[_Row]] | None = None,
    ) -> None:
        """``master`` (the first group's): every linking column's name and bounds and the
        linking rows, which its first year's description carries to the master."""
        t0 = time.perf_counter()
        self.subs = [_Sub(b, penalty) for b in blocks]
        self.master = master
        self.build_seconds = time.perf_counter() - t0

    def describe(self) -> dict[str, Any]:
        out: dict[int, dict[str, Any]] = {}
        for s in self.subs:
            lp = s.h.getLp()
            lo = np.asarray(lp.col_lower_)[s.link_cols]
            hi = np.asarray(lp.col_upper_)[s.link_cols]
            out[s.block.index] = {
                "names": list(s.block.link),
                "lower": lo.tolist(),
                "upper": hi.tolist(),
                "keys": {},
                "mip": False,
                "rows": [],
            }
        if self.master is not None:  # the master's columns in their order, and its rows
            names, lower, upper, rows = self.master
            first = out[min(out)]
            first.update(names=names, lower=lower.tolist(), upper=upper.tolist(), rows=rows)
        return {"subs": out, "build_seconds": self.build_seconds}

    def solve(self, names: list[str], lo: np.ndarray, hi: np.ndarray) -> list[_Result]:
        """Every year with its linking columns within ``[lo, hi]``: (index, status,
        objective, linking values, reduced costs, seconds, largest goal shortfall share),
        in ``names`` order (a column a year does not hold: value ``lo``, reduced cost 0);
        at an infeasible point the phase-1 value and subgradient instead."""
        out: list[_Result] = []
        for s in self.subs:
            have = s.fix(names, lo, hi)
            t0 = time.perf_counter()
            status = s.run()
            x = np.array(lo, dtype=float)
            g = np.zeros(len(names))
            obj = float("nan")
            short = 0.0
            cols = s.link_cols[[s.where[names[k]] for k in have]]
            if status == "optimal":
                sol = s.h.getSolution()
                obj = float(s.h.getInfo().objective_function_value)
                x[have] = np.asarray(sol.col_value)[cols]
                g[have] = np.asarray(sol.col_dual)[cols]
                if len(s.shortfall):
                    values = np.asarray(sol.col_value)[s.shortfall]
                    short = float(np.max(values / s.goal_scale))
            elif status == "infeasible":
                if s.phase1 is None:
                    s.phase1 = _phase1(s.h)
                obj, g[have] = phase1_cut(s.phase1, cols, lo[have], hi[have])
            out.append((s.block.index, status, obj, x, g, time.perf_counter() - t0, short))
        return out

    def solutions(
        self, names: list[str], x: np.ndarray
    ) -> list[tuple[int, np.ndarray, np.ndarray]]:
        """Each year at ``x`` (re-solved from its last basis): (index, its own columns'
        values, its rows' duals)."""
        for r in self.solve(names, x, x):
            if r[1] != "optimal":
                raise SolverError(f"year {r[0]} ended {r[1]} at the answer's first stage")
        out = []
        for s in self.subs:
            sol = s.h.getSolution()
            n_own = len(s.block.own)
            out.append(
                (
                    s.block.index,
                    np.asarray(sol.col_value)[:n_own].copy(),
                    np.asarray(sol.row_dual).copy(),
                )
            )
        return out


def _case_of(built: BuiltModel, lp: HighsLp) -> tuple[np.ndarray, np.ndarray]:
    """The case (year) index of every column and row of ``lp``; −1 outside every case's
    block."""
    blocks = {id(c.m): c.index for c in built.builder.cases}
    known: dict[int, int] = {}

    def case(component: Any) -> int:
        b = component.parent_block()
        chain = []
        k = -1
        while b is not None:
            if id(b) in known:
                k = known[id(b)]
                break
            if id(b) in blocks:
                k = blocks[id(b)]
                break
            chain.append(id(b))
            b = b.parent_block()
        for c in chain:
            known[c] = k
        return k

    cols = np.fromiter((case(v) for v in lp.columns), dtype=np.int64, count=len(lp.columns))
    rows = np.fromiter((case(c) for c in lp.row_cons), dtype=np.int64, count=len(lp.row_cons))
    return cols, rows


@dataclass
class _Split:
    """The pathway's LP cut into its years (:func:`_split`), with what the hand-back of
    the answer needs again (:func:`_hand_back`)."""

    blocks: list[_Block]
    rows: list[_Row]
    """The linking rows, as the master takes them."""
    link: np.ndarray
    """The linking columns (indices in the full LP)."""
    outside: np.ndarray
    """The linking rows' indices in the full LP, in the order of ``rows``."""
    matrix: sp.csr_matrix
    cost: np.ndarray
    col_lower: np.ndarray
    col_upper: np.ndarray


def _split(built: BuiltModel, lp: HighsLp, time_limit: float | None) -> _Split | str:
    """The years' subproblems and the linking rows and columns; or the reason why the LP is
    not block-angular over its years."""
    colk, rowk = _case_of(built, lp)
    if lp.num_cols != len(lp.columns):
        return "the LP has columns added after its build"
    h = lp.h.getLp()
    R = lp.matrix(h).tocsr()
    cost = np.asarray(h.col_cost_)
    cl, cu = np.asarray(h.col_lower_), np.asarray(h.col_upper_)
    rl, ru = np.asarray(h.row_lower_), np.asarray(h.row_upper_)
    link = np.flatnonzero(colk < 0)
    is_link = colk < 0
    # a linking row (outside every block) may hold linking columns only
    outside = np.flatnonzero(rowk < 0)
    rows: list[_Row] = []
    names = {int(j): lp.columns[int(j)].name for j in link}
    for r in outside:
        a, b = R.indptr[r], R.indptr[r + 1]
        cols = R.indices[a:b]
        if not is_link[cols].all():
            bad = lp.row_cons[int(r)].name
            return f"row {bad} couples the years' own columns"
        rows.append(
            (
                tuple(names[int(j)] for j in cols),
                tuple(float(v) for v in R.data[a:b]),
                float(rl[r]),
                float(ru[r]),
            )
        )
    blocks: list[_Block] = []
    for case in built.builder.cases:
        k = case.index
        rk = np.flatnonzero(rowk == k)
        sub = R[rk]
        touched = np.unique(sub.indices)
        foreign = touched[(colk[touched] != k) & ~is_link[touched]]
        if len(foreign):
            bad = lp.columns[int(foreign[0])].name
            return f"year {case.name} holds another year's column {bad}"
        own = np.flatnonzero(colk == k)
        held = touched[is_link[touched]]
        cols = np.concatenate([own, held])
        c = cost[cols].copy()
        c[len(own) :] = 0.0  # the linking columns' cost is the master's
        goals = [r.row for r in (case.cfe, case.emissions_cap) if r is not None]
        local = []
        for con in goals:
            j = lp.row(con)
            if np.isfinite(ru[j]) and ru[j] < 1e20:
                local.append(int(np.searchsorted(rk, j)))
        blocks.append(
            _Block(
                index=k,
                rows=rk,
                own=own,
                link=[names[int(j)] for j in held],
                matrix=sub[:, cols].tocsc(),
                cost=c,
                col_lower=cl[cols].copy(),
                col_upper=cu[cols].copy(),
                row_lower=rl[rk].copy(),
                row_upper=ru[rk].copy(),
                goal_rows=np.array(local, dtype=np.int64),
                penalty_scale=float(case.weight) / float(case.problem.time.horizon_fraction),
                time_limit=time_limit,
            )
        )
    return _Split(blocks, rows, link, outside, R, cost, cl, cu)


def _starts(rows: list[_Row], names: list[str], held: np.ndarray, cost: np.ndarray) -> Any:
    """``starts`` for the loop: the cheapest point of the linking rows (``cost·x``) that
    stands at least what every year chose alone (``held[k, j]``: year k holds column j;
    a column several years hold: the most any of them chose). Under the years' own
    capacities the goal rows fall short at 1e4 per MWh. Alone, at no cost for the linking
    columns (their cost is the master's), every year takes all it may, so on the
    example's 10-year pathway this start is 75 % above the optimum; letting each year
    choose at a rent a year (its builds' capital spread over the years they stand) gave
    a start 2.2 % above it, but the whole decomposition then took 46 s against 34 s
    (docs/performance.md). Where no such point exists (a bound), the nearest."""

    def starts(lo: np.ndarray, hi: np.ndarray, alone: np.ndarray) -> list[np.ndarray]:
        n = len(names)
        chosen = np.where(held, alone, -np.inf).max(axis=0)
        aim = np.flatnonzero(held.any(axis=0))
        target = np.clip(chosen[aim], lo[aim], hi[aim])
        where = {name: k for k, name in enumerate(names)}
        linking = [
            (rl, ru, np.array([where[c] for c in cols], dtype=np.int32), np.array(coefs))
            for cols, coefs, rl, ru in rows
        ]
        out = []
        for above in (True, False):
            h = highspy.Highs()
            h.setOptionValue("output_flag", False)
            h.addVars(n, lo, hi)
            for rl, ru, idx, coefs in linking:
                h.addRow(rl, ru, len(idx), idx, coefs)
            if above:
                h.changeColsBounds(len(aim), aim.astype(np.int32), target, hi[aim])
                h.changeColsCost(n, np.arange(n, dtype=np.int32), np.asarray(cost, float))
            else:  # min Σ d, |x_j − t_j| ≤ d
                d = len(aim)
                h.addVars(d, np.zeros(d), np.full(d, _INF))
                h.changeColsCost(d, np.arange(n, n + d, dtype=np.int32), np.ones(d))
                for i, (j, t) in enumerate(zip(aim, target, strict=True)):
                    idx = np.array([j, n + i], dtype=np.int32)
                    h.addRow(-_INF, t, 2, idx, np.array([1.0, -1.0]))
                    h.addRow(t, _INF, 2, idx, np.array([1.0, 1.0]))
            h.run()
            if h.getModelStatus() == highspy.HighsModelStatus.kOptimal:
                out.append(np.clip(np.asarray(h.getSolution().col_value)[:n], lo, hi))
                break
        return out

    return starts


def solve_years(
    built: BuiltModel,
    lp: HighsLp,
    workers: int = 2,
    tolerance: float = TOLERANCE,
    max_iterations: int = MAX_ITERATIONS,
    in_out: float = IN_OUT,
    goal_penalty: float | None = GOAL_PENALTY,
    time_limit: float | None = None,
) -> dict[str, Any]:
    """Solve the pathway ``lp`` (compiled from ``built``, not yet solved) by Benders over its
    years (module docstring) on ``workers`` processes (0: this one), and hand the answer to
    ``lp``. Returns ``method`` "decomposition" with ``objective``, ``lower``/``upper``/
    ``gap``, ``iterations``, ``cuts``, ``feasibility_cuts``, ``workers``, ``goal_penalty``
    and ``seconds``; or ``method`` None and the ``reason`` (``lp`` untouched: solve it
    whole)."""
    study = built.builder.study
    if study.kind != "years" or len(study.cases) < 2:
        return {"method": None, "reason": "year decomposition needs a pathway of 2+ years"}
    if lp.is_mip:
        return {"method": None, "reason": "integer columns (signed offers) are not decomposed"}
    t0 = time.perf_counter()
    parts = _split(built, lp, time_limit)
    if isinstance(parts, str):
        return {"method": None, "reason": parts}
    blocks, rows, link = parts.blocks, parts.rows, parts.link
    names = [lp.columns[int(j)].name for j in link]
    cost = parts.cost[link]
    split = time.perf_counter() - t0
    shares = deal(blocks, workers)
    master = (names, parts.col_lower[link], parts.col_upper[link], rows)
    makers = [
        (_YearGroup, (share, goal_penalty, master if i == 0 else None))
        for i, share in enumerate(shares)
    ]
    where = {name: k for k, name in enumerate(names)}
    held = np.zeros((len(blocks), len(names)), dtype=bool)
    for k, b in enumerate(blocks):
        held[k, [where[n] for n in b.link]] = True
    pool: ProcessPool | None = None
    try:
        pool = ProcessPool(makers, local=workers <= 0)
        out = _loop(
            study,
            pool,
            np.ones(len(blocks)),
            0.0,
            0.0,
            tolerance,
            max_iterations,
            in_out,
            t0,
            goal_penalty,
            x_cost=cost,
            starts=_starts(rows, names, held, cost),
            far=(FAR_IN_OUT, FAR_GAP),
        )
        if out["names"] != names:
            raise SolverError("the decomposition master lost the order of its columns")
        if out["gap"] > tolerance * max(1.0, abs(out["upper"])):
            raise _Infeasible(
                f"stopped after {out['iterations']} iterations with a relative gap of "
                f"{out['gap'] / max(1.0, abs(out['upper'])):.2g}"
            )
        x = np.asarray(out["x"])
        t1 = time.perf_counter()
        years = pool.gather("solutions", out["names"], out["x"])
        _hand_back(lp, parts, x, years, out["row_duals"])
        out["seconds"]["answer"] = time.perf_counter() - t1
    except _Infeasible as exc:
        return {"method": None, "reason": str(exc)}
    finally:
        if pool is not None:
            pool.close()
        release_threads()
        highspy.Highs.resetGlobalScheduler(True)
    out["seconds"]["split"] = split
    out["seconds"]["total"] = time.perf_counter() - t0
    out["objective"] = lp.objective
    for key in ("lower", "upper"):  # the master's bounds leave out the LP's constant
        out[key] = float(out[key]) + float(lp.offset)
    out["gap"] = float(out["gap"])
    for key in ("names", "x", "row_duals", "scenario_costs", "first_stage"):
        out.pop(key, None)
    out["years"] = out.pop("scenarios")
    log.info(
        "year decomposition: %d iterations, %d cuts, objective %.6f in %.2f s",
        out["iterations"],
        out["cuts"],
        out["objective"],
        out["seconds"]["total"],
    )
    return out


def _hand_back(
    lp: HighsLp,
    parts: _Split,
    x: np.ndarray,
    years: list[tuple[int, np.ndarray, np.ndarray]],
    master_duals: np.ndarray,
) -> None:
    """Assemble the full LP's solution from the years' and the master's and set it."""
    values = np.zeros(lp.num_cols)
    values[parts.link] = x
    row_dual = np.zeros(lp.num_rows)
    by_index = {b.index: b for b in parts.blocks}
    for index, own, duals in years:
        b = by_index[index]
        values[b.own] = own
        row_dual[b.rows] = duals[: len(b.rows)]
    if len(master_duals) == len(parts.outside):  # the master holds them in this order
        row_dual[parts.outside] = master_duals
    else:  # the loop merged identical rows: their duals are not told apart
        log.info("year decomposition: the linking rows' duals are left at 0")
    col_dual = parts.cost - parts.matrix.T @ row_dual
    objective = float(parts.cost @ values) + float(lp.offset)
    lp.set_solution(values, row_dual, col_dual, objective)
