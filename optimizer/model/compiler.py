"""A fast compiler from a linear Pyomo model to the matrix form HiGHS takes.

``min c·x + offset  s.t.  row_lower ≤ A·x ≤ row_upper,  col_lower ≤ x ≤ col_upper``.

Pyomo's ``LinearStandardFormCompiler`` walks every expression with its generic visitor
(about 40 µs a row here) and imports ``scipy.stats`` on first use (about 2 s per process);
this one builds the column-wise matrix in numpy (:class:`CscMatrix`).
The rows dcopt writes are sums of monomials (the ledgers emit ``LinearExpression`` objects,
the modules write ``x[t] - c·P <= 0``), so this compiler reads their terms directly and
falls back to Pyomo's ``generate_standard_repn`` only for any other expression shape.
Measured on the full-year acceptance case in ``benchmarks/bench_fullyear.py``; the
resulting matrix is the one Pyomo's compiler gives (checked in tests/performance/).

Columns are the variables that appear in a row or in the objective, in order of first
appearance; fixed variables count as constants. One row per constraint, with both bounds
(a ranged constraint stays one row).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

import numpy as np
import pyomo.core as pyo
from pyomo.core.base.constraint import ConstraintData
from pyomo.core.base.var import VarData
from pyomo.core.expr.numeric_expr import (
    LinearExpression,
    MonomialTermExpression,
    NegationExpression,
    ProductExpression,
    SumExpression,
)
from pyomo.repn.standard_repn import generate_standard_repn

from optimizer.gcpause import gc_paused
from optimizer.pyomo_imports import drop_import_callbacks

log = logging.getLogger(__name__)

drop_import_callbacks("matplotlib", "scipy")  # as optimizer/model/ledger.py does

INF = float("inf")

_NATIVE = (int, float)
_SUMS = (LinearExpression, SumExpression)


@dataclass(frozen=True)
class CscMatrix:
    """A column-wise sparse matrix in plain numpy (what HiGHS takes), so that compiling a
    model does not import scipy (about 1.5 s a process, measured with ``-X importtime``).
    :meth:`to_scipy` gives a ``scipy.sparse.csc_array`` where a caller needs one."""

    indptr: np.ndarray
    indices: np.ndarray
    data: np.ndarray
    shape: tuple[int, int]

    @property
    def nnz(self) -> int:
        return len(self.data)

    @classmethod
    def from_rows(
        cls, coefs: np.ndarray, cols: np.ndarray, indptr: np.ndarray, shape: tuple[int, int]
    ) -> CscMatrix:
        """From row-wise triplets: duplicates summed, zeros dropped, columns sorted."""
        rows = np.repeat(np.arange(shape[0], dtype=np.int64), np.diff(indptr))
        cols = np.asarray(cols, dtype=np.int64)
        vals = np.asarray(coefs, dtype=float)
        order = np.lexsort((rows, cols))
        rows, cols, vals = rows[order], cols[order], vals[order]
        if len(vals):
            key = cols * max(shape[0], 1) + rows
            first = np.concatenate([[True], key[1:] != key[:-1]])
            starts = np.flatnonzero(first)
            vals = np.add.reduceat(vals, starts)
            rows, cols = rows[starts], cols[starts]
            keep = vals != 0.0
            rows, cols, vals = rows[keep], cols[keep], vals[keep]
        ptr = np.zeros(shape[1] + 1, dtype=np.int64)
        np.cumsum(np.bincount(cols, minlength=shape[1]), out=ptr[1:])
        return cls(ptr, rows, vals, shape)

    def to_scipy(self) -> Any:
        from scipy import sparse

        return sparse.csc_array((self.data, self.indices, self.indptr), shape=self.shape)

    def toarray(self) -> np.ndarray:
        return np.asarray(self.to_scipy().toarray())

    def tocsr(self) -> Any:
        return self.to_scipy().tocsr()


@dataclass
class MatrixForm:
    """The compiled LP. ``A`` is column-wise (CSC); rows and columns address Pyomo objects."""

    columns: list[VarData]
    col_index: dict[int, int]
    """id(VarData) → column."""
    rows: list[ConstraintData]
    A: CscMatrix
    cost: np.ndarray
    offset: float
    col_lower: np.ndarray
    col_upper: np.ndarray
    row_lower: np.ndarray
    row_upper: np.ndarray
    integer_cols: np.ndarray | None = None
    """Columns of integer (binary) variables; None for a pure LP (the usual case)."""


class _Collector:
    """Accumulates terms ``coef·column`` of one expression; assigns columns on first sight."""

    def __init__(self) -> None:
        self.columns: list[VarData] = []
        self.col_index: dict[int, int] = {}
        self.cols: list[int] = []
        self.coefs: list[float] = []

    def col(self, v: VarData) -> int:
        j = self.col_index.get(id(v))
        if j is None:
            j = len(self.columns)
            self.col_index[id(v)] = j
            self.columns.append(v)
        return j

    def add(self, expr: Any, scale: float) -> float:
        """Add the linear terms of ``scale·expr``; return its constant part."""
        t = type(expr)
        if t in _NATIVE:
            return scale * expr
        if t is MonomialTermExpression:
            c, v = expr.args
            if type(c) not in _NATIVE:
                c = pyo.value(c)
            if v.fixed:
                return scale * c * pyo.value(v)
            self.cols.append(self.col(v))
            self.coefs.append(scale * c)
            return 0.0
        if t in _SUMS:
            # The hot path: a flat sum of monomials and variables, read without recursion.
            const = 0.0
            cols, coefs, index = self.cols, self.coefs, self.col_index
            for arg in expr.args:
                ta = type(arg)
                if ta is MonomialTermExpression:
                    c, v = arg.args
                    if type(c) in _NATIVE and not v.fixed:
                        j = index.get(id(v))
                        cols.append(self.col(v) if j is None else j)
                        coefs.append(scale * c)
                        continue
                elif ta is VarData and not arg.fixed:
                    j = index.get(id(arg))
                    cols.append(self.col(arg) if j is None else j)
                    coefs.append(scale)
                    continue
                const += self.add(arg, scale)
            return const
        if isinstance(expr, VarData):
            if expr.fixed:
                return scale * pyo.value(expr)
            self.cols.append(self.col(expr))
            self.coefs.append(scale)
            return 0.0
        if t is NegationExpression:
            return self.add(expr.args[0], -scale)
        if t is ProductExpression:
            a, b = expr.args
            if not pyo.is_potentially_variable(a):
                return self.add(b, scale * pyo.value(a))
            if not pyo.is_potentially_variable(b):
                return self.add(a, scale * pyo.value(b))
        if not pyo.is_potentially_variable(expr):
            return scale * float(pyo.value(expr))
        return self._generic(expr, scale)

    def _generic(self, expr: Any, scale: float) -> float:
        repn = generate_standard_repn(expr, compute_values=True, quadratic=False)
        if repn.nonlinear_expr is not None or repn.quadratic_vars:
            raise ValueError(f"not a linear expression: {expr}")
        for c, v in zip(repn.linear_coefs, repn.linear_vars, strict=True):
            self.cols.append(self.col(v))
            self.coefs.append(scale * float(c))
        return scale * float(pyo.value(repn.constant))


def _bound(b: Any) -> float | None:
    if b is None:
        return None
    return float(b) if type(b) in _NATIVE else float(pyo.value(b))


@gc_paused
def compile_model(model: Any) -> MatrixForm:
    """Compile the active constraints and the one active objective (minimised) of ``model``."""
    acc = _Collector()
    rows: list[ConstraintData] = []
    lower: list[float] = []
    upper: list[float] = []
    indptr: list[int] = [0]
    for con in model.component_data_objects(pyo.Constraint, active=True, descend_into=True):
        lo, body, hi = con.to_bounded_expression()
        const = acc.add(body, 1.0)
        lo_f, hi_f = _bound(lo), _bound(hi)
        rows.append(con)
        lower.append(-INF if lo_f is None else lo_f - const)
        upper.append(INF if hi_f is None else hi_f - const)
        indptr.append(len(acc.cols))

    row_cols = np.asarray(acc.cols, dtype=np.int64)
    row_coefs = np.asarray(acc.coefs, dtype=float)
    acc.cols, acc.coefs = [], []

    objectives = list(model.component_data_objects(pyo.Objective, active=True, descend_into=True))
    if len(objectives) > 1:
        raise ValueError("the model has more than one active objective")
    offset = 0.0
    if objectives:
        obj = objectives[0]
        sign = 1.0 if obj.sense == pyo.minimize else -1.0
        if sign < 0:
            raise ValueError("dcopt compiles minimisation models only")
        offset = acc.add(obj.expr, 1.0)
    n = len(acc.columns)
    cost = np.zeros(n)
    np.add.at(cost, np.asarray(acc.cols, dtype=np.int64), np.asarray(acc.coefs, dtype=float))

    A = CscMatrix.from_rows(row_coefs, row_cols, np.asarray(indptr, dtype=np.int64), (len(rows), n))
    col_lower = np.fromiter(
        (-INF if v.lb is None else v.lb for v in acc.columns), dtype=float, count=n
    )
    col_upper = np.fromiter(
        (INF if v.ub is None else v.ub for v in acc.columns), dtype=float, count=n
    )
    return MatrixForm(
        integer_cols=_integer_columns(model, acc.col_index),
        columns=acc.columns,
        col_index=acc.col_index,
        rows=rows,
        A=A,
        cost=cost,
        offset=float(offset),
        col_lower=col_lower,
        col_upper=col_upper,
        row_lower=np.asarray(lower, dtype=float),
        row_upper=np.asarray(upper, dtype=float),
    )


def _integer_columns(model: Any, col_index: dict[int, int]) -> np.ndarray | None:
    """Columns of integer variables, looked up per Var component (a model of continuous
    components costs one check per component); None when there is none."""
    cols: list[int] = []
    for comp in model.component_objects(pyo.Var, active=True, descend_into=True):
        first = next(iter(comp.values()), None)
        if first is None or not first.is_integer():
            continue
        for v in comp.values():
            j = col_index.get(id(v))
            if j is not None and v.is_integer():
                cols.append(j)
    return np.asarray(sorted(cols), dtype=np.int64) if cols else None
