"""Which job kinds this installation can run, and the checks of their options."""

from __future__ import annotations

import importlib.util
import math
from functools import cache

from api.schemas import RunKind, RunOptions
from optimizer.errors import ScenarioError


@cache
def available_kinds() -> tuple[RunKind, ...]:
    """``run`` always; ``compare`` and ``frontier`` when ``optimizer.decisions`` is installed."""
    if importlib.util.find_spec("optimizer.decisions") is None:
        return ("run",)
    return ("run", "compare", "frontier")


def frontier_values(options: RunOptions) -> tuple[str, list[float]]:
    """The frontier's mode (``cfe`` | ``emissions`` | ``cfe_scale``) and its values as given."""
    from optimizer.decisions.common import parse_range

    if options.cfe_scale is not None:
        if options.cfe is not None or options.emissions_tco2 is not None:
            raise ScenarioError.single(
                "options.cfe_scale", "give options.cfe_scale without options.cfe/emissions_tco2"
            )
        spec_scale = options.cfe_scale
        if isinstance(spec_scale, str):
            scales = parse_range(spec_scale, "options.cfe_scale", 0.0, None)
        else:
            scales = list(spec_scale)
            if not scales:
                raise ScenarioError.single("options.cfe_scale", "no values")
            for i, v in enumerate(scales):
                if not math.isfinite(v) or v < 0:
                    raise ScenarioError.single(f"options.cfe_scale[{i}]", "must be ≥ 0")
        if len(scales) > 200:
            raise ScenarioError.single("options.cfe_scale", f"{len(scales)} points; at most 200")
        return "cfe_scale", scales
    if (options.cfe is None) == (options.emissions_tco2 is None):
        raise ScenarioError.single(
            "options.cfe", "a frontier needs exactly one of options.cfe or options.emissions_tco2"
        )
    mode, spec = (
        ("cfe", options.cfe) if options.cfe is not None else ("emissions", options.emissions_tco2)
    )
    field = "options.cfe" if mode == "cfe" else "options.emissions_tco2"
    hi = 1.0 if mode == "cfe" else None
    if isinstance(spec, str):
        values = parse_range(spec, field, 0.0, hi)
    else:
        values = list(spec or [])
        if not values:
            raise ScenarioError.single(field, "no values")
        for i, v in enumerate(values):
            if not math.isfinite(v) or v < 0 or (hi is not None and v > hi):
                raise ScenarioError.single(f"{field}[{i}]", f"must lie in 0..{hi or 'inf'}")
    if len(values) > 200:
        raise ScenarioError.single(field, f"{len(values)} points; at most 200")
    return mode, values


def check_options(kind: RunKind, options: RunOptions) -> dict[str, object]:
    """Refuse options that do not fit the kind; return the extra settings the worker needs."""
    if kind not in available_kinds():
        raise ScenarioError.single("kind", f"kind {kind!r} not available in this version of dcopt")
    if kind == "frontier":
        mode, values = frontier_values(options)
        return {"mode": mode, "targets": values}
    for name in ("cfe", "emissions_tco2", "cfe_scale"):
        if getattr(options, name) is not None:
            raise ScenarioError.single(f"options.{name}", "is read only for kind frontier")
    return {}
