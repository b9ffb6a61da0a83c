"""The bridge from the Pyomo model to HiGHS (highspy): compile once, solve, re-solve.

:func:`optimizer.model.compiler.compile_model` turns the model into
``min c·x  s.t.  L ≤ A·x ≤ U, l ≤ x ≤ u``;
the matrix goes to ``highspy.Highs`` directly, which keeps the model and its basis between
solves, so that a frontier or a comparison changes one bound and warm-starts.
Variables and constraints are addressed by their Pyomo objects, never by name strings.
"""

from __future__ import annotations

import functools
import importlib.util
import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import highspy
import numpy as np
from pyomo.core.base.constraint import ConstraintData
from pyomo.core.base.var import VarData

from optimizer.gcpause import gc_paused
from optimizer.model.compiler import compile_model

log = logging.getLogger(__name__)

Status = Literal["optimal", "infeasible", "unbounded", "time_limit", "error"]
Algorithm = Literal["auto", "simplex", "ipm", "ipx", "hipo", "pdlp"]
"""``ipx`` and ``hipo`` are HiGHS's two interior point solvers; ``ipm`` is the one named by
:attr:`HighsSettings.interior` (or HiGHS's pick: HiPO when highspy-extras is installed);
``auto`` lets HiGHS pick any algorithm."""
Interior = Literal["hipo", "ipx"]

_INF = highspy.kHighsInf
_INTERIOR = ("ipm", "ipx", "hipo")


def highs_lp(
    A: Any,
    cost: np.ndarray,
    col_lower: np.ndarray,
    col_upper: np.ndarray,
    row_lower: np.ndarray,
    row_upper: np.ndarray,
    offset: float = 0.0,
) -> highspy.HighsLp:
    """``min cost·x + offset  s.t.  row_lower ≤ A·x ≤ row_upper, col_lower ≤ x ≤ col_upper``
    as a HiGHS model; ``A`` a scipy CSC matrix."""
    lp = highspy.HighsLp()
    lp.num_col_, lp.num_row_ = int(A.shape[1]), int(A.shape[0])
    lp.col_cost_ = np.asarray(cost, dtype=float)
    lp.col_lower_ = np.asarray(col_lower, dtype=float)
    lp.col_upper_ = np.asarray(col_upper, dtype=float)
    lp.row_lower_ = np.asarray(row_lower, dtype=float)
    lp.row_upper_ = np.asarray(row_upper, dtype=float)
    lp.offset_ = float(offset)
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = A.indptr.astype(np.int32)
    lp.a_matrix_.index_ = A.indices.astype(np.int32)
    lp.a_matrix_.value_ = A.data.astype(float)
    lp.sense_ = highspy.ObjSense.kMinimize
    return lp


def add_slack_columns(
    h: highspy.Highs, rows: np.ndarray, cost: np.ndarray, coefficient: float = 1.0
) -> np.ndarray:
    """One new column ``≥ 0`` per row in ``rows`` with ``coefficient`` there, at ``cost``;
    their column indices."""
    n = len(rows)
    first = h.getNumCol()
    h.addCols(
        n,
        np.asarray(cost, dtype=float),
        np.zeros(n),
        np.full(n, _INF),
        n,
        np.arange(n, dtype=np.int32),
        np.asarray(rows, dtype=np.int32),
        np.full(n, float(coefficient)),
    )
    return np.arange(first, first + n, dtype=np.int32)


@functools.cache
def hipo_available() -> bool:
    """HiPO needs the BLAS and METIS of the ``highspy-extras`` wheel (``highspy[extras]``)."""
    return importlib.util.find_spec("highspy_extras") is not None


_scheduler_threads: int | None = None
"""Threads of HiGHS's process-wide task scheduler, once a solve of this process started it."""


def _use_threads(h: highspy.Highs, threads: int | None) -> int | None:
    """Set ``threads``; HiGHS keeps one scheduler per process, sized by its first solve, and
    refuses a later solve with another count (``Highs::resetGlobalScheduler`` rebuilds it)."""
    global _scheduler_threads, _scheduler_started
    want = int(threads) if threads else 0  # 0: HiGHS's own default
    if _scheduler_started and _scheduler_threads_option != want:
        # the scheduler was sized by an earlier solve (with another count, or HiGHS's
        # default): rebuild it, else HiGHS ends the solve with status "Not Set"
        highspy.Highs.resetGlobalScheduler(True)
    _set_started(want)
    h.setOptionValue("threads", want)
    _scheduler_threads = want or None
    return _scheduler_threads


_scheduler_started = False
_scheduler_threads_option = 0
"""The ``threads`` option the running scheduler was started with (0: HiGHS's default)."""


def _set_started(option: int) -> None:
    global _scheduler_started, _scheduler_threads_option
    _scheduler_started = True
    _scheduler_threads_option = option


MAX_ENUMERATION = 64
"""Up to this many combinations of signed offers are enumerated (one LP each, warm-started);
beyond, one MILP (docs/decisions.md: measured 5x faster for 3 x 3 offers on a week)."""

MIP_REL_GAP = 1e-9
"""Relative MILP gap: the choice of signed offers is exact (compare reads differences)."""


@dataclass(frozen=True)
class HighsSettings:
    """Solver settings dcopt exposes; everything else stays at HiGHS's defaults."""

    algorithm: Algorithm = "auto"
    interior: Interior | None = None
    """Which interior point ``algorithm="ipm"`` runs; None: HiGHS's choice."""
    time_limit_seconds: float | None = None
    threads: int | None = None
    """HiGHS threads (HiPO and IPX use them; the dual simplex is serial); None: HiGHS's."""
    presolve: bool = True
    crossover: bool = True
    """After the interior point, find a basic solution (exact duals, warm-startable basis)."""
    extra: tuple[tuple[str, Any], ...] = ()
    """Any other HiGHS option, as (name, value) pairs."""


@dataclass(frozen=True)
class SolveRecord:
    """What the last :meth:`HighsLp.solve` really ran (for ``summary.json`` → ``solver``)."""

    algorithm: str
    """hipo | ipx | ipm (HiGHS's interior point, which one unknown) | simplex | pdlp"""
    crossover: bool | None
    """Whether crossover ran after the interior point; None for simplex and PDLP."""
    threads: int | None
    """HiGHS threads (None: HiGHS's default)."""
    ipm_iterations: int = 0
    crossover_iterations: int = 0
    simplex_iterations: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "algorithm": self.algorithm,
            "crossover": self.crossover,
            "threads": self.threads,
            "ipm_iterations": self.ipm_iterations,
            "crossover_iterations": self.crossover_iterations,
            "simplex_iterations": self.simplex_iterations,
        }


class HighsLp:
    """A compiled LP held in a ``highspy.Highs`` instance."""

    @gc_paused
    def __init__(self, model: Any) -> None:
        t0 = time.perf_counter()
        form = compile_model(model)
        self.compile_seconds = time.perf_counter() - t0
        self.columns: list[VarData] = form.columns
        self._col: dict[int, int] = form.col_index
        self.row_cons: list[ConstraintData] = form.rows
        self._row: dict[int, int] = {id(con): i for i, con in enumerate(form.rows)}
        n = len(self.columns)
        A = form.A
        c = form.cost
        self.offset = form.offset
        lb, ub = form.col_lower, form.col_upper
        lower, upper = form.row_lower, form.row_upper
        keep = form.rows

        self.h = highspy.Highs()
        self.h.setOptionValue("output_flag", False)
        lp = highs_lp(A, c, lb, ub, np.array(lower), np.array(upper), self.offset)
        self._int: np.ndarray | None = None
        """Integer columns (CONTRACT 13's signed offers); None for a pure LP."""
        self._groups: list[np.ndarray] | None = None
        """The integer columns as "exactly one of" groups, where every one is in such a row."""
        if form.integer_cols is not None:
            self._int = form.integer_cols.astype(np.int32)
            self._int_lo = np.asarray(lb, dtype=float)[self._int].copy()
            self._int_hi = np.asarray(ub, dtype=float)[self._int].copy()
            self._groups = _choice_groups(A, lower, upper, self._int)
        self._lp_basis: Any = None
        """The basis of the last LP with the integers fixed (warm start of the next)."""
        self.choice_method: Literal["auto", "enumerate", "milp"] = "auto"
        """How integer columns are solved: auto = enumerate up to MAX_ENUMERATION choices."""
        self.mip_seconds = 0.0
        self.choices_solved = 0
        """LPs solved by the last enumeration (0: the last solve was an LP or a MILP)."""
        self.h.passModel(lp)
        self.cost = c.copy()
        self._x: np.ndarray | None = None
        self._objective: float | None = None
        """Set with a solution found otherwise (:meth:`set_solution`)."""
        self._row_dual: np.ndarray | None = None
        self._col_dual: np.ndarray | None = None
        self.solve_seconds = 0.0
        self._algorithm = "auto"
        self._crossover = True
        self._threads: int | None = None
        self.record: SolveRecord | None = None
        """What the last solve ran; None before the first."""
        log.debug(
            "compiled LP: %d rows, %d columns, %d nonzeros in %.2f s",
            len(keep),
            n,
            A.nnz,
            self.compile_seconds,
        )

    # -- addressing ----------------------------------------------------------------------
    def cols(self, variables: Sequence[VarData]) -> np.ndarray:
        """Column indices of ``variables``; -1 for a variable the compiler dropped (unused)."""
        get = self._col.get
        return np.fromiter(
            (get(id(v), -1) for v in variables), dtype=np.int64, count=len(variables)
        )

    def row(self, con: ConstraintData) -> int:
        return self._row[id(con)]

    def rows(self, cons: Sequence[ConstraintData]) -> np.ndarray:
        return np.fromiter((self._row[id(c)] for c in cons), dtype=np.int64, count=len(cons))

    @property
    def num_rows(self) -> int:
        return len(self.row_cons)

    @property
    def num_cols(self) -> int:
        return len(self.columns)

    # -- solving -------------------------------------------------------------------------
    def apply(self, settings: HighsSettings) -> None:
        h = self.h
        algorithm: str = settings.algorithm
        if algorithm == "ipm" and settings.interior is not None:
            algorithm = settings.interior
        if algorithm == "hipo" and not hipo_available():
            log.warning("HiPO needs highspy[extras] (not installed); using IPX")
            algorithm = "ipx"
        h.setOptionValue("solver", "choose" if algorithm == "auto" else algorithm)
        if algorithm in _INTERIOR:
            h.setOptionValue("run_crossover", "on" if settings.crossover else "off")
        h.setOptionValue("presolve", "on" if settings.presolve else "off")
        h.setOptionValue(
            "time_limit",
            float(settings.time_limit_seconds) if settings.time_limit_seconds else _INF,
        )
        self._threads = _use_threads(h, settings.threads)
        for name, value in settings.extra:
            h.setOptionValue(name, value)
        self._algorithm = algorithm
        self._crossover = settings.crossover

    @property
    def is_mip(self) -> bool:
        return self._int is not None

    def solve(self, settings: HighsSettings | None = None) -> Status:
        """Solve the LP; a model with integer columns as a MILP, then the LP with the
        integers fixed at the MILP's optimum, whose solution and duals are reported."""
        self._objective = None
        if self._int is not None:
            enumerate_ = self.choice_method == "enumerate" or (
                self.choice_method == "auto" and self._combinations() <= MAX_ENUMERATION
            )
            if self._groups is not None and enumerate_:
                return self._solve_enumerate(settings)
            return self._solve_mip(settings)
        return self._solve_lp(settings)

    # -- integer columns: enumeration of the choices, or a MILP ------------------------------
    def _allowed(self) -> list[np.ndarray]:
        """Per group, the positions (in ``self._int``) a choice may take under the current
        bounds: not forced to 0, and the one forced to 1 if any."""
        assert self._int is not None and self._groups is not None
        out = []
        for g in self._groups:
            pos = np.searchsorted(self._int, g)
            forced = pos[self._int_lo[pos] > 0.5]
            out.append(forced if len(forced) else pos[self._int_hi[pos] > 0.5])
        return out

    def _combinations(self) -> int:
        n = 1
        for a in self._allowed():
            n *= len(a)
        return n

    def _fix_integers(self, values: np.ndarray) -> None:
        assert self._int is not None
        n = len(self._int)
        self.h.changeColsBounds(n, self._int, values, values)

    def _solve_enumerate(self, settings: HighsSettings | None) -> Status:
        """Every combination of one choice per group, each an LP with the integers fixed,
        warm-started from the previous basis; the best one is re-solved for its duals."""
        from itertools import product

        assert self._int is not None
        t0 = time.perf_counter()
        allowed = self._allowed()
        if any(len(a) == 0 for a in allowed):  # a group with every choice forced out
            self._x = self._row_dual = self._col_dual = None
            self.solve_seconds = time.perf_counter() - t0
            self.choices_solved = 0
            return "infeasible"
        warm = _warm(settings)
        best: tuple[float, np.ndarray, Any] | None = None
        worst_status: Status = "infeasible"
        basis = self._lp_basis
        count = 0
        for combo in product(*allowed):
            values = np.zeros(len(self._int))
            values[list(combo)] = 1.0
            self._fix_integers(values)
            if basis is not None:
                self.h.setBasis(basis)
            status = self._solve_lp(warm if basis is not None else settings)
            count += 1
            if status == "optimal":
                basis = self.h.getBasis()
                obj = self.objective
                if best is None or obj < best[0] - 1e-9 * max(1.0, abs(obj)):
                    best = (obj, values, basis)
            elif status in ("unbounded", "error", "time_limit"):
                worst_status = status
        self.choices_solved = count
        if best is None:
            self._x = self._row_dual = self._col_dual = None
            self.solve_seconds = time.perf_counter() - t0
            return worst_status
        self._fix_integers(best[1])
        self.h.setBasis(best[2])
        status = self._solve_lp(warm)
        self.solve_seconds = time.perf_counter() - t0
        if status == "optimal":
            self._lp_basis = self.h.getBasis()
        return status

    def _solve_mip(self, settings: HighsSettings | None) -> Status:
        h, cols = self.h, self._int
        assert cols is not None
        n = len(cols)
        t0 = time.perf_counter()
        if settings is not None:
            self.apply(settings)
        h.changeColsBounds(n, cols, self._int_lo, self._int_hi)
        h.changeColsIntegrality(n, cols, np.full(n, highspy.HighsVarType.kInteger))
        h.setOptionValue("solver", "choose")
        h.setOptionValue("presolve", "on")
        h.setOptionValue("mip_rel_gap", MIP_REL_GAP)
        h.run()
        status = h.getModelStatus()
        ms = highspy.HighsModelStatus
        self.mip_seconds = time.perf_counter() - t0
        feasible = h.getInfo().primal_solution_status == 2
        if status != ms.kOptimal and not (status == ms.kTimeLimit and feasible):
            self._x = self._row_dual = self._col_dual = None
            self.solve_seconds = self.mip_seconds
            if status == ms.kInfeasible:
                return "infeasible"
            if status in (ms.kUnbounded, ms.kUnboundedOrInfeasible):
                return "unbounded" if status == ms.kUnbounded else "infeasible"
            if status == ms.kTimeLimit:
                return "time_limit"
            log.warning("HiGHS MILP ended with model status %s", h.modelStatusToString(status))
            return "error"
        chosen = np.round(np.asarray(h.getSolution().col_value)[cols])
        self.choices_solved = 0
        h.changeColsBounds(n, cols, chosen, chosen)
        h.changeColsIntegrality(n, cols, np.full(n, highspy.HighsVarType.kContinuous))
        if settings is not None:
            self.apply(settings)
        else:
            h.setOptionValue("solver", "choose")
        if self._lp_basis is not None:
            h.setBasis(self._lp_basis)
        lp_status = self._solve_lp(None)
        self.solve_seconds = time.perf_counter() - t0
        if lp_status == "optimal":
            self._lp_basis = h.getBasis()
            if status == ms.kTimeLimit:
                return "time_limit"
        return lp_status

    def _solve_lp(self, settings: HighsSettings | None = None) -> Status:
        if settings is not None:
            self.apply(settings)
        t0 = time.perf_counter()
        self.h.run()
        status = self.h.getModelStatus()
        ms = highspy.HighsModelStatus
        crossover_forced = False
        if (
            self._algorithm in _INTERIOR
            and not self._crossover
            and status not in (ms.kOptimal, ms.kInfeasible, ms.kUnbounded, ms.kTimeLimit)
        ):
            # The interior point alone can end without a verdict (e.g. on an infeasible
            # model); crossover, then simplex, settle the status.
            log.info(
                "interior point ended %s; re-solving with crossover",
                self.h.modelStatusToString(status),
            )
            self.h.setOptionValue("run_crossover", "on")
            self.h.run()
            status = self.h.getModelStatus()
            self.h.setOptionValue("run_crossover", "off")
            crossover_forced = True
        self.solve_seconds = time.perf_counter() - t0
        self.record = self._record(crossover_forced)
        self._x = self._row_dual = self._col_dual = None
        self._objective = None
        if status == ms.kOptimal:
            sol = self.h.getSolution()
            self._x = np.asarray(sol.col_value) + 0.0  # no -0.0 in reports
            self._row_dual = np.asarray(sol.row_dual)
            self._col_dual = np.asarray(sol.col_dual)
            return "optimal"
        if status in (ms.kInfeasible,):
            return "infeasible"
        if status in (ms.kUnbounded, ms.kUnboundedOrInfeasible):
            return "unbounded" if status == ms.kUnbounded else "infeasible"
        if status == ms.kTimeLimit:
            info = self.h.getInfo()
            if info.primal_solution_status == 2:  # feasible
                sol = self.h.getSolution()
                self._x = np.asarray(sol.col_value)
            return "time_limit"
        log.warning("HiGHS ended with model status %s", self.h.modelStatusToString(status))
        return "error"

    def _record(self, crossover_forced: bool) -> SolveRecord:
        """What ran, from the settings and HiGHS's iteration counts."""
        info = self.h.getInfo()
        ipm_it = int(info.ipm_iteration_count)
        cross_it = int(info.crossover_iteration_count)
        simplex_it = int(info.simplex_iteration_count)
        algorithm = self._algorithm
        if algorithm == "auto":  # HiGHS chose: read it off the iteration counts
            if ipm_it > 0:
                algorithm = "ipm"
            elif int(info.pdlp_iteration_count) > 0:
                algorithm = "pdlp"
            else:
                algorithm = "simplex"
        crossover: bool | None = None
        if algorithm in _INTERIOR:
            crossover = self._crossover or crossover_forced or cross_it > 0
        return SolveRecord(algorithm, crossover, self._threads, ipm_it, cross_it, simplex_it)

    @property
    def objective(self) -> float:
        if self._objective is not None:
            return self._objective
        return float(self.h.getInfo().objective_function_value)

    def set_solution(
        self,
        values: np.ndarray,
        row_dual: np.ndarray,
        col_dual: np.ndarray,
        objective: float,
        record: SolveRecord | None = None,
    ) -> None:
        """An optimal solution found otherwise (a decomposition,
        :mod:`optimizer.decisions.years`): what :meth:`values`, :meth:`duals`,
        :meth:`reduced_costs` and :attr:`objective` return until the next solve."""
        self._x = np.asarray(values, dtype=float) + 0.0
        self._row_dual = np.asarray(row_dual, dtype=float)
        self._col_dual = np.asarray(col_dual, dtype=float)
        self._objective = float(objective)
        self.record = record

    @property
    def has_solution(self) -> bool:
        return self._x is not None

    @property
    def has_duals(self) -> bool:
        """Row and column duals are available (an optimal solve)."""
        return self._row_dual is not None

    def values(self, variables: Sequence[VarData]) -> np.ndarray:
        assert self._x is not None, "no solution"
        cols = self.cols(variables)
        out = np.zeros(len(cols))
        ok = cols >= 0
        out[ok] = self._x[cols[ok]]
        if not ok.all():  # a variable in no row and no cost sits at its lower bound
            for i in np.flatnonzero(~ok):
                lb = variables[int(i)].lb
                out[i] = float(lb) if lb is not None else 0.0
        return out

    def reduced_costs(self, variables: Sequence[VarData]) -> np.ndarray:
        assert self._col_dual is not None, "no dual solution"
        cols = self.cols(variables)
        out = np.zeros(len(cols))
        ok = cols >= 0
        out[ok] = self._col_dual[cols[ok]]
        return out

    def duals(self, cons: Sequence[ConstraintData]) -> np.ndarray:
        """Row duals: d objective / d (row bound), HiGHS's sign for a minimisation."""
        assert self._row_dual is not None, "no dual solution"
        return self._row_dual[self.rows(cons)]

    # -- changes between solves ------------------------------------------------------------
    def _keep_int_bounds(self, cols: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> None:
        """MILP: bounds a caller sets on integer columns are theirs (the solve fixes the
        integers at the optimum afterwards and starts from these bounds next time)."""
        if self._int is None or not len(cols):
            return
        pos = np.searchsorted(self._int, cols)
        pos = np.minimum(pos, len(self._int) - 1)
        hit = self._int[pos] == cols
        self._int_lo[pos[hit]] = lo[hit]
        self._int_hi[pos[hit]] = hi[hit]

    def set_col_bounds(self, variables: Sequence[VarData], lo: float, hi: float) -> None:
        cols = self.cols(variables)
        cols = cols[cols >= 0].astype(np.int32)
        if len(cols):
            n = len(cols)
            self._keep_int_bounds(cols, np.full(n, lo), np.full(n, hi))
            self.h.changeColsBounds(n, cols, np.full(n, lo), np.full(n, hi))

    def col_bounds(self, variables: Sequence[VarData]) -> tuple[np.ndarray, np.ndarray]:
        lp = self.h.getLp()
        cols = self.cols(variables)
        ok = cols >= 0
        lo = np.array([v.lb if v.lb is not None else -_INF for v in variables], dtype=float)
        hi = np.array([v.ub if v.ub is not None else _INF for v in variables], dtype=float)
        lo[ok] = np.asarray(lp.col_lower_)[cols[ok]]
        hi[ok] = np.asarray(lp.col_upper_)[cols[ok]]
        if self._int is not None:
            for i in np.flatnonzero(ok):
                k = int(np.searchsorted(self._int, cols[i]))
                if k < len(self._int) and self._int[k] == cols[i]:
                    lo[i], hi[i] = self._int_lo[k], self._int_hi[k]
        return lo, hi

    def set_row_upper(self, con: ConstraintData, upper: float) -> None:
        i = self.row(con)
        lo = float(np.asarray(self.h.getLp().row_lower_)[i])
        self.h.changeRowBounds(i, lo, upper)

    def set_costs(self, variables: Sequence[VarData], costs: np.ndarray) -> None:
        cols = self.cols(variables)
        ok = cols >= 0
        idx = cols[ok].astype(np.int32)
        self.h.changeColsCost(len(idx), idx, np.asarray(costs, dtype=float)[ok])

    def write_mps(self, path: str | Path) -> None:
        self.h.writeModel(str(path))

    # -- warm starts and sensitivity (used by optimizer.decisions) ---------------------------
    def get_basis(self) -> Any:
        """The current basis (a ``highspy.HighsBasis``), to restore with :meth:`set_basis`."""
        return self.h.getBasis()

    def set_basis(self, basis: Any) -> None:
        """Start the next simplex solve from ``basis`` (taken from this model); a MILP starts
        its LP with the integers fixed from it."""
        if self._int is not None:
            self._lp_basis = basis
            return
        self.h.setBasis(basis)

    def set_col_bounds_each(
        self, variables: Sequence[VarData], lo: np.ndarray, hi: np.ndarray
    ) -> None:
        """Per-variable bounds (e.g. to restore what :meth:`col_bounds` returned)."""
        cols = self.cols(variables)
        ok = cols >= 0
        if ok.any():
            idx = cols[ok].astype(np.int32)
            lo_a = np.asarray(lo, dtype=float)[ok]
            hi_a = np.asarray(hi, dtype=float)[ok]
            self._keep_int_bounds(idx, lo_a, hi_a)
            self.h.changeColsBounds(len(idx), idx, lo_a, hi_a)

    def cost_ranging(self, variables: Sequence[VarData]) -> tuple[np.ndarray, np.ndarray] | None:
        """HiGHS cost ranging: for each variable the lowest and highest cost coefficient at
        which the current basis stays optimal (±inf where unlimited); None without a basis."""
        status, ranging = self.h.getRanging()
        if status != highspy.HighsStatus.kOk or not ranging.valid:
            return None
        cols = self.cols(variables)
        dn = np.asarray(ranging.col_cost_dn.value_, dtype=float)
        up = np.asarray(ranging.col_cost_up.value_, dtype=float)
        ok = cols >= 0
        lo = np.full(len(cols), np.nan)
        hi = np.full(len(cols), np.nan)
        lo[ok], hi[ok] = dn[cols[ok]], up[cols[ok]]
        return lo, hi

    # -- structural changes (diagnosis, goals, screening) -----------------------------------
    def row_upper(self, con: ConstraintData) -> float:
        return float(np.asarray(self.h.getLp().row_upper_)[self.row(con)])

    def set_offset(self, offset: float) -> None:
        """The objective's constant (restore with ``set_offset(lp.offset)``)."""
        self.h.changeObjectiveOffset(float(offset))

    def clear_solver(self) -> None:
        """Forget the basis and any solver state: the next solve starts cold."""
        self._lp_basis = None
        self.h.clearSolver()

    def set_coefficient(self, con: ConstraintData, col: int, value: float) -> None:
        self.h.changeCoeff(self.row(con), int(col), float(value))

    def add_slack_columns(
        self, rows: np.ndarray, cost: np.ndarray, coefficient: float = 1.0
    ) -> np.ndarray:
        """One new column per row in ``rows`` with ``coefficient`` there, ``≥ 0``, at
        ``cost``; returns their column indices (remove them with :meth:`delete_columns`)."""
        self._lp_basis = None
        return add_slack_columns(self.h, rows, cost, coefficient)

    def matrix(self, model: Any = None) -> Any:
        """The constraint matrix HiGHS holds now, as a scipy CSC matrix (rows × columns);
        ``model``: a copy of the LP the caller already took (``h.getLp()``), not taken
        again."""
        import scipy.sparse as sp

        a = (model if model is not None else self.h.getLp()).a_matrix_
        return sp.csc_matrix(
            (np.asarray(a.value_), np.asarray(a.index_), np.asarray(a.start_)),
            shape=(self.h.getNumRow(), self.h.getNumCol()),
        )

    def column_values(self, cols: np.ndarray) -> np.ndarray:
        """Values of raw columns (e.g. ones :meth:`add_slack_columns` made)."""
        return np.asarray(self.h.getSolution().col_value)[np.asarray(cols)]

    def delete_columns(self, cols: np.ndarray) -> None:
        idx = np.asarray(cols, dtype=np.int32)
        self._lp_basis = None
        self.h.deleteCols(len(idx), idx)


def _warm(settings: HighsSettings | None) -> HighsSettings:
    """Simplex from the kept basis, no presolve: a re-solve after a bound change."""
    from dataclasses import replace

    base = settings if settings is not None else HighsSettings()
    return replace(base, algorithm="simplex", presolve=False)


def _choice_groups(
    A: Any, lower: np.ndarray, upper: np.ndarray, int_cols: np.ndarray
) -> list[np.ndarray] | None:
    """The integer columns as groups of rows ``Σ_{j∈g} x_j = 1`` (every coefficient 1, every
    column integer): each integer column in exactly one; None if any is not."""
    A = A.to_scipy() if hasattr(A, "to_scipy") else A
    csr = A.tocsr()
    is_int = np.zeros(A.shape[1], dtype=bool)
    is_int[int_cols] = True
    sub = A[:, int_cols].tocsc()
    rows = np.unique(sub.indices)
    lo, hi = np.asarray(lower, dtype=float), np.asarray(upper, dtype=float)
    groups: list[np.ndarray] = []
    seen = np.zeros(A.shape[1], dtype=np.int64)
    for r in rows.tolist():
        if not (lo[r] == 1.0 and hi[r] == 1.0):
            continue
        start, end = csr.indptr[r], csr.indptr[r + 1]
        cols, vals = csr.indices[start:end], csr.data[start:end]
        if len(cols) and is_int[cols].all() and np.all(vals == 1.0):
            groups.append(np.sort(cols.astype(np.int32)))
            seen[cols] += 1
    if not groups or not np.all(seen[int_cols] == 1):
        return None
    return groups


def scheduler_threads() -> int | None:
    """Threads of this process's HiGHS scheduler once a solve started it (None before).
    A process forked after a multi-threaded solve must not solve: the threads are gone."""
    return _scheduler_threads


def release_threads() -> None:
    """Stop HiGHS's scheduler threads (the next solve starts them again). Call it before
    forking worker processes: a child inherits the scheduler but not its threads."""
    global _scheduler_threads, _scheduler_started
    if _scheduler_started:
        highspy.Highs.resetGlobalScheduler(True)
        _scheduler_threads = None
        _scheduler_started = False
