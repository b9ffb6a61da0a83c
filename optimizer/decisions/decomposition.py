"""Scenario decomposition of a study of scenarios: multi-cut Benders (L-shaped) over the
first stage (docs/risk.md, "Decomposition"; docs/formulation.md, "Cases").

The deterministic equivalent (DE) is ``min_x F(C_1(x)..C_S(x))`` with
``F(C) = (1−ω)·Σ p_s·C_s + ω·CVaR_α(C)`` and ``C_s(x) = Q_s(x)``, the optimum of case s alone
with its first stage fixed at x. Each ``Q_s`` is convex and piecewise linear; at a point x̂
its value and a subgradient ``g_s`` (the reduced costs of the fixed first-stage columns,
HiGHS's ``col_dual``) give the cut ``η_s ≥ Q_s(x̂) + g_s·(x − x̂)``. The master::

    min  (1−ω)·Σ p_s·η_s + ω·(θ + Σ p_s·a_s/(1−α))
    s.t. a_s ≥ η_s − θ,  a_s ≥ 0,  θ free                       (CVaR, linear in η)
         η_s ≥ L_s                                              (case s with x free)
         every cut of scenario s                                 (one η per scenario)
         x within its bounds and the rows that hold only first-stage columns

has the DE's optimum once the cuts describe every ``Q_s`` near it: its optimum is a lower
bound, ``F(Q(x̂))`` at any x̂ an upper bound; the loop stops when they agree to
``tolerance`` (relative). ``L_s`` (the wait-and-see cost of s) and a first cut come from
solving each case once with x free.

The first-stage columns are the columns of a case's LP outside its ``case_k`` block; rows
with only first-stage columns are the master's: those written once (battery duration rows,
material caps) from the first case, those inside a case block from every case. The
subproblems live in ``workers`` persistent processes (a run of consecutive scenarios each,
cut again once where neighbours' bases differ most, built once, HiGHS on one thread,
warm-started from the previous basis); ``workers=0`` solves them in this process.

Each case's goal rows (its CFE target, its emissions cap) are elastic in its subproblem: a
shortfall column at :data:`GOAL_PENALTY` per MWh (per tCO2) lets every master point be
served, so every point gives an optimality cut; the penalty is exact when it exceeds the
row's shadow price at the answer, which is checked there (a shortfall left at the answer:
the DE is solved instead). ``goal_penalty=None`` keeps the rows hard, with feasibility cuts
at the points a case cannot serve.

Not decomposed (the DE is solved instead, ``method`` says so): a pathway of years, goals in
expectation (``targets_apply: expectation`` couples the cases), integer columns (signed
offers), and a master point that some case cannot serve (no feasibility cut moves it).
"""

from __future__ import annotations

import contextlib
import dataclasses
import logging
import multiprocessing
import multiprocessing.connection
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

import highspy
import numpy as np

from optimizer.errors import SolverError
from optimizer.model import BuildOptions, BuiltModel, build_model
from optimizer.model.highs import HighsLp, HighsSettings, release_threads
from optimizer.options import SolveOptions, choose_settings, fork_is_safe
from optimizer.scenario.cases import Study
from optimizer.scenario.resolve import Problem

log = logging.getLogger(__name__)

TOLERANCE = 1e-7
"""Stop when upper − lower ≤ TOLERANCE·max(1, |upper|). At 1e-6 week-contracts' three
scenarios with plain Kelley cuts stopped at a point 1.7e-7 above the optimum whose first
stage was 3e-5 off the DE's (a 0.004 MW battery); one more iteration reaches the vertex."""
MAX_ITERATIONS = 200
IN_OUT = 0.5
"""In-out stabilisation: cuts are made at ``λ·x_master + (1−λ)·x_incumbent``, λ from this;
it stays there while the master's bound rises, back to it after each better incumbent, and
+0.25 (up to 1, Kelley's cut at the master's own point) when the master's point repeats or
its bound has not risen for :data:`STALL` iterations (Fischetti, Ljubić and Sinnl's
safeguard, so that every stall ends in a cut that moves the bound). Until stop 29 λ grew
by 0.25 after every iteration without a better incumbent: on the example's 10 full-year
spot scenarios the incumbent stayed the best point for 16 iterations, the points went to
the master's far corners and each round's warm re-solves grew 3–5× slower; 36 iterations
and 543 s against 21 and 354 s with λ kept (docs/risk.md, "A steady step")."""
STALL = 3
"""Iterations without a rise of the master's bound before λ grows."""
GOAL_PENALTY = 1e4
"""Cost of one MWh of CFE shortfall (one tCO2 over the cap) in a subproblem's elastic goal
rows. Exact above the row's shadow price: 35× the CFE shadow price of year-cfe90 (279 per
MWh, docs/performance.md) and 23–100× those of the example's 10 screened spot scenarios at
the answer (98–427 per MWh, docs/risk.md); a shortfall left at the answer sends the study
to the DE. Renewable-share rows (CONTRACT 11) stay hard (feasibility cuts)."""
SHORTFALL = 1e-7
"""A goal row's shortfall at the answer above this share of its bound (or of 1 MWh / tCO2):
the penalty was not exact there."""
_INF = highspy.kHighsInf


class _Infeasible(Exception):
    """A case cannot be served at the master's first stage."""


METHOD = "scenario decomposition (multi-cut Benders)"
"""``summary.json → solver.method`` of a scenario set solved by this module."""


class _OutOfTime(Exception):
    """A round's subproblems ended at HiGHS's time limit after the deadline."""


class TimeLimitReached(SolverError):
    """``SolveOptions.time_limit_seconds`` ran out before a first feasible first stage (a
    case alone or at the first incumbent ended at HiGHS's time limit, or the clock passed
    the limit there)."""


@dataclass
class _Sub:
    """One case's LP and its first-stage columns by name."""

    index: int
    lp: HighsLp
    first: dict[str, Any]
    """Pyomo name → VarData of the first-stage columns the LP kept."""
    keys: dict[str, str]
    """first_stage key → Pyomo name."""
    settings: HighsSettings
    warm: HighsSettings
    built: BuiltModel
    """The case's model, kept alive: a Pyomo component's name goes through its block's
    weak reference to the model, so with the model collected ``v.name`` loses its block
    prefix and the first-stage rows (found by name) are missed."""
    shortfall: np.ndarray
    """The elastic goal rows' shortfall columns (empty: hard rows)."""
    goal_scale: np.ndarray
    """Each goal row's bound magnitude (≥ 1), what a shortfall is measured against."""
    solved: bool = False
    phase1: highspy.Highs | None = None
    """The case's rows with a slack each way at cost 1 and no other cost (made on the
    first infeasible point)."""


def _primal(warm: HighsSettings) -> HighsSettings:
    """``warm`` with HiGHS's primal simplex: a sibling's optimal basis stays primal feasible
    for a case that differs in prices only, where the dual simplex would first have to
    repair its dual infeasibilities."""
    return dataclasses.replace(warm, extra=(("simplex_strategy", 4),))


def _phase1(source: highspy.Highs) -> highspy.Highs:
    """``min Σ (s⁺ + s⁻)`` s.t. ``L ≤ A·y + s⁺ − s⁻ ≤ U``: zero at a feasible first stage."""
    model = source.getLp()
    n, m = int(model.num_col_), int(model.num_row_)
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.passModel(model)
    h.changeColsCost(n, np.arange(n, dtype=np.int32), np.zeros(n))
    h.changeObjectiveOffset(0.0)
    rows = np.arange(m, dtype=np.int32)
    for sign in (1.0, -1.0):
        h.addCols(
            m,
            np.ones(m),
            np.zeros(m),
            np.full(m, _INF),
            m,
            rows,
            rows,
            np.full(m, sign),
        )
    return h


def phase1_cut(
    phase1: highspy.Highs, cols: np.ndarray, lo: np.ndarray, hi: np.ndarray
) -> tuple[float, np.ndarray]:
    """``phase1`` (:func:`_phase1`) with its first-stage columns ``cols`` within
    ``[lo, hi]``: its optimum v(x̂) and the reduced costs of those columns, the subgradient
    of the feasibility cut ``v(x̂) + g·(x − x̂) ≤ 0``."""
    phase1.changeColsBounds(len(cols), np.asarray(cols, dtype=np.int32), lo, hi)
    phase1.run()
    if phase1.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        raise SolverError("a phase-1 subproblem did not solve")
    slopes = np.asarray(phase1.getSolution().col_dual)[np.asarray(cols)]
    return float(phase1.getInfo().objective_function_value), slopes


_Result = tuple[int, str, float, np.ndarray, np.ndarray, float, float]
"""(case index, status, objective, first-stage values, reduced costs, seconds, the largest
goal shortfall as a share of its row's bound)."""
_Row = tuple[tuple[str, ...], tuple[float, ...], float, float]
"""A row on first-stage columns only: column names, coefficients, lower and upper bound."""


class _Group:
    """The subproblems of a share of the scenarios (in a worker process or this one).

    ``problems`` are every case the group may be asked to hold; ``mine`` (default all) the
    indices it builds now, in the order it solves them (:attr:`order`). :meth:`take` gives
    it another run of cases (:func:`split_chain`), built when first asked for."""

    def __init__(
        self,
        problems: Sequence[tuple[int, Problem]],
        options: SolveOptions,
        build: BuildOptions | None = None,
        goal_penalty: float | None = GOAL_PENALTY,
        mine: Sequence[int] | None = None,
    ) -> None:
        self.problems = dict(problems)
        self.options, self.build, self.goal_penalty = options, build, goal_penalty
        self.subs: dict[int, _Sub] = {}
        self.order: list[int] = list(self.problems) if mine is None else list(mine)
        t0 = time.perf_counter()
        for index in self.order:
            self.subs[index] = self._make(index)
        self.build_seconds = time.perf_counter() - t0

    def _make(self, index: int) -> _Sub:
        problem = self.problems[index]
        built = build_model(Study.single(problem), self.build)
        lp = HighsLp(built.model)
        shortfall, scale = _elastic_goals(built, lp, self.goal_penalty)
        keys = {k: fs.var.name for k, fs in built.builder.first_stage.items()}
        kept = {id(v) for v in lp.columns}
        first = {
            fs.var.name: fs.var for fs in built.builder.first_stage.values() if id(fs.var) in kept
        }
        settings = dataclasses.replace(choose_settings(self.options, problem.periods), threads=1)
        warm = dataclasses.replace(
            settings, algorithm="simplex", presolve=False, extra=(("simplex_strategy", 1),)
        )
        return _Sub(index, lp, first, keys, settings, warm, built, shortfall, scale)

    def bases(self) -> list[tuple[int, np.ndarray, np.ndarray]]:
        """(index, column statuses, row statuses) of the last optimal basis of each case of
        :attr:`order` solved so far (HiGHS's ``HighsBasisStatus`` values as int8)."""
        out: list[tuple[int, np.ndarray, np.ndarray]] = []
        for index in self.order:
            s = self.subs[index]
            if s.solved:
                b = s.lp.get_basis()
                out.append((index, _statuses(b.col_status), _statuses(b.row_status)))
        return out

    def take(
        self, order: list[int], bases: dict[int, tuple[np.ndarray, np.ndarray]]
    ) -> list[tuple[int, float]]:
        """Hold the cases ``order`` (solved in that order) from now on; a case built here for
        the first time starts from ``bases[index]`` (its basis in the group that held it) if
        given. Returns (index, build seconds) of the cases built."""
        made: list[tuple[int, float]] = []
        for index in order:
            if index in self.subs:
                continue
            t0 = time.perf_counter()
            s = self._make(index)
            if index in bases:
                cols, rows = bases[index]
                if (len(cols), len(rows)) == (s.lp.h.getNumCol(), s.lp.h.getNumRow()):
                    basis = highspy.HighsBasis()
                    basis.col_status = [highspy.HighsBasisStatus(int(v)) for v in cols]
                    basis.row_status = [highspy.HighsBasisStatus(int(v)) for v in rows]
                    basis.valid = True
                    s.lp.set_basis(basis)
                    s.solved = True
            self.subs[index] = s
            made.append((index, time.perf_counter() - t0))
        self.order = list(order)
        return made

    def describe(self) -> dict[str, Any]:
        """First-stage names, bounds, keys and rows of every subproblem."""
        out: dict[int, dict[str, Any]] = {}
        for s in (self.subs[k] for k in self.order):
            names = list(s.first)
            lo, hi = s.lp.col_bounds([s.first[n] for n in names])
            out[s.index] = {
                "names": names,
                "lower": lo.tolist(),
                "upper": hi.tolist(),
                "keys": s.keys,
                "mip": s.lp.is_mip,
                "rows": _first_stage_rows(s.lp, set(s.first)),
            }
        return {"subs": out, "build_seconds": self.build_seconds}

    def solve(
        self, names: list[str], lo: np.ndarray, hi: np.ndarray, fresh: bool = False
    ) -> list[_Result]:
        """Every subproblem with its first stage within ``[lo, hi]`` (equal: fixed):
        (index, status, objective, first-stage values, reduced costs, seconds), in ``names``
        order (a column a case does not have: value ``lo``, reduced cost 0).

        ``fresh``: the group's first case forgets its basis and is solved by the dual
        simplex with presolve, as at the first incumbent, whose point is far from the one
        each case chose with x free (a full year of the example: 2.2–3.3 s against 29–32 s
        from that basis; in later rounds its own last basis is the faster start:
        docs/risk.md, "A fresh first incumbent").

        The first case of the group re-solves from its own last basis (the dual simplex:
        the bounds moved); each next one from the basis of the case solved just before it
        in this call (the same first stage; scenarios differ in data only, so the LPs have
        the same shape and that basis is primal feasible: the primal simplex). On the
        example's 10 screened spot scenarios in one process: 0.05–0.6 s a case against
        0.4–1.3 s from its own basis, 23.7 s for the whole decomposition against 41.5 s."""
        out: list[_Result] = []
        last: _Sub | None = None
        for s in (self.subs[k] for k in self.order):
            have = [k for k, n in enumerate(names) if n in s.first]
            cols = [s.first[names[k]] for k in have]
            s.lp.set_col_bounds_each(cols, lo[have], hi[have])
            t0 = time.perf_counter()
            sibling = (
                last
                if last is not None
                and (last.lp.num_rows, last.lp.num_cols) == (s.lp.num_rows, s.lp.num_cols)
                else None
            )
            if sibling is not None:
                how = "from a sibling's basis"
                s.lp.set_basis(sibling.lp.get_basis())
                status = s.lp.solve(_primal(s.warm))
                if status not in ("optimal", "infeasible"):
                    s.lp.clear_solver()
                    status = s.lp.solve(s.settings)
            elif s.solved and fresh:
                how = "presolved, no basis"
                s.lp.clear_solver()
                status = s.lp.solve(dataclasses.replace(s.warm, presolve=True))
            else:
                how = "warm" if s.solved else "cold"
                status = s.lp.solve(s.warm if s.solved else s.settings)
            if status not in ("optimal", "infeasible") and s.solved:
                log.info("case %d: warm re-solve ended %s; solving cold", s.index, status)
                s.lp.clear_solver()
                status = s.lp.solve(s.settings)
                if status not in ("optimal", "infeasible"):
                    s.lp.clear_solver()
                    status = s.lp.solve(dataclasses.replace(s.warm, presolve=True))
            seconds = time.perf_counter() - t0
            log.debug(
                "case %d: %s in %.2f s, %d simplex iterations (%s)",
                s.index,
                status,
                seconds,
                s.lp.h.getInfo().simplex_iteration_count,
                how,
            )
            x = np.array(lo, dtype=float)
            g = np.zeros(len(names))
            obj = float("nan")
            short = 0.0
            if status == "optimal":
                s.solved = True
                last = s
                obj = s.lp.objective
                x[have] = s.lp.values(cols)
                g[have] = s.lp.reduced_costs(cols)
                if len(s.shortfall):
                    short = float(np.max(s.lp.column_values(s.shortfall) / s.goal_scale))
            elif status == "infeasible":
                obj, g = self._violation(s, names, have, lo, hi)
                seconds = time.perf_counter() - t0
            out.append((s.index, str(status), obj, x, g, seconds, short))
        return out

    def summaries(
        self, names: list[str], x: np.ndarray, dispatch: bool = False
    ) -> list[tuple[int, dict[str, Any]]]:
        """Each case's own section 5 numbers with its first stage fixed at ``x`` (the
        answer): (index, summary), re-solved warm from its last basis. ``dispatch``: also
        its dispatch table and declared flows, under the summary's keys ``_dispatch`` and
        ``_flows`` (:func:`optimizer.results.dispatch.case_dispatch`)."""
        from optimizer.results.dispatch import case_dispatch
        from optimizer.results.summary import extract_case

        out: list[tuple[int, dict[str, Any]]] = []
        for r in self.solve(names, x, x):
            if r[1] != "optimal":
                raise SolverError(f"case {r[0]} ended {r[1]} at the answer's first stage")
        for s in (self.subs[k] for k in self.order):
            summary, acc = extract_case(s.built, s.lp, 0)
            if dispatch:
                case = s.built.builder.cases[0]
                summary["_dispatch"] = case_dispatch(case, acc, s.lp)
                summary["_flows"] = s.built.builder.flow_index
            out.append((s.index, summary))
        return out

    @staticmethod
    def _violation(
        s: _Sub, names: list[str], have: list[int], lo: np.ndarray, hi: np.ndarray
    ) -> tuple[float, np.ndarray]:
        """The phase-1 optimum v(x̂) > 0 and its subgradient h: the feasibility cut is
        ``v(x̂) + h·(x − x̂) ≤ 0``."""
        if s.phase1 is None:
            s.phase1 = _phase1(s.lp.h)
        idx = s.lp.cols([s.first[names[k]] for k in have]).astype(np.int32)
        value, slopes = phase1_cut(s.phase1, idx, lo[have], hi[have])
        g = np.zeros(len(names))
        g[have] = slopes
        return value, g


def _statuses(values: Sequence[Any]) -> np.ndarray:
    return np.fromiter((int(v) for v in values), dtype=np.int8, count=len(values))


def _elastic_goals(
    built: BuiltModel, lp: HighsLp, penalty: float | None
) -> tuple[np.ndarray, np.ndarray]:
    """A shortfall column (coefficient −1, cost ``penalty``) on each of the case's goal
    rows with a finite bound (``Σ dirty·Δt − s ≤ (1 − x)·Σ load·Δt``, ``Σ emissions − s ≤
    cap``); their indices and the rows' bound magnitudes (≥ 1)."""
    none = np.zeros(0, dtype=np.int32), np.ones(0)
    if penalty is None:
        return none
    case = built.builder.cases[0]
    rows = [r.row for r in (case.cfe, case.emissions_cap) if r is not None]
    bounds = np.array([lp.row_upper(r) for r in rows], dtype=float)
    finite = np.isfinite(bounds) & (bounds < 1e20)
    if not finite.any():
        return none
    idx = lp.rows([r for r, f in zip(rows, finite, strict=True) if f])
    cols = lp.add_slack_columns(idx, np.full(len(idx), float(penalty)), coefficient=-1.0)
    return cols, np.maximum(1.0, np.abs(bounds[finite]))


def _first_stage_rows(lp: HighsLp, names: set[str]) -> list[_Row]:
    """The LP's rows whose every nonzero is a first-stage column (one of ``names``)."""
    h = lp.h.getLp()
    A = lp.matrix().tocsr()
    first = np.zeros(h.num_col_, dtype=bool)  # columns added after the build: not first
    first[: len(lp.columns)] = [v.name in names for v in lp.columns]
    lower, upper = np.asarray(h.row_lower_), np.asarray(h.row_upper_)
    out: list[_Row] = []
    for r in range(A.shape[0]):
        a, b = A.indptr[r], A.indptr[r + 1]
        cols = A.indices[a:b]
        if not len(cols) or not first[cols].all():
            continue
        row = (
            tuple(lp.columns[int(j)].name for j in cols),
            tuple(float(v) for v in A.data[a:b]),
            float(lower[r]),
            float(upper[r]),
        )
        out.append(row)
    return out


# -- workers -----------------------------------------------------------------------------------
def _serve(
    conn: multiprocessing.connection.Connection, make: Callable[..., Any], args: tuple[Any, ...]
) -> None:
    """A worker: ``make(*args)`` (a group of subproblems with ``describe``), then each
    message ``(method, *arguments)`` answered by that method of the group."""
    try:
        group = make(*args)
        conn.send(("ok", group.describe()))
    except Exception as exc:  # pragma: no cover - reported to the parent
        conn.send(("error", repr(exc)))
        return
    while True:
        msg = conn.recv()
        if msg[0] == "stop":
            break
        try:
            conn.send(("ok", getattr(group, msg[0])(*msg[1:])))
        except Exception as exc:  # pragma: no cover - reported to the parent
            conn.send(("error", repr(exc)))


def _context() -> Any:
    """fork on Linux when this process has no other thread (the children inherit the
    imported stack and the problems), else spawn."""
    if fork_is_safe():
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context("spawn")


T = TypeVar("T")


def deal(items: Sequence[T], n: int) -> list[list[T]]:
    """``items`` dealt round robin into ``max(1, n)`` shares (empty shares dropped)."""
    shares: list[list[T]] = [[] for _ in range(max(1, n))]
    for k, item in enumerate(items):
        shares[k % len(shares)].append(item)
    return [s for s in shares if s]


def blocks(items: Sequence[T], n: int) -> list[list[T]]:
    """``items`` cut into ``max(1, n)`` runs of consecutive items, sizes differing by at
    most one (empty runs dropped)."""
    n = max(1, min(n, len(items)))
    size, extra = divmod(len(items), n)
    out: list[list[T]] = []
    start = 0
    for k in range(n):
        stop = start + size + (1 if k < extra else 0)
        out.append(list(items[start:stop]))
        start = stop
    return [s for s in out if s]


def _shares(study: Study, n: int) -> list[list[int]]:
    """The cases' indices in ``max(1, n)`` runs of consecutive cases: within a share each
    case re-solves from the basis of the one before it (:meth:`_Group.solve`), and
    neighbours in a scenario list are usually the most alike (``dcopt scenarios`` writes
    the base first, then the variants in the order of their ``--scale`` or ``--shift``
    list). On the example's 10 full-year spot scenarios on 2 workers the whole
    decomposition took 543 s against 778 s dealt round robin, the same 36 iterations
    (docs/risk.md, "Full years"). After the first incumbent the runs are cut again where
    neighbours differ most (:func:`split_chain`)."""
    return blocks(list(range(len(study.cases))), n)


def split_chain(distances: Sequence[float], n: int) -> list[int]:
    """Where to cut a chain of ``len(distances) + 1`` cases into ``n`` runs of consecutive
    cases: the runs' starts (the first is 0). ``distances[k]`` is the work of solving case
    k + 1 from case k's basis; a run costs the sum of its own distances (its first case
    re-solves from its own basis, the same for every run), and the cut minimises the
    largest run's cost, ties to the most even sizes, then to the earliest cut."""
    S = len(distances) + 1
    n = max(1, min(n, S))
    prefix = np.concatenate([[0.0], np.cumsum(np.asarray(distances, dtype=float))])

    def cost(a: int, b: int) -> float:  # cases a..b-1: distances a..b-2
        return float(prefix[b - 1] - prefix[a]) if b - a > 1 else 0.0

    # best[(j, b)]: the largest run cost and size, and the starts, of cases 0..b-1 in j runs
    best: dict[tuple[int, int], tuple[float, int, list[int]]] = {}
    for b in range(1, S + 1):
        best[(1, b)] = (cost(0, b), b, [0])
    for j in range(2, n + 1):
        for b in range(j, S + 1):
            options = []
            for a in range(j - 1, b):
                worst, size, starts = best[(j - 1, a)]
                options.append((max(worst, cost(a, b)), max(size, b - a), [*starts, a]))
            best[(j, b)] = min(options, key=lambda o: (o[0], o[1], o[2]))
    return best[(n, S)][2]


def basis_distance(a: tuple[np.ndarray, np.ndarray], b: tuple[np.ndarray, np.ndarray]) -> float:
    """How many columns and rows two bases of LPs of the same shape give different statuses
    (each differing basic variable costs the simplex at least one pivot); the size of the
    LP when the shapes differ (a sibling's basis is not used then)."""
    if a[0].shape != b[0].shape or a[1].shape != b[1].shape:
        return float(max(a[0].size + a[1].size, b[0].size + b[1].size))
    return float(np.count_nonzero(a[0] != b[0]) + np.count_nonzero(a[1] != b[1]))


class _Shares:
    """What the master asks of the shares of the scenarios, wherever they live
    (:class:`_Pool`, :class:`_DaskPool`): ``gather`` calls one :class:`_Group` method on
    every share and returns their results, each led by its case index."""

    descriptions: list[dict[str, Any]]
    """Each share's :meth:`_Group.describe`."""
    workers: int
    executor: str
    orders: list[list[int]] | None = None
    """The cases each share holds, in solving order (None: not a chain of scenarios)."""

    def gather(self, method: str, *args: Any) -> list[Any]:
        raise NotImplementedError

    def gather_each(self, method: str, args: Sequence[tuple[Any, ...]]) -> list[Any]:
        """``method(*args[i])`` on share i, the results of every share in one list."""
        raise NotImplementedError

    def solve(
        self, names: list[str], lo: np.ndarray, hi: np.ndarray, fresh: bool = False
    ) -> list[_Result]:
        """:meth:`_Group.solve` of every case, in case order (``fresh`` only where given:
        the years' groups take three arguments)."""
        args = (names, lo, hi, True) if fresh else (names, lo, hi)
        return sorted(self.gather("solve", *args), key=lambda r: r[0])

    def summaries(
        self, names: list[str], x: np.ndarray, dispatch: bool = False
    ) -> list[dict[str, Any]]:
        """Every case's summary at ``x``, in case order (:meth:`_Group.summaries`)."""
        parts = self.gather("summaries", names, x, dispatch)
        return [p for _, p in sorted(parts, key=lambda r: r[0])]

    def rebalance(self) -> None:
        """Cut the chain of scenarios again where neighbours' last bases differ most
        (:func:`split_chain` on :func:`basis_distance`; all cases solved at one first stage
        just before): a case whose sibling start is far then starts a run, from its own
        basis. Deterministic (statuses, not seconds). No-op with one share."""
        if self.orders is None or len(self.orders) < 2:
            return
        bases = {k: (c, r) for k, c, r in self.gather("bases")}
        S = sum(len(o) for o in self.orders)
        if len(bases) < S:
            return
        distances = [basis_distance(bases[k], bases[k + 1]) for k in range(S - 1)]
        starts = split_chain(distances, len(self.orders))
        orders = [list(range(a, b)) for a, b in zip(starts, [*starts[1:], S], strict=True)]
        log.info(
            "decomposition: neighbours' basis distances %s; shares %s (were %s)",
            [int(d) for d in distances],
            [f"{o[0]}-{o[-1]}" for o in orders],
            [f"{o[0]}-{o[-1]}" for o in self.orders],
        )
        if orders == self.orders:
            return
        args = []
        for old, new in zip(self.orders, orders, strict=True):
            args.append((new, {k: bases[k] for k in new if k not in old}))
        made = self.gather_each("take", args)
        if made:
            log.info(
                "decomposition: built %s", ", ".join(f"case {k} in {t:.2f} s" for k, t in made)
            )
        self.orders = orders


class ProcessPool(_Shares):
    """Persistent worker processes, each holding one group of subproblems made by
    ``make(*args)`` of its entry in ``makers``; ``local``: one group in this process (the
    first maker's)."""

    def __init__(self, makers: Sequence[tuple[Callable[..., Any], tuple[Any, ...]]], local: bool):
        self.local: Any = None
        self.conns: list[multiprocessing.connection.Connection] = []
        self.procs: list[multiprocessing.process.BaseProcess] = []
        self.workers = 0
        """Worker processes (0: the subproblems are solved in this process)."""
        if local:
            make, args = makers[0]
            self.local = make(*args)
            self.descriptions = [self.local.describe()]
            return
        ctx = _context()
        release_threads()  # a forked child inherits HiGHS's scheduler but not its threads
        for make, args in makers:
            parent, child = ctx.Pipe()
            p = ctx.Process(target=_serve, args=(child, make, args), daemon=True)
            p.start()
            child.close()
            self.conns.append(parent)
            self.procs.append(p)
        self.workers = len(self.conns)
        self.descriptions = [self._receive(c) for c in self.conns]

    executor = "local"

    @staticmethod
    def _receive(conn: multiprocessing.connection.Connection) -> Any:
        status, payload = conn.recv()
        if status != "ok":
            raise SolverError(f"a decomposition worker failed: {payload}")
        return payload

    def gather(self, method: str, *args: Any) -> list[Any]:
        if self.local is not None:
            return list(getattr(self.local, method)(*args))
        for c in self.conns:
            c.send((method, *args))
        return [r for c in self.conns for r in self._receive(c)]

    def gather_each(self, method: str, args: Sequence[tuple[Any, ...]]) -> list[Any]:
        if self.local is not None:
            return list(getattr(self.local, method)(*args[0]))
        for c, a in zip(self.conns, args, strict=True):
            c.send((method, *a))
        return [r for c in self.conns for r in self._receive(c)]

    def close(self) -> None:
        for c in self.conns:
            with contextlib.suppress(BrokenPipeError, OSError):
                c.send(("stop",))
            c.close()
        for p in self.procs:
            p.join(timeout=10)
            if p.is_alive():
                p.terminate()
        self.conns, self.procs = [], []


class _Pool(ProcessPool):
    """``workers`` persistent processes, each holding a share of the scenarios (a run of
    consecutive ones, :func:`_shares`, cut again by :meth:`_Shares.rebalance`); ``workers=0``:
    one :class:`_Group` in this process."""

    def __init__(
        self,
        study: Study,
        options: SolveOptions,
        workers: int,
        build: BuildOptions | None = None,
        goal_penalty: float | None = GOAL_PENALTY,
    ) -> None:
        problems = [(k, case.problem) for k, case in enumerate(study.cases)]
        shares = _shares(study, workers)
        makers = [(_Group, (problems, options, build, goal_penalty, share)) for share in shares]
        super().__init__(makers, local=workers <= 0)
        self.orders = shares[:1] if workers <= 0 else shares


class _DaskPool(_Shares):
    """The same shares as :class:`_Pool`, each held by a Dask actor (a :class:`_Group`
    living on one worker of the cluster, built once, warm between iterations).

    ``scheduler`` is a scheduler address (``tcp://host:8786``) or a connected
    ``distributed.Client``; ``workers`` shares (0: one per worker of the cluster) are placed
    round robin over the cluster's workers. Subproblems of one share are solved in turn on
    its worker, on one HiGHS thread, as in the local pool."""

    def __init__(
        self,
        study: Study,
        options: SolveOptions,
        workers: int,
        scheduler: Any,
        build: BuildOptions | None = None,
        goal_penalty: float | None = GOAL_PENALTY,
    ) -> None:
        from distributed import Client

        self.own = not isinstance(scheduler, Client)
        self.actors: list[Any] = []
        self.workers = 0
        self.client = Client(scheduler) if self.own else scheduler
        try:
            addresses = sorted(self.client.scheduler_info()["workers"])
            if not addresses:
                raise SolverError(f"the Dask cluster at {scheduler} has no workers")
            n = workers if workers > 0 else len(addresses)
            shares = _shares(study, n)
            problems = [(k, case.problem) for k, case in enumerate(study.cases)]
            futures = [
                self.client.submit(
                    _Group,
                    problems,
                    options,
                    build,
                    goal_penalty,
                    share,
                    actor=True,
                    workers=[addresses[i % len(addresses)]],
                )
                for i, share in enumerate(shares)
            ]
            self.actors = [f.result() for f in futures]
            self.workers = len(self.actors)
            self.orders = shares
            self.descriptions = [a.describe().result() for a in self.actors]
        except Exception:
            self.close()
            raise

    executor = "dask"

    def gather(self, method: str, *args: Any) -> list[Any]:
        calls = [getattr(a, method)(*args) for a in self.actors]
        return [r for c in calls for r in c.result()]

    def gather_each(self, method: str, args: Sequence[tuple[Any, ...]]) -> list[Any]:
        calls = [getattr(a, method)(*x) for a, x in zip(self.actors, args, strict=True)]
        return [r for c in calls for r in c.result()]

    def close(self) -> None:
        self.actors = []
        if self.own:
            self.client.close()


# -- master ------------------------------------------------------------------------------------
class _Master:
    """``min c·x + (1−ω)·Σ p·η + ω·(θ + Σ p·a/(1−α))`` over x, η (θ, a) with the cuts so
    far (``c`` = ``x_cost``, zero for scenarios)."""

    def __init__(
        self,
        names: list[str],
        lower: np.ndarray,
        upper: np.ndarray,
        rows: list[_Row],
        probs: np.ndarray,
        eta_lower: np.ndarray,
        alpha: float,
        omega: float,
        x_cost: np.ndarray | None = None,
    ) -> None:
        n, S = len(names), len(probs)
        self.n, self.S = n, S
        self.h = highspy.Highs()
        self.h.setOptionValue("output_flag", False)
        self.h.setOptionValue("solver", "simplex")
        self.h.setOptionValue("primal_feasibility_tolerance", 1e-9)
        self.h.setOptionValue("dual_feasibility_tolerance", 1e-9)
        risk = omega > 0
        own = np.zeros(n) if x_cost is None else np.asarray(x_cost, dtype=float)
        cost = np.concatenate([own, (1.0 - omega) * probs])
        lo = np.concatenate([lower, eta_lower])
        hi = np.concatenate([upper, np.full(S, _INF)])
        if risk:
            cost = np.concatenate([cost, [omega], omega * probs / (1.0 - alpha)])
            lo = np.concatenate([lo, [-_INF], np.zeros(S)])
            hi = np.concatenate([hi, [_INF], np.full(S, _INF)])
        self.h.addVars(len(cost), lo, hi)
        self.h.changeColsCost(len(cost), np.arange(len(cost), dtype=np.int32), cost)
        where = {name: k for k, name in enumerate(names)}
        for cols, coefs, rl, ru in rows:
            idx = np.array([where[c] for c in cols], dtype=np.int32)
            self.h.addRow(rl, ru, len(idx), idx, np.array(coefs))
        if risk:  # a_s − η_s + θ ≥ 0
            theta = n + S
            for s in range(S):
                idx = np.array([theta + 1 + s, n + s, theta], dtype=np.int32)
                self.h.addRow(0.0, _INF, 3, idx, np.array([1.0, -1.0, 1.0]))
        self.cuts = 0

    def add_feasibility_cut(self, value: float, g: np.ndarray, at: np.ndarray) -> None:
        """``v(x̂) + g·(x − x̂) ≤ 0``, i.e. ``g·x ≤ g·x̂ − v(x̂)``."""
        nz = np.flatnonzero(np.abs(g) > 1e-12)
        if not len(nz):
            raise _Infeasible("a case is infeasible whatever the first stage")
        k = _row_scale(g[nz])
        upper = float(g[nz] @ at[nz] - value) / k
        self.h.addRow(-_INF, upper, len(nz), nz.astype(np.int32), g[nz] / k)
        self.cuts += 1

    def add_cut(self, s: int, value: float, g: np.ndarray, at: np.ndarray) -> None:
        """``η_s − g·x ≥ Q_s(x̂) − g·x̂``, divided by its largest coefficient (the slopes
        of elastic goal rows reach 1e7–1e8 per MW; unscaled, the master's simplex ended
        "Unknown" against its 1e-9 tolerances)."""
        nz = np.flatnonzero(np.abs(g) > 1e-12)
        idx = np.concatenate([nz, [self.n + s]]).astype(np.int32)
        coefs = np.concatenate([-g[nz], [1.0]])
        k = _row_scale(coefs)
        self.h.addRow(float(value - g[nz] @ at[nz]) / k, _INF, len(idx), idx, coefs / k)
        self.cuts += 1

    def row_duals(self, count: int) -> np.ndarray:
        """The duals of the first ``count`` rows (the first-stage rows it was given) at
        its last solve."""
        return np.asarray(self.h.getSolution().row_dual)[:count].copy()

    def solve(self) -> tuple[float, np.ndarray]:
        self.h.run()
        if self.h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            status = self.h.modelStatusToString(self.h.getModelStatus())
            raise SolverError(f"the decomposition master ended {status}")
        x = np.asarray(self.h.getSolution().col_value)[: self.n]
        return float(self.h.getInfo().objective_function_value), x


def _row_scale(coefs: np.ndarray) -> float:
    """A cut's divisor: its largest coefficient's magnitude, at least 1."""
    return max(1.0, float(np.max(np.abs(coefs)))) if len(coefs) else 1.0


def risk_objective(costs: np.ndarray, probs: np.ndarray, alpha: float, omega: float) -> float:
    """``(1−ω)·Σ p·C + ω·min_θ (θ + Σ p·(C−θ)⁺/(1−α))``; the minimum is at one of the C_s
    (the function of θ is convex and piecewise linear with breakpoints there)."""
    expected = float(probs @ costs)
    if omega <= 0:
        return expected
    cvar = min(
        float(t + probs @ np.maximum(costs - t, 0.0) / (1.0 - alpha)) for t in costs.tolist()
    )
    return (1.0 - omega) * expected + omega * cvar


def _refusal(study: Study) -> str | None:
    if study.kind != "scenarios":
        return "decomposition is over scenarios (uncertainty.scenarios)"
    if study.targets_apply == "expectation":
        return "goals in expectation couple the scenarios"
    return None


def solve_deterministic(
    study: Study, options: SolveOptions, reason: str, build: BuildOptions | None = None
) -> dict[str, Any]:
    """The DE, in the shape :func:`solve_decomposed` returns."""
    t0 = time.perf_counter()
    built = build_model(study, build)
    lp = HighsLp(built.model)
    status = lp.solve(choose_settings(options, sum(c.T for c in built.builder.cases)))
    if status != "optimal":
        raise SolverError(f"the deterministic equivalent ended {status}")
    costs = {}
    for c in built.builder.cases:
        coefs, variables = c.cost.linear()
        costs[c.name] = float(np.dot(coefs, lp.values(list(variables)))) + c.cost.constant
    return {
        "method": "deterministic_equivalent",
        "reason": reason,
        "objective": lp.objective,
        "first_stage": {
            k: float(lp.values([fs.var])[0]) for k, fs in built.builder.first_stage.items()
        },
        "scenario_costs": costs,
        "iterations": 0,
        "seconds": time.perf_counter() - t0,
    }


def solve_decomposed(
    study: Study,
    options: SolveOptions | None = None,
    workers: int = 2,
    tolerance: float = TOLERANCE,
    max_iterations: int = MAX_ITERATIONS,
    in_out: float = IN_OUT,
    scheduler: Any = None,
    build_options: BuildOptions | None = None,
    goal_penalty: float | None = GOAL_PENALTY,
    summaries: bool = False,
    fallback: bool = True,
    dispatch: bool = False,
) -> dict[str, Any]:
    """The study's optimum by multi-cut Benders over its scenarios (module docstring).

    ``summaries``: also each scenario's section 5 numbers at the answer (``parts``, in
    case order; :func:`optimizer.results.cases.scenario_set_summary` makes the study's
    summary of them); with ``dispatch`` each part also holds its dispatch table and flows
    (``_dispatch``, ``_flows``). ``fallback=False``: where the study is not decomposed, return
    ``method`` None with the ``reason`` instead of solving the DE.

    ``goal_penalty``: the cost per MWh (tCO2) of the elastic goal rows in the subproblems
    (None: hard rows and feasibility cuts).

    ``build_options``: how each case's LP (and the DE, when it is solved instead) is built,
    e.g. a screening's storage periods (:func:`optimizer.screening.screened_study`).

    ``scheduler`` (a Dask scheduler address or a ``distributed.Client``): the subproblems
    live on that cluster's workers as actors (:class:`_DaskPool`; ``workers=0`` there means
    one share per cluster worker) instead of local processes.

    Returns ``method`` ("decomposition", or "deterministic_equivalent" with a ``reason``),
    ``objective``, ``first_stage`` (by the builder's first_stage keys), ``scenario_costs``
    (C_s at the answer, capital included), ``lower``/``upper``/``gap``, ``converged``
    (False: ``max_iterations`` ran out first), ``iterations``,
    ``cuts``, ``feasibility_cuts``, ``goal_penalty`` and ``seconds`` (``build``,
    ``subproblems``, of them ``first`` up to the first incumbent, ``master``, ``total``).
    ``in_out``: the stabilisation step λ (1: plain Kelley cuts at the master's points)."""
    options = options or SolveOptions()
    reason = _refusal(study)
    if reason is not None and not fallback:
        return {"method": None, "reason": reason}
    if reason is not None:
        log.info("not decomposed (%s): solving the deterministic equivalent", reason)
        return solve_deterministic(study, options, reason, build_options)
    t0 = time.perf_counter()
    probs = np.array([c.weight for c in study.cases], dtype=float)
    alpha, omega = study.risk.alpha, study.risk.weight
    pool: _Pool | _DaskPool = (
        _Pool(study, options, workers, build_options, goal_penalty)
        if scheduler is None
        else _DaskPool(study, options, workers, scheduler, build_options, goal_penalty)
    )
    try:
        out = _loop(
            study,
            pool,
            probs,
            alpha,
            omega,
            tolerance,
            max_iterations,
            in_out,
            t0,
            goal_penalty,
            fresh_start=True,
            deadline=None
            if options.time_limit_seconds is None
            else t0 + options.time_limit_seconds,
        )
        if summaries:
            t1 = time.perf_counter()
            out["parts"] = pool.summaries(out["names"], out["x"], dispatch)
            out["seconds"]["summaries"] = time.perf_counter() - t1
            out["seconds"]["total"] = time.perf_counter() - t0
        del out["names"], out["x"], out["row_duals"]
        return out
    except _Infeasible as exc:
        reason = str(exc)
    finally:
        pool.close()
        # the master's Highs started this process's scheduler behind HighsLp's back
        release_threads()
        highspy.Highs.resetGlobalScheduler(True)
    if not fallback:
        return {"method": None, "reason": reason}
    log.info("%s: solving the deterministic equivalent", reason)
    return solve_deterministic(study, options, reason, build_options)


def _loop(
    study: Study,
    pool: _Shares,
    probs: np.ndarray,
    alpha: float,
    omega: float,
    tolerance: float,
    max_iterations: int,
    in_out: float,
    t0: float,
    goal_penalty: float | None,
    x_cost: np.ndarray | None = None,
    starts: Callable[[np.ndarray, np.ndarray, np.ndarray], list[np.ndarray]] | None = None,
    far: tuple[float, float] | None = None,
    fresh_start: bool = False,
    deadline: float | None = None,
) -> dict[str, Any]:
    """The Benders loop over ``pool``'s subproblems (module docstring).

    ``deadline`` (a ``time.perf_counter()`` instant): no new iteration starts after it, and
    a round whose subproblems end at HiGHS's time limit after it ends the loop; the
    incumbent is returned with ``time_limit`` True and ``converged`` False, or
    :class:`TimeLimitReached` raised when there is none yet.

    ``fresh_start``: the first incumbents are evaluated with ``fresh`` solves
    (:meth:`_Group.solve`).

    ``x_cost``: the first stage's own cost (``c·x`` in the master and in every upper
    bound; none for scenarios, whose first-stage costs live in every case's C_s).
    ``starts(lo, hi, alone)``: first incumbents to try, from the first stages the cases
    chose alone (one row each); default the probability-weighted mean, then the largest.
    ``far`` = (λ, gap): while the relative gap exceeds ``gap`` an improvement resets the
    in-out step to this λ instead of ``in_out`` (shorter moves while the master's points
    are far from the optimum)."""
    subs: dict[int, dict[str, Any]] = {}
    build_seconds = 0.0
    for d in pool.descriptions:
        subs.update(d["subs"])
        build_seconds = max(build_seconds, d["build_seconds"])
    if any(d["mip"] for d in subs.values()):
        raise _Infeasible("integer columns (signed offers) are not decomposed")
    names: list[str] = []
    lower: dict[str, float] = {}
    upper: dict[str, float] = {}
    for k in sorted(subs):  # x within every case's bounds (a scenario may set max_mw)
        for n, lo, hi in zip(subs[k]["names"], subs[k]["lower"], subs[k]["upper"], strict=True):
            if n not in lower:
                names.append(n)
                lower[n], upper[n] = lo, hi
            else:
                lower[n], upper[n] = max(lower[n], lo), min(upper[n], hi)
    rows: list[_Row] = []
    seen: set[_Row] = set()
    for k in sorted(subs):
        for r in subs[k]["rows"]:
            if r not in seen:
                seen.add(r)
                rows.append(r)
    lo = np.array([lower[n] for n in names])
    hi = np.array([upper[n] for n in names])
    S = len(study.cases)
    t_sub = 0.0
    t1 = time.perf_counter()
    free = pool.solve(names, lo, hi)  # each case with x free: L_s and a first cut
    t_sub += time.perf_counter() - t1
    log.info("decomposition: %d cases alone in %.2f s", S, t_sub)
    for index, status, *_ in free:
        if status == "time_limit":
            raise TimeLimitReached(f"scenario {study.cases[index].name} alone ran out of time")
        if status != "optimal":
            raise SolverError(f"scenario {study.cases[index].name} alone ended {status}")
    eta_lower = np.array([r[2] for r in free])
    cost = np.zeros(len(names)) if x_cost is None else np.asarray(x_cost, dtype=float)
    master = _Master(names, lo, hi, rows, probs, eta_lower, alpha, omega, cost)
    for index, _, value, x, g, *_ in free:
        master.add_cut(index, value, g, x)
    best: tuple[float, np.ndarray, np.ndarray, float] | None = None
    """(upper bound, first stage, the cases' costs, the largest goal shortfall there)"""
    lower_bound = -np.inf
    t_master = 0.0
    iterations = 0
    feasibility_cuts = 0

    def evaluate(at: np.ndarray, fresh: bool = False) -> tuple[np.ndarray, float] | None:
        """Cuts at ``at``; its costs Q_s and the largest goal shortfall, if every case can
        serve it (``fresh``: :meth:`_Group.solve`'s)."""
        nonlocal t_sub, feasibility_cuts
        t1 = time.perf_counter()
        fixed = pool.solve(names, at, at, fresh)
        t_sub += time.perf_counter() - t1
        bad = [study.cases[r[0]].name for r in fixed if r[1] not in ("optimal", "infeasible")]
        if bad and deadline is not None and time.perf_counter() >= deadline:
            raise _OutOfTime(f"scenario(s) {bad} ran out of time")
        if bad:
            raise _Infeasible(f"scenario(s) {bad} did not solve at the master's first stage")
        feasible = True
        for index, status, value, _, g, *_ in fixed:
            if status == "infeasible":
                feasible = False
                feasibility_cuts += 1
                master.add_feasibility_cut(value, g, at)
            else:
                master.add_cut(index, value, g, at)
        if not feasible:
            return None
        return np.array([r[2] for r in fixed]), max(r[6] for r in fixed)

    # A first incumbent: the probability-weighted mean of the first stages the cases chose
    # alone (on the example's 10 screened spot scenarios 0.05 % above the optimum, against
    # 2.6 % for the largest of them); if some case cannot serve it (a hard row), the
    # largest (more capacity usually serves every case).
    alone = np.array([r[3] for r in free])
    tried = (
        starts(lo, hi, alone)
        if starts is not None
        else [np.clip(probs @ alone, lo, hi), np.clip(np.max(alone, axis=0), lo, hi)]
    )
    for start in tried:
        try:
            e0 = evaluate(start, fresh=fresh_start)
        except _OutOfTime as exc:
            raise TimeLimitReached(f"{exc} at the first incumbent") from None
        if e0 is not None:
            best = (risk_objective(e0[0], probs, alpha, omega) + cost @ start, start, *e0)
            break
    pool.rebalance()
    t_first = t_sub
    log.info(
        "decomposition: first incumbent %s after %.2f s of subproblems",
        "none" if best is None else f"{best[0]:.6f}",
        t_sub,
    )
    lam = in_out if far is None else far[0]
    previous: tuple[float, np.ndarray] | None = None
    flat = 0
    converged = False
    timed_out = False
    while iterations < max_iterations:
        if deadline is not None and time.perf_counter() >= deadline:
            timed_out = True
            break
        iterations += 1
        t1 = time.perf_counter()
        lower_bound, xm = master.solve()
        xm = np.clip(xm, lo, hi)
        t_master += time.perf_counter() - t1
        if best is not None and best[0] - lower_bound <= tolerance * max(1.0, abs(best[0])):
            # the master's point is a vertex: the answer the DE would give, where the
            # incumbent (a point between) may sit inside a flat face
            if not np.allclose(xm, best[1], rtol=0.0, atol=1e-9):
                e = evaluate(xm)
                if e is not None:
                    upper_bound = risk_objective(e[0], probs, alpha, omega) + cost @ xm
                    if upper_bound <= best[0] + tolerance * max(1.0, abs(best[0])):
                        best = (upper_bound, xm.copy(), *e)
            converged = True
            break
        if previous is not None:
            repeated = bool(np.allclose(xm, previous[1], rtol=0.0, atol=1e-9))
            flat = flat + 1 if lower_bound <= previous[0] else 0
            if repeated or flat >= STALL:
                lam, flat = min(1.0, lam + 0.25), 0
        previous = (lower_bound, xm.copy())
        # in-out stabilisation: separate between the master's point and the incumbent
        at = xm if best is None else np.clip(lam * xm + (1.0 - lam) * best[1], lo, hi)
        try:
            e = evaluate(at)
        except _OutOfTime:
            timed_out = True
            break
        improved = False
        if e is not None:
            upper_bound = risk_objective(e[0], probs, alpha, omega) + cost @ at
            if best is None or upper_bound < best[0]:
                best = (upper_bound, at.copy(), *e)
                improved = True
        reset = in_out
        if far is not None and (
            best is None or best[0] - lower_bound > far[1] * max(1.0, abs(best[0]))
        ):
            reset = far[0]
        if improved:
            lam = reset
        log.info(
            "benders iteration %d: lower %.6f upper %s (step %.2f)",
            iterations,
            lower_bound,
            "none" if best is None else f"{best[0]:.6f}",
            lam,
        )
    if best is None and timed_out:
        raise TimeLimitReached(f"no feasible first stage in {iterations} iterations")
    if best is None:
        raise _Infeasible(f"no feasible first stage in {iterations} iterations")
    objective, x, q, short = best
    if short > SHORTFALL:
        raise _Infeasible(
            f"the goal rows' penalty ({goal_penalty:g} per MWh or tCO2) was not exact: a "
            f"shortfall of {short:.3g} of its bound at the answer"
        )
    keys = subs[min(subs)]["keys"]
    where = {n: k for k, n in enumerate(names)}
    first_stage = {
        key: float(x[where[name]]) if name in where else 0.0 for key, name in keys.items()
    }
    total = time.perf_counter() - t0
    gap = objective - lower_bound
    if not converged:
        # at convergence the vertex may replace the incumbent within one more tolerance
        log.warning(
            "decomposition stopped after %d iterations with gap %.3g%s",
            iterations,
            gap,
            " (time limit)" if timed_out else "",
        )
    return {
        "method": "decomposition",
        "objective": objective,
        "first_stage": first_stage,
        "scenario_costs": {c.name: float(q[k]) for k, c in enumerate(study.cases)},
        "lower": lower_bound,
        "upper": objective,
        "gap": gap,
        "converged": converged,
        "time_limit": timed_out,
        "iterations": iterations,
        "cuts": master.cuts,
        "feasibility_cuts": feasibility_cuts,
        "goal_penalty": goal_penalty,
        "scenarios": S,
        "names": names,
        "x": x,
        "row_duals": master.row_duals(len(rows)),
        "workers": pool.workers,
        "executor": pool.executor,
        "seconds": {
            "build": build_seconds,
            "subproblems": t_sub,
            "first": t_first,
            "master": t_master,
            "total": total,
        },
    }
