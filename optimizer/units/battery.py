"""Batteries (CONTRACT 3.4).

=====================  ==================================================================
symbol                 meaning
=====================  ==================================================================
P, E                   power (MW) and energy (MWh) capacity (first stage)
ch[t], dis[t] ≥ 0      charge and discharge power, MW
soc[t] ≥ 0             state of charge at the end of step t, MWh
η                      sqrt(round_trip_efficiency)
=====================  ==================================================================

Equations::

    min_duration·P ≤ E ≤ max_duration·P
    ch[t] ≤ P,  dis[t] ≤ P,  soc[t] ≤ E
    soc[t] = soc[t−1] + η·ch[t]·Δt − dis[t]·Δt/η,   soc[−1] ≡ soc[T−1]   (cyclic)
    cost += P·1000·(CRF·power_capex + fixed_om)·H + E·1000·CRF·energy_capex·H

In a horizon of years with ``capacity_fade_per_year`` f, ``soc[t] ≤ Σ_b E_b·(1 − f)^(y − b)``
over the energy builds b standing in year y.

With ``BuildOptions.storage_periods`` (screening on typical days) the balance and the
``soc ≤ E`` rows are those of ``optimizer/model/storage_periods.py`` instead. The rows are
written by :func:`storage_rows`, which long-duration storage reuses with its
self-discharge.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from pydantic import Field, model_validator

from optimizer.model.flows import FlowKind
from optimizer.scenario.fields import NonNegative, Sized
from optimizer.units.base import ResolveContext, TechData, TechnologyUnit

if TYPE_CHECKING:
    from pyomo.core.base.var import VarData

    from optimizer.model.builder import CaseBuilder, ModelBuilder


class Battery(Sized):
    """A battery sized in power and energy (CONTRACT 3.4)."""

    kind: Literal["battery"]
    power_capex_per_kw: NonNegative
    energy_capex_per_kwh: NonNegative
    round_trip_efficiency: float = Field(gt=0, le=1)
    min_duration_hours: NonNegative = 0.0
    max_duration_hours: NonNegative | None = None
    materials_kg_per_mwh: dict[str, NonNegative] | None = Field(
        default=None, description="kg of each material per MWh of energy, overriding the basis"
    )
    embodied_carbon_tco2_per_mwh: NonNegative | None = None
    capacity_fade_per_year: float = Field(
        default=0.0,
        ge=0,
        lt=0.5,
        description="usable energy lost per year of age (a horizon of years); LFP ~0.02",
    )

    @model_validator(mode="after")
    def _durations(self) -> Battery:
        check_durations(self.min_duration_hours, self.max_duration_hours)
        return self


def check_durations(lo: float, hi: float | None) -> None:
    if hi is not None:
        if lo > hi:
            raise ValueError(f"min_duration_hours ({lo}) is above max_duration_hours ({hi})")
        if hi == 0:
            raise ValueError("max_duration_hours must be above 0")


@dataclass(frozen=True)
class StorageData(TechData):
    """Power and energy sized apart, with their annualised costs."""

    cost_per_mw: float
    cost_per_mwh: float
    eta: float
    """One-way efficiency sqrt(round_trip_efficiency)."""
    min_duration_hours: float
    max_duration_hours: float | None
    self_discharge_per_hour: float = 0.0
    """Share of the stored energy lost each hour."""
    capacity_fade_per_year: float = 0.0
    """Share of a build's usable energy lost per year of age (a horizon of years)."""


@dataclass(frozen=True)
class BatteryData(StorageData):
    pass


def resolve_storage(spec: Any, ctx: ResolveContext, data: type[Any], **extra: Any) -> Any:
    """A store's data (CONTRACT 3.1): power cost ``1000·(CRF·power_capex + fixed_om)·H`` per
    MW, energy cost ``1000·CRF·energy_capex·H`` per MWh, one-way efficiency √rte."""
    f = ctx.crf(spec.lifetime_years)
    H = ctx.horizon_fraction
    return data(
        spec.name,
        spec.kind,
        spec.min_mw,
        spec.max_mw,
        spec.lifetime_years,
        cost_per_mw=1000.0 * (f * spec.power_capex_per_kw + spec.fixed_om_per_kw_year) * H,
        cost_per_mwh=1000.0 * f * spec.energy_capex_per_kwh * H,
        eta=float(spec.round_trip_efficiency**0.5),
        min_duration_hours=spec.min_duration_hours,
        max_duration_hours=spec.max_duration_hours,
        **extra,
    )


def resolve(spec: Battery, ctx: ResolveContext) -> BatteryData:
    out: BatteryData = resolve_storage(
        spec, ctx, BatteryData, capacity_fade_per_year=spec.capacity_fade_per_year
    )
    return out


def declare_storage(b: ModelBuilder, items: list[Any], block: str) -> None:
    """Power and energy of each store, first stage, with the duration rows."""
    from optimizer.model.builder import Item

    blk = b.block(block)
    names = [x.name for x in items]
    lives = [x.lifetime_years for x in items]
    power = b.declare_capacities(
        blk, "power", names, [x.min_mw for x in items], [x.max_mw for x in items], lifetimes=lives
    )
    energy = b.declare_capacities(
        blk, "energy", names, [0.0] * len(items), [None] * len(items), unit="MWh", lifetimes=lives
    )
    for k, x in enumerate(items):
        P, E = power[k], energy[k]
        # every year's capacities in a pathway, else the one pair
        fs_p, fs_e = b.first_stage[x.name], b.first_stage[f"{x.name}#energy"]
        pairs = list(zip(fs_p.per_case, fs_e.per_case, strict=True)) or [(P, E)]
        for j, (Pj, Ej) in enumerate(pairs):
            if x.min_duration_hours > 0:
                b.row(blk, f"min_duration_{k}_{j}", Ej - x.min_duration_hours * Pj >= 0)
            if x.max_duration_hours is not None:
                b.row(blk, f"max_duration_{k}_{j}", Ej - x.max_duration_hours * Pj <= 0)
        b.add_item(Item(x.name, "technology", x.kind, P, [P, E]))


def declare(b: ModelBuilder, items: list[BatteryData]) -> None:
    declare_storage(b, items, "battery_capacity")


def storage_rows(c: CaseBuilder, items: list[Any], block: str) -> None:
    """Charge, discharge and state of charge of each store in one case."""
    from optimizer.model.storage_periods import build_soc

    T, dt = c.T, c.dt
    blk = c.block(block)
    K = len(items)
    ch = c.step_vars(blk, "charge", K)
    dis = c.step_vars(blk, "discharge", K)
    soc = c.step_vars(blk, "soc", K)
    for k, x in enumerate(items):
        P, E = c.capacity(x.name), c.energy(x.name)
        ci, d, s = ch[k], dis[k], soc[k]
        name = x.name
        c.cap_rows(blk, f"charge_max_{k}", ci, [P])
        c.cap_rows(blk, f"discharge_max_{k}", d, [P])
        extra: list[VarData] = []
        if x.capacity_fade_per_year > 0 and c.year is not None:
            # usable energy this year: Σ_b E_build[b]·(1 − fade)^age
            usable = c.scalar_vars(blk, f"usable_energy_{k}", [0.0], [None])[0]
            vint = c.vintages(name, "MWh")
            c.total_row(
                blk,
                f"usable_energy_row_{k}",
                (
                    [1.0] + [-((1.0 - x.capacity_fade_per_year) ** age) for _, age in vint],
                    [usable, *[v for v, _ in vint]],
                ),
                0.0,
                0.0,
            )
            extra.append(usable)
            E = usable
        if c.options.storage_periods is None or x.self_discharge_per_hour > 0:
            # Long-duration stores keep the full chronology (screening cannot cut their
            # seasons into typical days; docs/formulation.md).
            c.cap_rows(blk, f"soc_max_{k}", s, [E])
            keep = (1.0 - x.self_discharge_per_hour) ** dt
            c.step_rows(blk, f"soc_balance_{k}", range(T), _soc_balance(s, ci, d, x.eta, dt, keep))
        else:  # screening on typical periods (storage_periods.py)
            extra = build_soc(c, blk, k, s, ci, d, E, x.eta, c.options.storage_periods)
        c.item_columns(name, [*ci, *d, *s, *extra])
        c.balance.add(1.0, d).add(-1.0, ci)
        c.physical_supply.add(1.0, d)
        c.flow(FlowKind.CHARGE, name, c.step_expr().add(1.0, ci), x.kind)
        c.flow(FlowKind.DISCHARGE, name, c.step_expr().add(1.0, d), x.kind)
        c.flow(FlowKind.STATE_OF_CHARGE, name, c.step_expr().add(1.0, s), x.kind)
        c.cost.add("capital", name, x.cost_per_mw, [P])
        c.cost.add("capital", name, x.cost_per_mwh, [c.energy(name)])


def operate(c: CaseBuilder, items: list[BatteryData]) -> None:
    storage_rows(c, items, "battery")


def _soc_balance(
    s: list[VarData], c: list[VarData], d: list[VarData], eta: float, dt: float, keep: float
) -> Callable[[int], object]:
    """soc[t] = keep·soc[t−1] + η·ch[t]·Δt − dis[t]·Δt/η; t−1 of the first step is the last."""

    def make(t: int) -> object:
        if keep == 1.0:
            return s[t] - s[t - 1] - (eta * dt) * c[t] + (dt / eta) * d[t] == 0
        return s[t] - keep * s[t - 1] - (eta * dt) * c[t] + (dt / eta) * d[t] == 0

    return make


UNIT = TechnologyUnit(
    kinds=("battery",),
    schema=Battery,
    data=BatteryData,
    resolve=resolve,
    declare=declare,
    operate=operate,
    default_basis={"battery": "battery_lfp"},
    sized_by_energy=True,
    label="battery",
)
