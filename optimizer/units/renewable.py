"""On-site solar and wind (CONTRACT 3.4).

=====================  ==================================================================
symbol                 meaning
=====================  ==================================================================
P ∈ [min, max]         installed capacity, MW (first stage)
profile[t]             per-unit available output, 0..1
=====================  ==================================================================

Equations::

    0 ≤ g[t] ≤ P·profile[t]
    cost += P·1000·(CRF·capex_per_kw + fixed_om_per_kw_year)·H

In a horizon of years with ``degradation_per_year`` d, the output of year y is
``Σ_b build[b]·(1 − d)^(y − b)·profile[t]`` over the builds b standing in y.

Reduction: the balance has a free curtailment sink (``curtail[t] ≥ 0``), and neither the
CFE score nor the export limit is helped by using less of an available clean MW, so any
optimum with ``g[t] < P·profile[t]`` has an equal-cost twin with ``g[t] = P·profile[t]`` and
the difference in ``curtail[t]``. The model therefore writes ``g[t] = P·profile[t]`` with no
variable or row per step; the dispatch reports this available output and the site's
curtailment separately.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

import numpy as np
from pydantic import Field

from optimizer.model.flows import FlowKind
from optimizer.scenario.fields import NonNegative, ProfileSource, Sized
from optimizer.units.base import ResolveContext, TechData, TechnologyUnit, declare_sized

if TYPE_CHECKING:
    from optimizer.model.builder import CaseBuilder, ModelBuilder


class Renewable(Sized):
    """On-site solar or wind, sized by the optimizer (CONTRACT 3.4)."""

    kind: Literal["solar", "wind"]
    profile: ProfileSource = Field(
        description="per-unit output, 0..1: number, column, or {solar: {...}} / {wind: {...}}"
    )
    capex_per_kw: NonNegative
    degradation_per_year: float = Field(
        default=0.0,
        ge=0,
        lt=0.2,
        description="output lost per year of age (a horizon of years); PV ~0.005 (NREL)",
    )


@dataclass(frozen=True)
class RenewableData(TechData):
    profile: np.ndarray
    cost_per_mw: float
    """Annualised capital and fixed O&M for the horizon, per MW."""
    degradation_per_year: float = 0.0


def resolve(spec: Renewable, ctx: ResolveContext) -> RenewableData:
    path = f"technologies[{spec.name}]"
    prof = ctx.array(spec.profile, f"{path}.profile", lo=0.0, hi=1.0, what="per-unit output")
    cost = ctx.annual_cost_per_mw(spec.capex_per_kw, spec.fixed_om_per_kw_year, spec.lifetime_years)
    return RenewableData(
        spec.name,
        spec.kind,
        spec.min_mw,
        spec.max_mw,
        spec.lifetime_years,
        prof,
        cost,
        spec.degradation_per_year,
    )


def declare(b: ModelBuilder, items: list[RenewableData]) -> None:
    declare_sized(b, items, "renewables_capacity")


def operate(c: CaseBuilder, items: list[RenewableData]) -> None:
    for r in items:
        P = c.capacity(r.name)
        out = c.step_expr()
        if r.degradation_per_year > 0:  # each vintage's output: (1 − d)^age·profile
            for build, age in c.vintages(r.name):
                out.add_scalar(r.profile * (1.0 - r.degradation_per_year) ** age, build)
        else:
            out.add_scalar(r.profile, P)
        c.balance.add_expr(out)
        c.physical_supply.add_expr(out)
        c.renewable.add_expr(out)
        c.flow(FlowKind.OUTPUT, r.name, out, r.kind)
        c.cost.add("capital", r.name, r.cost_per_mw, [P])


UNIT = TechnologyUnit(
    kinds=("solar", "wind"),
    schema=Renewable,
    data=RenewableData,
    resolve=resolve,
    declare=declare,
    operate=operate,
    default_basis={"solar": "solar_pv", "wind": "wind_onshore"},
    label="on-site solar and wind",
)
