"""The objective over many cases, and the CVaR of a risk-averse study (CONTRACT section 9).

=====================  ==================================================================
symbol                 meaning
=====================  ==================================================================
C_c                    cost of case c (its section 3.8 objective), a linear expression
w_c                    the case's weight (probability p_s, or discounted years ÷ H)
ω, α                   risk weight and CVaR level (``uncertainty.risk``)
θ (free)               value at risk (VaR_α at the optimum)
a_s ≥ 0                cost of scenario s above θ
=====================  ==================================================================

Equations (Rockafellar & Uryasev 2000)::

    min  (1−ω)·Σ_c w_c·C_c + ω·(θ + Σ_s p_s·a_s/(1−α))
    a_s ≥ C_s − θ                                              for every scenario s

With ω = 0 (and always for a horizon of years) no θ or a_s is written and the objective is
``Σ_c w_c·C_c``.

The part of the cost every scenario shares (a term ``k_j·x_j`` with the same column and the
same coefficient in every ``C_s``: the first stage's capital and fixed costs), ``K``, is
taken out of the CVaR rows: CVaR is translation invariant, ``CVaR(K + E) = K + CVaR(E)``,
so with ``C_s = K + E_s`` and ``θ = K + θ'``::

    min  (1−ω)·Σ_c w_c·C_c + ω·K + ω·(θ' + Σ_s p_s·a_s/(1−α))
    a_s ≥ E_s − θ'                                             for every scenario s

has the same optimum and the same a_s; only θ' (``risk_rows["var"]``) is θ − K. The rows
then hold only their scenario's own columns (not the first-stage capacities, whose
capital costs ~1e5 were the largest coefficients of the matrix); docs/performance.md
("Studies") has what it changes for the interior point.
"""

from __future__ import annotations

import pyomo.core as pyo
from pyomo.core.expr.numeric_expr import LinearExpression

from optimizer.model.builder import ModelBuilder


def _aggregate(terms: tuple[list[float], list[object]]) -> dict[int, tuple[object, float]]:
    """A cost's (coefficients, variables) as column id → (variable, total coefficient)."""
    out: dict[int, tuple[object, float]] = {}
    for x, v in zip(*terms, strict=True):
        key = id(v)
        got = out.get(key)
        out[key] = (v, x if got is None else got[1] + x)
    return out


def shared_cost(
    aggregated: list[dict[int, tuple[object, float]]],
) -> dict[int, tuple[object, float]]:
    """``K``: the terms on the same column with the same coefficient in every cost (each
    cost as :func:`_aggregate` gives it)."""
    first, rest = aggregated[0], aggregated[1:]
    return {
        key: (v, x)
        for key, (v, x) in first.items()
        if all(key in other and other[key][1] == x for other in rest)
    }


def objective(b: ModelBuilder) -> None:
    study = b.study
    omega = study.risk.weight if study.kind == "scenarios" else 0.0
    alpha = study.risk.alpha
    coefs: list[float] = []
    variables: list[object] = []
    const = 0.0
    costs = [c.cost.linear() for c in b.cases]  # each C_s once: objective and CVaR rows
    for c, (cc, vv) in zip(b.cases, costs, strict=True):
        scale = (1.0 - omega) * c.weight
        if scale != 0.0:
            coefs.extend(x * scale for x in cc)
            variables.extend(vv)
        const += scale * c.cost.constant
    if omega > 0:
        blk = b.block("risk")
        theta = b.scalar_vars(blk, "var", [None], [None], free=True)[0]
        excess = b.scalar_vars(blk, "excess", [0.0] * len(b.cases), [None] * len(b.cases))
        b.risk_rows["var"] = theta
        coefs.append(omega)
        variables.append(theta)
        aggregated = [_aggregate(c) for c in costs]  # once: K and each case's own terms
        shared = shared_cost(aggregated) if len(costs) > 1 else {}
        for v, x in shared.values():  # ω·K
            coefs.append(omega * x)
            variables.append(v)
        for k, c in enumerate(b.cases):
            a = excess[k]
            b.risk_rows[f"excess:{c.name}"] = a
            coefs.append(omega * c.weight / (1.0 - alpha))
            variables.append(a)
            # a_s − E_s + θ' ≥ constant of C_s, E_s = C_s − K
            own = [
                (v, x - shared[key][1] if key in shared else x)
                for key, (v, x) in aggregated[k].items()
            ]
            own = [(v, x) for v, x in own if x != 0.0]
            b.total_row(
                blk,
                f"excess_row_{k}",
                ([1.0, 1.0, *(-x for _, x in own)], [a, theta, *(v for v, _ in own)]),
                None,
                c.cost.constant,
            )
    b.m.objective = pyo.Objective(
        expr=LinearExpression(constant=const, linear_coefs=coefs, linear_vars=variables),
        sense=pyo.minimize,
    )
