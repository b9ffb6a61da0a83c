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
"""

from __future__ import annotations

import pyomo.core as pyo
from pyomo.core.expr.numeric_expr import LinearExpression

from optimizer.model.builder import ModelBuilder


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
        for k, c in enumerate(b.cases):
            a = excess[k]
            b.risk_rows[f"excess:{c.name}"] = a
            coefs.append(omega * c.weight / (1.0 - alpha))
            variables.append(a)
            # a_s − C_s + θ ≥ constant of C_s
            cc, vv = costs[k]
            b.total_row(
                blk,
                f"excess_row_{k}",
                ([1.0, 1.0, *(-x for x in cc)], [a, theta, *vv]),
                None,
                c.cost.constant,
            )
    b.m.objective = pyo.Objective(
        expr=LinearExpression(constant=const, linear_coefs=coefs, linear_vars=variables),
        sense=pyo.minimize,
    )
