"""Dispatchable generators, e.g. gas or diesel backup (CONTRACT 3.4, 12).

=====================  ==================================================================
symbol                 meaning
=====================  ==================================================================
P ∈ [min, max]         installed capacity, MW (first stage)
g[t] ≥ 0               output, MW
O, O_k                 outage steps (all outages; outage k), ``resilience.outages``
f                      fuel on site, hours at full output (``fuel_storage_hours``)
h                      ``max_run_hours_per_year``
u, R                   ``unit_mw``, ``redundancy`` (N+R)
c_crit                 ``resilience.critical_load_share`` (1 without ``resilience``)
=====================  ==================================================================

Equations::

    g[t] ≤ P
    cost      += P·1000·(CRF·capex_per_kw + fixed_om_per_kw_year)·H + Σ_t fuel_per_mwh·g[t]·Δt
    emissions += carbon_intensity·g[t]·Δt
    F[t]      += g[t]          (fossil output in the CFE score, unless ``carbon_free``)

Backup (only with the fields set; docs/resilience.md)::

    Σ_{t∈O_k} g[t]·Δt ≤ f·P                      every outage k (fuel refilled between)   (D2)
    Σ_{t∉O} w[t]·g[t]·Δt ≤ h·P·H                 run hours outside outages               (D3)
    Σ_{j∈fleet} P_j ≥ c_crit·max_{c,t} L_c[t] + R·u   first stage, N+R                     (D4)

(D3) counts full-load-equivalent hours (energy ÷ P), the linear proxy of a permit's
running-hours limit: a unit running part-loaded for more hours passes it. (D4): the fleet is
the generators with ``redundancy`` set; R is their largest redundancy and u their largest
unit; N (the units that carry the critical peak) is continuous in the LP, so P may be a
fraction of a unit — the summary rounds it up to whole units.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
from pydantic import Field, model_validator

from optimizer.model.flows import FlowKind
from optimizer.scenario.fields import NonNegative, Sized
from optimizer.units.base import ResolveContext, TechData, TechnologyUnit, declare_sized

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
    fuel: Literal["diesel", "natural_gas", "hvo", "biogas", "hydrogen", "other"] | None = Field(
        default=None, description="fuel burnt (reported with the backup)"
    )
    unit_mw: float | None = Field(
        default=None, gt=0, description="size of one unit, MW (N+R and survival probability)"
    )
    redundancy: int | None = Field(
        default=None,
        ge=0,
        le=10,
        description="R of N+R: capacity ≥ critical peak + R·unit_mw (the backup fleet)",
    )
    max_run_hours_per_year: NonNegative | None = Field(
        default=None,
        description="permit limit on full-load hours a year outside grid outages "
        "(e.g. 300 h in Germany's 44. BImSchV, 500 h under the MCP directive)",
    )
    fuel_storage_hours: NonNegative | None = Field(
        default=None,
        description="fuel on site, hours at full output; default: resilience.fuel_storage_hours",
    )

    @model_validator(mode="after")
    def _units(self) -> Generator:
        if self.redundancy and self.unit_mw is None:
            raise ValueError("redundancy needs unit_mw (N+R adds R units of unit_mw)")
        return self

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
    fuel: str | None = None
    unit_mw: float | None = None
    redundancy: int | None = None
    max_run_hours_per_year: float | None = None
    fuel_storage_hours: float | None = None


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
        spec.fuel,
        spec.unit_mw,
        spec.redundancy,
        spec.max_run_hours_per_year,
        spec.fuel_storage_hours,
    )


def declare(b: ModelBuilder, items: list[GeneratorData]) -> None:
    caps = declare_sized(b, items, "generator_capacity")
    fleet = [(x, P) for x, P in zip(items, caps, strict=True) if x.redundancy is not None]
    if fleet:  # (D4) N+R, first stage: the critical peak of every case
        peak = max(critical_peak_mw(case.problem) for case in b.study.cases)
        R = max(x.redundancy or 0 for x, _ in fleet)
        unit = max(x.unit_mw or 0.0 for x, _ in fleet)
        need = peak + R * unit
        b.total_row(
            b.block("generator_backup"),
            "n_plus_r",
            ([1.0] * len(fleet), [P for _, P in fleet]),
            None,
            need,
        )


def critical_peak_mw(p: Any) -> float:
    """c_crit·max_t L[t] of one case (c_crit = 1 without ``resilience``)."""
    share = p.resilience.critical_load_share if p.resilience is not None else 1.0
    return float(share * np.max(p.load_mw, initial=0.0))


def fuel_hours(x: GeneratorData, p: Any) -> float | None:
    """Fuel on site in hours at full output: the unit's own, else the site's (None: unlimited)."""
    if x.fuel_storage_hours is not None:
        return x.fuel_storage_hours
    return p.resilience.fuel_storage_hours if p.resilience is not None else None


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
        _backup_rows(c, blk, k, x, P, g)


def _backup_rows(c: CaseBuilder, blk: Any, k: int, x: GeneratorData, P: Any, g: list[Any]) -> None:
    """(D2) fuel per outage and (D3) run hours outside outages."""
    p = c.problem
    dt = c.dt
    res = p.resilience
    f = fuel_hours(x, p)
    if res is not None and f is not None:
        for i, o in enumerate(res.outages):
            coefs = [dt * float(c.w[t]) for t in o.steps] + [-f]
            c.total_row(blk, f"fuel_{k}_{i}", (coefs, [g[t] for t in o.steps] + [P]), 0.0)
    if x.max_run_hours_per_year is not None:
        normal = np.ones(c.T, dtype=bool)
        if res is not None:
            normal[res.outage_steps] = False
        idx = np.flatnonzero(normal).tolist()
        coefs = [dt * float(c.w[t]) for t in idx]
        cap = x.max_run_hours_per_year * p.time.horizon_fraction
        c.total_row(blk, f"run_hours_{k}", ([*coefs, -cap], [g[t] for t in idx] + [P]), 0.0)


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
