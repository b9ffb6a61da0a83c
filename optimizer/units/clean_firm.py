"""Clean firm generation, e.g. geothermal or nuclear (``kind: clean_firm``).

Carbon-free, dispatchable between a minimum stable output and its availability; paid as
capital, fixed O&M and fuel plus variable O&M per MWh.

=====================  ==================================================================
symbol                 meaning
=====================  ==================================================================
P ∈ [min, max]         installed capacity, MW (first stage)
g[t] ≥ 0               output, MW
m                      min_stable_share: least output while the plant stands, share of P
a                      availability: most output, share of P (planned and forced outages)
=====================  ==================================================================

Equations::

    m·P ≤ g[t] ≤ a·P
    cost += P·1000·(CRF·capex_per_kw + fixed_om_per_kw_year)·H + Σ_t fuel_per_mwh·g[t]·Δt

No emissions and no fossil output: ``g`` counts as carbon-free in the CFE score (3.6).
The plant cannot stop in an LP: the minimum stable output is a must-run share, what the
site cannot use is curtailed or exported. Materials: no default basis (give
``materials_basis`` or ``materials_kg_per_mw``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from pydantic import Field, model_validator

from optimizer.model.flows import FlowKind
from optimizer.scenario.fields import NonNegative, Sized
from optimizer.units.base import ResolveContext, TechData, TechnologyUnit, declare_sized

if TYPE_CHECKING:
    from optimizer.model.builder import CaseBuilder, ModelBuilder


class CleanFirm(Sized):
    """Carbon-free firm generation sized by the optimizer."""

    kind: Literal["clean_firm"]
    technology: str = Field(default="geothermal", description="geothermal, nuclear, ...")
    capex_per_kw: NonNegative
    fuel_per_mwh: NonNegative = Field(default=0.0, description="fuel + variable O&M per MWh")
    min_stable_share: float = Field(default=0.0, ge=0, le=1)
    availability: float = Field(default=1.0, gt=0, le=1)

    @model_validator(mode="after")
    def _shares(self) -> CleanFirm:
        if self.min_stable_share > self.availability:
            raise ValueError(
                f"min_stable_share ({self.min_stable_share}) is above availability "
                f"({self.availability})"
            )
        return self


@dataclass(frozen=True)
class CleanFirmData(TechData):
    cost_per_mw: float
    fuel_per_mwh: float
    min_stable_share: float
    availability: float


def resolve(spec: CleanFirm, ctx: ResolveContext) -> CleanFirmData:
    cost = ctx.annual_cost_per_mw(spec.capex_per_kw, spec.fixed_om_per_kw_year, spec.lifetime_years)
    return CleanFirmData(
        spec.name,
        spec.kind,
        spec.min_mw,
        spec.max_mw,
        spec.lifetime_years,
        cost,
        spec.fuel_per_mwh,
        spec.min_stable_share,
        spec.availability,
    )


def declare(b: ModelBuilder, items: list[CleanFirmData]) -> None:
    declare_sized(b, items, "clean_firm_capacity")


def operate(c: CaseBuilder, items: list[CleanFirmData]) -> None:
    dt = c.dt
    blk = c.block("clean_firm")
    out = c.step_vars(blk, "output", len(items))
    for k, x in enumerate(items):
        P, g = c.capacity(x.name), out[k]
        c.cap_rows(blk, f"output_max_{k}", g, [P], coef=x.availability)
        if x.min_stable_share > 0:
            c.step_rows(blk, f"output_min_{k}", range(c.T), _at_least(g, P, x.min_stable_share))
        c.item_columns(x.name, g)
        c.balance.add(1.0, g)
        c.physical_supply.add(1.0, g)
        c.flow(FlowKind.OUTPUT, x.name, c.step_expr().add(1.0, g), x.kind)
        c.cost.add("capital", x.name, x.cost_per_mw, [P])
        c.add_step_cost("generator_fuel", x.name, x.fuel_per_mwh * dt, g)


def _at_least(g: list[Any], P: Any, share: float) -> Callable[[int], object]:
    """g[t] − share·P ≥ 0."""

    def make(t: int) -> object:
        return g[t] - share * P >= 0

    return make


UNIT = TechnologyUnit(
    kinds=("clean_firm",),
    schema=CleanFirm,
    data=CleanFirmData,
    resolve=resolve,
    declare=declare,
    operate=operate,
    label="clean firm generation",
)
