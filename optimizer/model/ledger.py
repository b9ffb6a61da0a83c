"""Shared ledgers: per-step and scalar linear expressions that modules add terms to.

A :class:`StepExpr` is ``e[t] = const[t] + Σ_j coef_j[t]·x_j[t]`` where each ``x_j`` is either
a per-step variable list or one scalar variable repeated in every step (a capacity times a
profile). Modules add whole arrays; the Pyomo expression of a step is assembled once, at the
end, from those arrays. The same object evaluates the expression from a solution vector.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
from pyomo.core.base.var import VarData
from pyomo.core.expr.numeric_expr import LinearExpression, MonomialTermExpression

from optimizer.pyomo_imports import drop_import_callbacks

# The model's two roots that import Pyomo (every other model module imports this one or
# the compiler): drop Pyomo's import hooks before anything imports matplotlib or scipy.
drop_import_callbacks("matplotlib", "scipy")

VarValues = Callable[[Sequence[VarData]], np.ndarray]
"""Maps a list of variables to their values in a solution."""

LinearTerms = tuple[list[float], list[VarData]]
"""A linear total ``Σ coef·var`` as (coefficients, variables)."""


@dataclass
class _Term:
    coef: np.ndarray
    per_step: Sequence[VarData] | None
    scalar: VarData | None


class StepExpr:
    """A linear expression in every step t = 0..T-1."""

    def __init__(self, periods: int) -> None:
        self.periods = periods
        self.const = np.zeros(periods)
        self._terms: list[_Term] = []
        self._rows: list[LinearExpression] | None = None
        """The Pyomo expression of every step, built on first use, dropped on any change."""

    def _coef(self, coef: float | np.ndarray) -> np.ndarray:
        arr = np.broadcast_to(np.asarray(coef, dtype=float), (self.periods,))
        return np.array(arr)

    def add(self, coef: float | np.ndarray, var: Sequence[VarData]) -> StepExpr:
        """Add ``coef[t]·var[t]``."""
        self._rows = None
        self._terms.append(_Term(self._coef(coef), var, None))
        return self

    def add_scalar(self, coef: float | np.ndarray, var: VarData) -> StepExpr:
        """Add ``coef[t]·var`` (one variable, e.g. a capacity, times a profile)."""
        self._rows = None
        self._terms.append(_Term(self._coef(coef), None, var))
        return self

    def add_const(self, value: float | np.ndarray) -> StepExpr:
        self.const = self.const + self._coef(value)
        return self

    def add_expr(self, other: StepExpr, scale: float | np.ndarray = 1.0) -> StepExpr:
        s = self._coef(scale)
        self._rows = None
        for term in other._terms:
            self._terms.append(_Term(term.coef * s, term.per_step, term.scalar))
        self.const = self.const + other.const * s
        return self

    def scaled(self, scale: float | np.ndarray) -> StepExpr:
        return StepExpr(self.periods).add_expr(self, scale)

    @property
    def is_empty(self) -> bool:
        return not self._terms

    def pyomo(self, t: int) -> LinearExpression:
        """The Pyomo expression of step t, without its constant.

        All T expressions are assembled in one pass over the terms (a coefficient of 1 adds
        the variable itself, zeros add nothing) and kept until the next change, so that
        ``pyomo(t)`` in a per-step constraint rule costs a list lookup.
        """
        if self._rows is None:
            self._rows = self._assemble()
        return self._rows[t]

    def _assemble(self) -> list[LinearExpression]:
        args: list[list[object]] = [[] for _ in range(self.periods)]
        for term in self._terms:
            coefs = term.coef.tolist()
            if term.per_step is not None:
                for t, (c, v) in enumerate(zip(coefs, term.per_step, strict=True)):
                    if c == 1.0:
                        args[t].append(v)
                    elif c != 0.0:
                        args[t].append(MonomialTermExpression((c, v)))
            else:
                s = term.scalar
                for t, c in enumerate(coefs):
                    if c != 0.0:
                        args[t].append(s if c == 1.0 else MonomialTermExpression((c, s)))
        return [LinearExpression(a) for a in args]

    def evaluate(self, values: VarValues) -> np.ndarray:
        out = self.const.copy()
        for term in self._terms:
            if term.per_step is not None:
                out += term.coef * values(term.per_step)
            else:
                assert term.scalar is not None
                out += term.coef * values([term.scalar])[0]
        return out

    def total_pyomo(self, weights: np.ndarray) -> LinearTerms:
        """``Σ_t weights[t]·e[t]`` as coefficient and variable lists (scalars merged)."""
        coefs: list[float] = []
        variables: list[VarData] = []
        for term in self._terms:
            w = term.coef * weights
            if term.per_step is not None:
                nz = np.flatnonzero(w)
                coefs.extend(w[nz].tolist())
                variables.extend(term.per_step[int(i)] for i in nz)
            else:
                total = float(w.sum())
                if total != 0.0:
                    coefs.append(total)
                    variables.append(term.scalar)
        return coefs, variables


@dataclass
class CostTerm:
    category: str
    item: str
    coefs: np.ndarray
    variables: Sequence[VarData]


@dataclass
class CostLedger:
    """The one cost expression (money over the horizon), every term tagged for the breakdown."""

    terms: list[CostTerm] = field(default_factory=list)
    constants: list[tuple[str, str, float]] = field(default_factory=list)

    def add(
        self, category: str, item: str, coefs: float | np.ndarray, variables: Sequence[VarData]
    ) -> None:
        c = np.broadcast_to(np.asarray(coefs, dtype=float), (len(variables),)).copy()
        self.terms.append(CostTerm(category, item, c, variables))

    def add_step(self, category: str, item: str, expr: StepExpr, weights: np.ndarray) -> None:
        """Add ``Σ_t weights[t]·expr[t]``."""
        coefs, variables = expr.total_pyomo(weights)
        self.add(category, item, np.asarray(coefs), variables)
        const = float((expr.const * weights).sum())
        if const:
            self.constants.append((category, item, const))

    def add_constant(self, category: str, item: str, value: float) -> None:
        self.constants.append((category, item, float(value)))

    def linear(self, scale: float = 1.0) -> LinearTerms:
        """The cost as (coefficients, variables), without its constant, times ``scale``."""
        coefs: list[float] = []
        variables: list[VarData] = []
        for term in self.terms:
            nz = np.flatnonzero(term.coefs)
            coefs.extend(
                (term.coefs[nz] * scale).tolist() if scale != 1.0 else term.coefs[nz].tolist()
            )
            variables.extend(term.variables[int(i)] for i in nz)
        return coefs, variables

    @property
    def constant(self) -> float:
        return float(sum(v for _, _, v in self.constants))

    def pyomo(self) -> LinearExpression:
        coefs, variables = self.linear()
        return LinearExpression(constant=self.constant, linear_coefs=coefs, linear_vars=variables)

    def breakdown(self, values: VarValues) -> dict[tuple[str, str], float]:
        out: dict[tuple[str, str], float] = {}
        for term in self.terms:
            key = (term.category, term.item)
            out[key] = out.get(key, 0.0) + float(term.coefs @ values(term.variables))
        for cat, item, v in self.constants:
            out[(cat, item)] = out.get((cat, item), 0.0) + v
        return out
