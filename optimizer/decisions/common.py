"""Pieces shared by compare and frontier: re-solve settings and the best reachable goals."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import replace

from optimizer.errors import ScenarioError
from optimizer.goals import DirtyTerms, max_cfe_score, min_emissions, minimise_terms
from optimizer.model.highs import HighsSettings
from optimizer.solve import SolveOptions, choose_settings

MAX_POINTS = 1000

__all__ = [
    "DirtyTerms",
    "max_cfe_score",
    "min_emissions",
    "minimise_terms",
    "parse_range",
    "warm_settings",
]


def warm_settings(options: SolveOptions, periods: int) -> HighsSettings:
    """Settings of a re-solve after a small change: simplex from the kept basis.

    HiGHS starts the simplex from the model's current basis when it is valid (a changed bound
    or cost keeps it valid), so a re-solve costs the pivots between two neighbouring optima.
    """
    base = choose_settings(options, periods)
    return replace(base, algorithm="simplex", presolve=False)


def parse_range(
    spec: str, field: str, lo: float | None = None, hi: float | None = None
) -> list[float]:
    """``START:STOP:STEP`` (STOP included) or a comma list ``a,b,c`` → the values.

    Bad input is a :class:`ScenarioError` naming ``field`` (exit code 2 on the command line).
    """
    text = spec.strip()
    try:
        if ":" in text:
            parts = [float(x) for x in text.split(":")]
            if len(parts) != 3:
                raise ValueError
            start, stop, step = parts
            if step == 0 or not all(math.isfinite(x) for x in parts):
                raise ScenarioError.single(
                    field, f"STEP must be a finite non-zero number: {spec!r}"
                )
            if (stop - start) * step < 0:
                raise ScenarioError.single(
                    field, f"STEP {step:g} does not lead from {start:g} to {stop:g}"
                )
            n = math.floor((stop - start) / step + 1e-9) + 1
            if n > MAX_POINTS:
                raise ScenarioError.single(field, f"{n} points; at most {MAX_POINTS}")
            values = [round(start + i * step, 10) for i in range(n)]
        else:
            values = [float(x) for x in text.split(",") if x.strip()]
    except ValueError:
        raise ScenarioError.single(
            field, f"expected START:STOP:STEP or a comma-separated list of numbers, got {spec!r}"
        ) from None
    if not values:
        raise ScenarioError.single(field, "no values")
    bad = [
        v
        for v in values
        if not math.isfinite(v) or (lo is not None and v < lo) or (hi is not None and v > hi)
    ]
    if bad:
        rng = f"{lo if lo is not None else '-inf'}..{hi if hi is not None else 'inf'}"
        raise ScenarioError.single(field, f"values must lie in {rng}, got {bad[0]:g}")
    return values


def clean_number(x: float | None) -> float | None:
    """A finite float, or None (JSON has no NaN)."""
    if x is None:
        return None
    x = float(x)
    return x + 0.0 if math.isfinite(x) else None


def as_list(values: Sequence[float]) -> list[float]:
    return [float(v) for v in values]
