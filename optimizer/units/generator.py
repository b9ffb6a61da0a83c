"""Dispatchable generators, e.g. gas backup (CONTRACT 3.4).

=====================  ==================================================================
symbol                 meaning
=====================  ==================================================================
P ∈ [min, max]         installed capacity, MW (first stage)
g[t] ≥ 0               output, MW
=====================  ==================================================================

Equations::

    g[t] ≤ P
    cost      += P·1000·(CRF·capex_per_kw + fixed_om_per_kw_year)·H + Σ_t fuel_per_mwh·g[t]·Δt
    emissions += carbon_intensity·g[t]·Δt
    F[t]      += g[t]          (fossil output in the CFE score, unless ``carbon_free``)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from pydantic import Field

from optimizer.model.flows import FlowKind
from optimizer.scenario.fields import NonNegative, Sized
from optimizer.units.base import ResolveContext, TechData, TechnologyUnit

if TYPE_CHECKING:
    from optimizer.model.builder import CaseBuilder, ModelBuilder


class Generator(Sized):
    """Dispatchable on-site generation, e.g. gas backup (CONTRACT 3.4)."""

    kind: Literal["generator"]
    capex_per_kw: NonNegative
    fuel_per_mwh: float = Field(description="fuel + variable O&M per MWh electric")
    carbon_intensity_tco2_per_mwh: NonNegative
    carbon_free: bool | None = Field(
        default=None,
        description="counts as clean for the CFE score; default: carbon intensity is 0",
    )

    @property
    def is_fossil(self) -> bool:
        if self.carbon_free is not None:
            return not self.carbon_free
        return self.carbon_intensity_tco2_per_mwh > 0


@dataclass(frozen=True)
class GeneratorData(TechData):
    cost_per_mw: float
    fuel_per_mwh: float
    carbon_intensity_tco2_per_mwh: float
    fossil: bool


def resolve(spec: Generator, ctx: ResolveContext) -> GeneratorData:
    cost = ctx.annual_cost_per_mw(spec.capex_per_kw, spec.fixed_om_per_kw_year, spec.lifetime_years)
    return GeneratorData(
        spec.name,
        spec.kind,
        spec.min_mw,
        spec.max_mw,
        spec.lifetime_years,
        cost,
        spec.fuel_per_mwh,
        spec.carbon_intensity_tco2_per_mwh,
        spec.is_fossil,
    )


def declare(b: ModelBuilder, items: list[GeneratorData]) -> None:
    from optimizer.model.builder import Item

    blk = b.block("generator_capacity")
    caps = b.declare_capacities(
        blk,
        "capacity",
        [x.name for x in items],
        [x.min_mw for x in items],
        [x.max_mw for x in items],
        lifetimes=[x.lifetime_years for x in items],
    )
    for x, P in zip(items, caps, strict=True):
        b.add_item(Item(x.name, "technology", x.kind, P, [P]))


def operate(c: CaseBuilder, items: list[GeneratorData]) -> None:
    dt = c.dt
    blk = c.block("generator")
    out = c.step_vars(blk, "output", len(items))
    for k, x in enumerate(items):
        P, g = c.capacity(x.name), out[k]
        c.cap_rows(blk, f"output_max_{k}", g, [P])
        c.item_columns(x.name, g)
        c.balance.add(1.0, g)
        c.physical_supply.add(1.0, g)
        c.flow(FlowKind.OUTPUT, x.name, c.step_expr().add(1.0, g), x.kind)
        c.cost.add("capital", x.name, x.cost_per_mw, [P])
        c.add_step_cost("generator_fuel", x.name, x.fuel_per_mwh * dt, g)
        c.emissions.add(x.carbon_intensity_tco2_per_mwh * dt, g)
        if x.fossil:
            c.fossil.add(1.0, g)


UNIT = TechnologyUnit(
    kinds=("generator",),
    schema=Generator,
    data=GeneratorData,
    resolve=resolve,
    declare=declare,
    operate=operate,
    default_basis={"generator": "gas_generator"},
    label="on-site generator",
)
