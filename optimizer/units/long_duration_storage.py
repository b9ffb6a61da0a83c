"""Long-duration energy storage, e.g. iron-air (``kind: long_duration_storage``).

Power and energy are sized apart, as for a battery, with durations up to 200 h and a
self-discharge per hour; the default materials basis is ``iron_air``.

=====================  ==================================================================
symbol                 meaning
=====================  ==================================================================
P, E                   power (MW) and energy (MWh) capacity (first stage)
ch[t], dis[t], soc[t]  as for a battery
η                      sqrt(round_trip_efficiency)
σ                      self_discharge_per_hour: share of the stored energy lost per hour
=====================  ==================================================================

Equations::

    min_duration·P ≤ E ≤ max_duration·P,   max_duration ≤ 200 h
    ch[t] ≤ P,  dis[t] ≤ P,  soc[t] ≤ E
    soc[t] = (1−σ)^Δt·soc[t−1] + η·ch[t]·Δt − dis[t]·Δt/η,   cyclic over the horizon
    cost += P·1000·(CRF·power_capex + fixed_om)·H + E·1000·CRF·energy_capex·H

On typical days (screening) a store without self-discharge uses the same typical-day rows
as a battery (``--screening-storage linked`` carries its energy across the real days); with
self-discharge it is chained over the reduced horizon as if the typical days were
consecutive, an approximation (docs/formulation.md).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from pydantic import Field, model_validator

from optimizer.materials.defaults import Basis, Source, Value
from optimizer.scenario.fields import NonNegative, Sized
from optimizer.units.base import ResolveContext, TechnologyUnit
from optimizer.units.battery import (
    StorageData,
    check_durations,
    declare_storage,
    resolve_storage,
    storage_rows,
)

if TYPE_CHECKING:
    from optimizer.model.builder import CaseBuilder, ModelBuilder

MAX_DURATION_HOURS = 200.0
"""Longest duration accepted: multi-day iron-air systems are sold at about 100 h
(Form Energy); 200 h leaves room for seasonal studies without inviting unit errors."""


class LongDurationStorage(Sized):
    """Multi-day storage sized in power and energy apart."""

    kind: Literal["long_duration_storage"]
    power_capex_per_kw: NonNegative
    energy_capex_per_kwh: NonNegative
    round_trip_efficiency: float = Field(gt=0, le=1)
    min_duration_hours: NonNegative = 0.0
    max_duration_hours: float = Field(default=MAX_DURATION_HOURS, gt=0, le=MAX_DURATION_HOURS)
    self_discharge_per_hour: float = Field(
        default=0.0, ge=0, lt=1, description="share of the stored energy lost each hour"
    )
    materials_kg_per_mwh: dict[str, NonNegative] | None = Field(
        default=None, description="kg of each material per MWh of energy, overriding the basis"
    )
    embodied_carbon_tco2_per_mwh: NonNegative | None = None

    @model_validator(mode="after")
    def _durations(self) -> LongDurationStorage:
        check_durations(self.min_duration_hours, self.max_duration_hours)
        return self


class LongDurationData(StorageData):
    pass


def resolve(spec: LongDurationStorage, ctx: ResolveContext) -> LongDurationData:
    out: LongDurationData = resolve_storage(
        spec, ctx, LongDurationData, self_discharge_per_hour=spec.self_discharge_per_hour
    )
    return out


def declare(b: ModelBuilder, items: list[LongDurationData]) -> None:
    declare_storage(b, items, "ldes_capacity")


def operate(c: CaseBuilder, items: list[LongDurationData]) -> None:
    storage_rows(c, items, "ldes")


FARADAY = Source(
    "Faraday",
    "Derived from Faraday's law for the iron electrode Fe + 2 OH⁻ → Fe(OH)₂ + 2 e⁻ "
    "(2 × 96,485 C per 55.845 g = 0.960 Ah/g) at a 1.0 V nominal cell voltage; iron-air "
    "cells discharge at about 0.8–1.1 V (McKerracher et al. (2015), 'A review of the "
    "iron-air secondary battery for energy storage', ChemPlusChem 80(2))",
    "the theoretical specific energy of the iron electrode, scaled by the utilisation stated",
)

IRON_AIR = Basis(
    "iron_air",
    "long_duration_storage",
    "iron-air multi-day storage (iron anode, air cathode, alkaline electrolyte); "
    "iron only, no embodied-carbon default",
    20.0,
    "assumed; the design life announced for commercial iron-air systems",
    materials_kg_per_mwh={
        "iron": Value(
            2080.0,
            "Faraday",
            "derived: 1 MWh / (0.960 kWh/kg theoretical at 1.0 V) = 1,042 kg at full "
            "utilisation; at 50 % utilisation of the iron ≈ 2,080 kg/MWh",
            1042.0,
            3500.0,
        ),
    },
)


UNIT = TechnologyUnit(
    kinds=("long_duration_storage",),
    schema=LongDurationStorage,
    data=LongDurationData,
    resolve=resolve,
    declare=declare,
    operate=operate,
    default_basis={"long_duration_storage": "iron_air"},
    bases=(IRON_AIR,),
    sources=(FARADAY,),
    sized_by_energy=True,
    label="long-duration storage",
)
