"""Batteries (CONTRACT 3.4).

=====================  ==================================================================
symbol                 meaning
=====================  ==================================================================
P, E                   power (MW) and energy (MWh) capacity
ch[t], dis[t] ≥ 0      charge and discharge power, MW
soc[t] ≥ 0             state of charge at the end of step t, MWh
η                      sqrt(round_trip_efficiency)
=====================  ==================================================================

Equations::

    min_duration·P ≤ E ≤ max_duration·P
    ch[t] ≤ P,  dis[t] ≤ P,  soc[t] ≤ E
    soc[t] = soc[t−1] + η·ch[t]·Δt − dis[t]·Δt/η,   soc[−1] ≡ soc[T−1]   (cyclic)
    cost += P·1000·(CRF·power_capex + fixed_om)·H + E·1000·CRF·energy_capex·H

With ``BuildOptions.storage_periods`` (screening on typical days) the balance and the
``soc ≤ E`` rows are those of ``storage_periods.py`` instead.
"""

from __future__ import annotations

from collections.abc import Callable

from pyomo.core.base.var import VarData

from optimizer.model.builder import Item, ModelBuilder
from optimizer.model.storage_periods import build_soc


def build(b: ModelBuilder) -> None:
    bats = b.problem.batteries
    if not bats:
        return
    T, dt = b.T, b.dt
    blk = b.block("battery")
    K = len(bats)
    power = b.scalar_vars(blk, "power", [x.min_mw for x in bats], [x.max_mw for x in bats])
    energy = b.scalar_vars(blk, "energy", [0.0] * K, [None] * K)
    ch = b.step_vars(blk, "charge", K)
    dis = b.step_vars(blk, "discharge", K)
    soc = b.step_vars(blk, "soc", K)
    for k, x in enumerate(bats):
        P, E = power[k], energy[k]
        c, d, s = ch[k], dis[k], soc[k]
        eta = x.eta
        name = x.name
        b.cap_rows(blk, f"charge_max_{k}", c, [P])
        b.cap_rows(blk, f"discharge_max_{k}", d, [P])
        extra: list[VarData] = []
        if b.options.storage_periods is None:
            b.cap_rows(blk, f"soc_max_{k}", s, [E])
            b.step_rows(blk, f"soc_balance_{k}", range(T), _soc_balance(s, c, d, eta, dt))
        else:  # screening on typical periods (storage_periods.py)
            extra = build_soc(b, blk, k, s, c, d, E, eta, b.options.storage_periods)
        if x.min_duration_hours > 0:
            blk.add_component(
                f"min_duration_{k}",
                _con(E - x.min_duration_hours * P >= 0),
            )
        if x.max_duration_hours is not None:
            blk.add_component(
                f"max_duration_{k}",
                _con(E - x.max_duration_hours * P <= 0),
            )
        b.capacities[name] = P
        b.storage[name] = E
        b.items.append(Item(name, "technology", "battery", P, [P, E, *c, *d, *s, *extra]))
        b.balance.add(1.0, d).add(-1.0, c)
        b.physical_supply.add(1.0, d)
        b.flows[f"charge_mw:{name}"] = b.step_expr().add(1.0, c)
        b.flows[f"discharge_mw:{name}"] = b.step_expr().add(1.0, d)
        b.flows[f"soc_mwh:{name}"] = b.step_expr().add(1.0, s)
        b.cost.add("capital", name, x.cost_per_mw, [P])
        b.cost.add("capital", name, x.cost_per_mwh, [E])


def _soc_balance(
    s: list[VarData], c: list[VarData], d: list[VarData], eta: float, dt: float
) -> Callable[[int], object]:
    """soc[t] = soc[t−1] + η·ch[t]·Δt − dis[t]·Δt/η; t−1 of the first step is the last."""

    def make(t: int) -> object:
        return s[t] - s[t - 1] - (eta * dt) * c[t] + (dt / eta) * d[t] == 0

    return make


def _con(expr: object) -> object:
    import pyomo.environ as pyo

    return pyo.Constraint(expr=expr)
