"""The best reachable carbon goals of a built model: the highest 24/7 CFE score and the lowest
location-based emissions. Used by the infeasibility diagnosis (:mod:`optimizer.solve`) and
by compare and frontier (:mod:`optimizer.decisions`)."""

from __future__ import annotations

from typing import Any, cast

import numpy as np

from optimizer.model import BuiltModel
from optimizer.model.highs import HighsLp, HighsSettings

DirtyTerms = tuple[list[float], list[Any]]
"""(coefficients, variables) of a linear total, as the policy module stores them."""


def minimise_terms(lp: HighsLp, settings: HighsSettings, terms: DirtyTerms) -> float | None:
    """Minimise ``Σ coef·var`` over the LP's feasible set; costs and offset are restored after.

    Returns None when that problem is not solved to optimality (e.g. the load cannot be
    served at all). The caller relaxes whatever rows must not bind.
    """
    coefs, variables = terms
    cols = lp.cols(variables)
    c = np.asarray(coefs, dtype=float)
    agg = np.zeros(lp.num_cols)
    np.add.at(agg, cols[cols >= 0], c[cols >= 0])
    saved = lp.cost.copy()
    lp.set_costs(lp.columns, agg)
    lp.h.changeObjectiveOffset(0.0)
    try:
        status = lp.solve(settings)
        if status != "optimal":
            return None
        return float(agg @ lp.values(lp.columns))
    finally:
        lp.set_costs(lp.columns, saved)
        lp.h.changeObjectiveOffset(lp.offset)


def max_cfe_score(built: BuiltModel, lp: HighsLp, settings: HighsSettings) -> float | None:
    """The highest 24/7 CFE score reachable (the CFE row must be relaxed by the caller)."""
    b = built.builder
    terms = cast(DirtyTerms, b.extras["cfe_dirty_terms"])
    total = float(cast(float, b.extras["cfe_total_load_mwh"]))
    dirty = minimise_terms(lp, settings, terms)
    if dirty is None:
        return None
    return 1.0 - dirty / total if total > 0 else 1.0


def min_emissions(built: BuiltModel, lp: HighsLp, settings: HighsSettings) -> float | None:
    """The lowest location-based emissions reachable, tCO2 (the cap relaxed by the caller)."""
    terms = cast(DirtyTerms, built.builder.extras["emissions_terms"])
    return minimise_terms(lp, settings, terms)
