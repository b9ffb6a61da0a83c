"""The best reachable carbon goals of a built model: the highest 24/7 CFE score and the lowest
location-based emissions. Used by the infeasibility diagnosis (:mod:`optimizer.solve`) and
by compare and frontier (:mod:`optimizer.decisions`)."""

from __future__ import annotations

from typing import Any

import numpy as np

from optimizer.model import BuiltModel
from optimizer.model.highs import HighsLp, HighsSettings

DirtyTerms = tuple[list[float], list[Any]]
"""(coefficients, variables) of a linear total (:class:`optimizer.model.builder.CarbonRow`)."""


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
    lp.set_offset(0.0)
    try:
        status = lp.solve(settings)
        if status != "optimal":
            return None
        return float(agg @ lp.values(lp.columns))
    finally:
        lp.set_costs(lp.columns, saved)
        lp.set_offset(lp.offset)


def max_cfe_score(built: BuiltModel, lp: HighsLp, settings: HighsSettings) -> float | None:
    """The highest 24/7 CFE score reachable (the CFE row must be relaxed by the caller)."""
    row = built.builder.base.cfe
    assert row is not None, "the model has no CFE row"
    dirty = minimise_terms(lp, settings, row.terms)
    if dirty is None:
        return None
    total = row.total_load_mwh
    return 1.0 - dirty / total if total > 0 else 1.0


def min_emissions(built: BuiltModel, lp: HighsLp, settings: HighsSettings) -> float | None:
    """The lowest location-based emissions reachable, tCO2 (the cap relaxed by the caller)."""
    row = built.builder.base.emissions_cap
    assert row is not None, "the model has no emissions row"
    return minimise_terms(lp, settings, row.terms)


def _row_bounds(lp: HighsLp, idx: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    m = lp.h.getLp()
    return np.asarray(m.row_lower_)[idx].copy(), np.asarray(m.row_upper_)[idx].copy()


def set_row_bounds(lp: HighsLp, idx: np.ndarray, lower: np.ndarray, upper: np.ndarray) -> None:
    for i, lo, hi in zip(
        idx.tolist(), np.asarray(lower).tolist(), np.asarray(upper).tolist(), strict=True
    ):
        lp.h.changeRowBounds(int(i), float(lo), float(hi))


def max_share(
    lp: HighsLp,
    settings: HighsSettings,
    rows: list[Any],
    bound_per_share: np.ndarray,
    base_lower: np.ndarray,
) -> float | None:
    """The highest share y reachable in renewable-share rows ``e_P ≥ y·bound_P + base_P``
    (CONTRACT 11; :mod:`optimizer.model.compliance`), the row bounds restored after.

    A column y ∈ [0, 1] with coefficient −bound_P joins every row, the rows' lower bounds
    become ``base_P`` and y is maximised with every other cost 0. Exact when site
    consumption is the forecast load (no flexibility, shed or heat pump); otherwise the
    variable part of consumption keeps the requirement's own share.
    """
    idx = lp.rows(rows)
    lo0, hi0 = _row_bounds(lp, idx)
    saved = lp.cost.copy()
    first = lp.h.getNumCol()
    set_row_bounds(lp, idx, base_lower, hi0)
    lp.set_costs(lp.columns, np.zeros(lp.num_cols))
    lp.set_offset(0.0)
    lp.h.addCol(-1.0, 0.0, 1.0, len(idx), idx.astype(np.int32), -np.asarray(bound_per_share, float))
    col = np.array([first], dtype=np.int32)
    try:
        status = lp.solve(settings)
        if status != "optimal":
            return None
        return float(lp.column_values(col)[0])
    finally:
        lp.delete_columns(col)
        lp.set_costs(lp.columns, saved)
        lp.set_offset(lp.offset)
        set_row_bounds(lp, idx, lo0, hi0)
