"""Grid outages, lost load and the design outage (CONTRACT 12, docs/resilience.md).

=====================  ==================================================================
symbol                 meaning
=====================  ==================================================================
O_k, O                 steps of listed outage k (``resilience.outages``, local time); all
c_crit                 ``critical_load_share``
VoLL                   ``value_of_lost_load_per_mwh``
lost[t] ≥ 0            non-critical load shed in an outage step, MW
D, n                   ``design_outage_hours``; n = ⌈D/Δt⌉ steps
W_τ                    the design window of n steps starting at step τ, τ = 0..T−n
G                      Σ_j P_j, generator capacity
x[b,t] ≥ 0             storage b's share of the critical load in a design outage, MW
S[b] ≥ 0               storage b's energy held in reserve in every step, MWh
f_j                    generator j's fuel on site, hours at full output
=====================  ==================================================================

Listed outages (the grid module writes no import and the site module no export in O)::

    lost[t] ≤ (1 − c_crit)·L[t]   t ∈ O;   lost[t] = 0 elsewhere               (O1)
    served[t] = L[t] + served_delta[t] ≥ c_crit·L[t]      t ∈ O               (O2)
    cost += VoLL·Σ_t w[t]·lost[t]·Δt                     (category lost_load)
    Σ_{t∈O_k} g_j[t]·Δt ≤ f_j·P_j                        (generator.py, D2)

(O2) is written only when something besides lost load lowers the served load (load
flexibility, curtailment); else (O1)'s bound is the whole rule. Without VoLL no load is
lost. The battery enters an outage with the state of charge the chronology gives it.

Design outage — survive a grid outage of D hours starting in any step, on generators and
stored energy alone (on-site renewables and PPAs are not counted)::

    G + Σ_b x[b,t] ≥ c_crit·L[t]                         ∀t                     (R1)
    x[b,t] ≤ P_b                                         ∀b, t                  (R2)
    Σ_{t∈W_τ} x[b,t]·Δt ≤ η_b·S[b]                       ∀b, τ                  (R3)
    soc[b,t] ≥ S[b]                                      ∀b, t                  (R4)
    Σ_{t∈W_τ} (c_crit·L[t] − Σ_b x[b,t])·Δt ≤ Σ_j f_j·P_j   ∀τ  (only when some f_j < D) (R5)
    Σ_b x[b,t] ≤ c_crit·L[t]                             with (R5)

(R3) is written through cumulative sums X[b,t] = X[b,t−1] + x[b,t]·Δt, so every row has
three terms. Derivation and why it is conservative: docs/formulation.md, "Design outage".
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import partial
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from optimizer.errors import FieldError, ScenarioError
from optimizer.model.flows import Flow, FlowKind

if TYPE_CHECKING:
    from optimizer.model.builder import CaseBuilder
    from optimizer.scenario.timeindex import TimeGrid


@dataclass(frozen=True)
class OutageData:
    start: str
    hours: float
    mask: np.ndarray
    """1 (int8) in the steps whose start lies in [start, start + hours) of absolute time.
    A per-step array, so that screening's restriction to typical days carries it along."""

    @property
    def steps(self) -> np.ndarray:
        return np.flatnonzero(self.mask > 0)


@dataclass(frozen=True)
class ResilienceData:
    critical_load_share: float
    value_of_lost_load_per_mwh: float | None
    outages: list[OutageData]
    fuel_storage_hours: float | None
    design_outage_hours: float | None
    design_steps: int
    availability: float
    failure_to_start: float
    mttf_hours: float
    survival_hours: tuple[float, ...]
    outage_mask: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int8))
    """1 (int8) in every outage step."""

    @property
    def outage_steps(self) -> np.ndarray:
        return np.flatnonzero(self.outage_mask > 0)


def window_steps(
    start: str, hours: float, time: TimeGrid, field_name: str, errors: list[FieldError]
) -> np.ndarray:
    """Steps whose start lies in the local-time window ``[start, start + hours)``."""
    from optimizer.scenario.timeindex import parse_start

    tz = str(time.index.tz)
    try:
        first = parse_start(start, tz)
    except ScenarioError as exc:
        errors.append(FieldError(field_name, exc.errors[0].message))
        return np.zeros(0, dtype=np.int64)
    end = first + pd.Timedelta(hours=hours)
    idx = time.index
    steps = np.flatnonzero((idx >= first) & (idx < end))
    if steps.size == 0:
        errors.append(
            FieldError(
                field_name,
                f"{start} + {hours:g} h does not overlap the horizon "
                f"({idx[0].isoformat()} to {idx[-1].isoformat()})",
            )
        )
    return steps.astype(np.int64)


def step_mask(steps: np.ndarray, T: int) -> np.ndarray:
    mask = np.zeros(T, dtype=np.int8)
    mask[steps] = 1
    return mask


def resolve_resilience(
    scenario: Any, time: TimeGrid, errors: list[FieldError]
) -> tuple[ResilienceData | None, np.ndarray | None]:
    """``resilience:`` → (its data, ``grid_available``: 0 in outage steps, else 1)."""
    res = scenario.resilience
    if res is None:
        return None, None
    T = time.periods
    taken = np.full(T, -1, dtype=np.int64)
    outages: list[OutageData] = []
    for k, w in enumerate(res.outages):
        steps = window_steps(w.start, w.hours, time, f"resilience.outages[{k}].start", errors)
        clash = taken[steps]
        if (clash >= 0).any():
            errors.append(
                FieldError(
                    f"resilience.outages[{k}].start",
                    f"overlaps outages[{int(clash[clash >= 0][0])}]; merge them into one window",
                )
            )
        taken[steps] = k
        outages.append(OutageData(w.start, w.hours, step_mask(steps, T)))
    D = res.design_outage_hours
    n = 0
    if D is not None:
        n = max(1, math.ceil(D / time.dt_hours - 1e-9))
        kinds = {t.kind for t in scenario.technologies}
        if not kinds & {"generator", "battery", "long_duration_storage"}:
            errors.append(
                FieldError(
                    "resilience.design_outage_hours",
                    "needs a generator or a storage technology to carry the critical load",
                )
            )
    hours = res.survival_hours
    if hours is None:
        hours = sorted({1.0, 4.0, 8.0, 12.0, 24.0, 48.0, *([D] if D is not None else [])})
    rel = res.generator_reliability
    all_steps = np.flatnonzero(taken >= 0)
    data = ResilienceData(
        critical_load_share=res.critical_load_share,
        value_of_lost_load_per_mwh=res.value_of_lost_load_per_mwh,
        outages=outages,
        fuel_storage_hours=res.fuel_storage_hours,
        design_outage_hours=D,
        design_steps=n,
        availability=rel.operational_availability,
        failure_to_start=rel.failure_to_start,
        mttf_hours=rel.mean_time_to_failure_hours,
        survival_hours=tuple(float(h) for h in hours),
        outage_mask=step_mask(all_steps, T),
    )
    available = None
    if all_steps.size:
        available = np.ones(T)
        available[all_steps] = 0.0
    return data, available


# -- the LP -------------------------------------------------------------------------------


def operate(c: CaseBuilder) -> None:
    res = c.problem.resilience
    if res is None:
        return
    p = c.problem
    T, dt = c.T, c.dt
    L = np.asarray(p.load_mw, dtype=float)
    crit = res.critical_load_share
    mask = np.zeros(T, dtype=bool)
    mask[res.outage_steps] = True
    blk = c.block("resilience")
    other_delta = not c.served_delta.is_empty
    lost = None
    if res.value_of_lost_load_per_mwh is not None and crit < 1.0 and mask.any():
        ub = np.where(mask, (1.0 - crit) * L, 0.0)
        lost = c.step_vars(blk, "lost_load", 1, ub=ub)[0]
        c.balance.add(1.0, lost)
        c.served_delta.add(-1.0, lost)
        c.add_step_cost("lost_load", "lost_load", res.value_of_lost_load_per_mwh * dt, lost)
        c.flow(FlowKind.LOST_LOAD, "", c.step_expr().add(1.0, lost))
    if other_delta and mask.any():  # (O2)
        delta = c.served_delta
        floor = (-(1.0 - crit) * L).tolist()
        c.step_rows(blk, "critical", np.flatnonzero(mask), lambda t: delta.pyomo(t) >= floor[t])
    if res.design_outage_hours is not None:
        _design_outage(c, blk, res, crit * L)
    c.summary_hooks.append(partial(_summary, c))


def _generators(p: Any) -> list[Any]:
    from optimizer.units.generator import GeneratorData

    return [x for x in p.technologies if isinstance(x, GeneratorData)]


def _stores(p: Any) -> list[Any]:
    from optimizer.units.battery import StorageData

    return [x for x in p.technologies if isinstance(x, StorageData)]


def _flow(c: CaseBuilder, kind: FlowKind, asset: str) -> Any:
    for f, expr in c.flows.items():
        if f.kind is kind and f.asset == asset:
            return expr
    return None


def _design_outage(c: CaseBuilder, blk: Any, res: ResilienceData, crit_load: np.ndarray) -> None:
    """(R1)–(R5) of the module docstring."""
    from optimizer.units.generator import fuel_hours

    p = c.problem
    T, dt = c.T, c.dt
    n = min(res.design_steps, T)
    D = n * dt
    gens = _generators(p)
    G = [c.capacity(x.name) for x in gens]
    # storage holds a reserve only with its full chronology (not on linked typical days)
    stores = [
        x for x in _stores(p) if c.options.storage_periods is None or x.self_discharge_per_hour > 0
    ]
    lc = crit_load.tolist()
    starts = list(range(0, T - n + 1))
    xs: list[list[Any]] = []
    cum: list[list[Any]] = []
    if stores:
        K = len(stores)
        xs = c.step_vars(blk, "design_storage", K)
        cum = c.step_vars(blk, "design_cumulative", K)
        S = c.scalar_vars(blk, "design_reserve", [0.0] * K, [None] * K)
        for b, x in enumerate(stores):
            _store_rows(c, blk, b, x, xs[b], cum[b], S[b], n, starts)
        c.step_rows(  # (R1)
            blk,
            "design_cover",
            range(T),
            lambda t: sum(xs[b][t] for b in range(K)) + sum(G) >= lc[t],
        )
    elif G:
        c.total_row(blk, "design_cover", ([1.0] * len(G), G), None, float(max(lc)))
    fuels = [fuel_hours(x, p) for x in gens]
    if gens and all(f is not None for f in fuels) and min(f for f in fuels if f is not None) < D:
        fP = [float(f) for f in fuels if f is not None]
        window_load = [sum(lc[s : s + n]) * dt for s in starts]
        if stores:
            K = len(stores)
            cum_all = cum

            def fuel_row(s: int) -> object:
                last = sum(cum_all[b][s + n - 1] for b in range(K))
                first = sum(cum_all[b][s - 1] for b in range(K)) if s > 0 else 0.0
                gen = sum(f * P for f, P in zip(fP, G, strict=True))
                return -(last - first) - gen <= -window_load[s]

            c.step_rows(blk, "design_fuel", starts, fuel_row)  # (R5)
            c.step_rows(
                blk,
                "design_storage_max",
                range(T),
                lambda t: sum(xs[b][t] for b in range(K)) <= lc[t],
            )
        else:
            c.total_row(blk, "design_fuel", (fP, G), None, float(max(window_load)))


def _store_rows(
    c: CaseBuilder,
    blk: Any,
    b: int,
    x: Any,
    xb: list[Any],
    Xb: list[Any],
    Sb: Any,
    n: int,
    starts: list[int],
) -> None:
    """(R2)–(R4) of one store, with X[b,t] = X[b,t−1] + x[b,t]·Δt."""
    T, dt, eta = c.T, c.dt, x.eta
    c.cap_rows(blk, f"design_power_{b}", xb, [c.capacity(x.name)])  # (R2)

    def cumulative(t: int) -> object:
        if t == 0:
            return Xb[t] - dt * xb[t] == 0
        return Xb[t] - Xb[t - 1] - dt * xb[t] == 0

    def energy(s: int) -> object:  # (R3)
        if s == 0:
            return Xb[s + n - 1] - eta * Sb <= 0
        return Xb[s + n - 1] - Xb[s - 1] - eta * Sb <= 0

    soc = _flow(c, FlowKind.STATE_OF_CHARGE, x.name)

    def reserve(t: int) -> object:  # (R4)
        return soc.pyomo(t) - Sb >= 0

    c.step_rows(blk, f"design_cumulative_def_{b}", range(T), cumulative)
    c.step_rows(blk, f"design_energy_{b}", starts, energy)
    c.step_rows(blk, f"design_reserve_{b}", range(T), reserve)
    c.item_columns(x.name, [*xb, *Xb, Sb])


# -- summary ------------------------------------------------------------------------------


def _series(acc: Any, kind: FlowKind, asset: str | None = None) -> np.ndarray:
    out = np.zeros(len(acc.load))
    for f, x in acc.flows.items():
        if f.kind is kind and (asset is None or f.asset == asset):
            out = out + x
    return out


def _summary(c: CaseBuilder, lp: Any, acc: Any, summary: dict[str, Any]) -> None:
    """summary.json ``resilience`` (docs/resilience.md, "Outputs")."""
    from optimizer.results.resilience import Reliability, fleet_survival, whole_units
    from optimizer.units.generator import fuel_hours

    p = c.problem
    res = p.resilience
    assert res is not None
    dt, w = c.dt, acc.w
    L = np.asarray(p.load_mw, dtype=float)
    crit = res.critical_load_share
    crit_peak = float(crit * L.max(initial=0.0))
    gens = _generators(p)
    stores = _stores(p)

    def value(v: Any) -> float:
        return float(lp.values([v])[0])

    cap = {x.name: value(c.capacity(x.name)) for x in gens}
    power = {x.name: value(c.capacity(x.name)) for x in stores}
    energy = {x.name: value(c.energy(x.name)) for x in stores}
    out_g = {x.name: _series(acc, FlowKind.OUTPUT, x.name) for x in gens}
    dis = {x.name: _series(acc, FlowKind.DISCHARGE, x.name) for x in stores}
    chg = {x.name: _series(acc, FlowKind.CHARGE, x.name) for x in stores}
    soc = {x.name: _series(acc, FlowKind.STATE_OF_CHARGE, x.name) for x in stores}
    lost = _series(acc, FlowKind.LOST_LOAD)
    shed = _series(acc, FlowKind.SHED)
    voll = res.value_of_lost_load_per_mwh or 0.0

    def mwh(x: np.ndarray, steps: np.ndarray) -> float:
        return float((w[steps] * x[steps]).sum() * dt)

    outages = []
    for o in res.outages:
        s = o.steps
        first = int(s[0]) - 1 if s.size else -1
        gen_mwh = sum(mwh(out_g[n], s) for n in out_g)
        fuel_cap = sum(
            (fuel_hours(x, p) or math.inf) * cap[x.name] for x in gens if cap[x.name] > 1e-9
        )
        outages.append(
            {
                "start": o.start,
                "hours": o.hours,
                "steps": int(s.size),
                "first_step": p.time.index[int(s[0])].isoformat() if s.size else None,
                "load_mwh": mwh(L, s),
                "critical_load_mwh": mwh(crit * L, s),
                "served_mwh": mwh(acc.served, s),
                "unserved_mwh": mwh(lost + shed, s),
                "lost_load_mwh": mwh(lost, s),
                "curtailed_mwh": mwh(shed, s),
                "lost_load_cost": mwh(lost, s) * voll,
                "generator_mwh": gen_mwh,
                "generator_mwh_by_name": {n: mwh(out_g[n], s) for n in out_g},
                "battery_mwh": sum(mwh(dis[n] - chg[n], s) for n in dis),
                "battery_soc_at_start_mwh": float(sum(soc[n][first % c.T] for n in soc))
                if s.size
                else None,
                "fuel_used_share": gen_mwh / fuel_cap if 0 < fuel_cap < math.inf else None,
            }
        )

    normal = np.ones(c.T, dtype=bool)
    normal[res.outage_steps] = False
    idx_normal = np.flatnonzero(normal)
    by_item = summary.get("cost_by_item", {})
    generators: dict[str, Any] = {}
    fleet: list[tuple[int, float]] = []
    fuel_energy = 0.0
    backup_capital = 0.0
    outage_fuel_cost = 0.0
    for x in gens:
        P = cap[x.name]
        unit = x.unit_mw or P
        units = whole_units(P, unit) if unit > 0 else 0
        if units:
            fleet.append((units, unit))
        f = fuel_hours(x, p)
        fuel_energy = fuel_energy + (f * P if f is not None else math.inf)
        g = out_g[x.name]
        run_mwh = mwh(g, idx_normal)
        outage_mwh = mwh(g, res.outage_steps)
        capital = float(by_item.get(x.name, {}).get("capital", 0.0))
        backup_capital += capital
        outage_fuel_cost += x.fuel_per_mwh * outage_mwh
        generators[x.name] = {
            "capacity_mw": P,
            "unit_mw": x.unit_mw,
            "units": units,
            "redundancy": x.redundancy,
            "fuel": x.fuel,
            "fuel_storage_hours": f,
            "fuel_storage_mwh": f * P if f is not None else None,
            "run_hours_outside_outages": run_mwh / P if P > 1e-9 else 0.0,
            "max_run_hours_per_year": x.max_run_hours_per_year,
            "max_run_hours_in_horizon": x.max_run_hours_per_year * p.time.horizon_fraction
            if x.max_run_hours_per_year is not None
            else None,
            "energy_outside_outages_mwh": run_mwh,
            "energy_in_outages_mwh": outage_mwh,
            "emissions_outside_outages_tco2": run_mwh * x.carbon_intensity_tco2_per_mwh,
            "emissions_in_outages_tco2": outage_mwh * x.carbon_intensity_tco2_per_mwh,
            "capital": capital,
        }
    stored = float(sum(x.eta * energy[x.name] for x in stores))
    gen_mw = float(sum(cap.values()))
    bat_mw = float(sum(power.values()))
    fuel_hours_at_peak = fuel_energy / crit_peak if crit_peak > 0 else None
    if fuel_hours_at_peak is not None and not math.isfinite(fuel_hours_at_peak):
        fuel_hours_at_peak = None
    firm = gen_mw + bat_mw
    if crit_peak <= 0:
        autonomy: float | None = None
    elif firm + 1e-6 < crit_peak:
        autonomy = 0.0
    elif math.isinf(fuel_energy) and gen_mw > 0:
        autonomy = None  # unlimited: fuel from a pipeline
    else:
        autonomy = ((fuel_energy if gen_mw > 0 else 0.0) + stored) / crit_peak
    rel = Reliability(res.availability, res.failure_to_start, res.mttf_hours)
    D = res.design_outage_hours
    if D is None and res.outages:
        D = max(o.hours for o in res.outages)
    if D is None:
        D = 24.0
    curve = {
        f"{h:g}": fleet_survival(fleet, crit_peak, h, rel, fuel_hours_at_peak)
        for h in res.survival_hours
    }
    lost_mwh = acc.total_mwh(lost)
    summary["resilience"] = {
        "critical_load_share": crit,
        "critical_peak_mw": crit_peak,
        "value_of_lost_load_per_mwh": res.value_of_lost_load_per_mwh,
        "outages": outages,
        "unserved_mwh": lost_mwh + mwh(shed, res.outage_steps),
        "lost_load_mwh": lost_mwh,
        "lost_load_cost": lost_mwh * voll,
        "generators": generators,
        "generator_mw": gen_mw,
        "battery_mw": bat_mw,
        "battery_mwh": float(sum(energy.values())),
        "firm_capacity_mw": firm,
        "fuel_storage_mwh": fuel_energy if math.isfinite(fuel_energy) else None,
        "fuel_autonomy_hours": fuel_hours_at_peak,
        "battery_autonomy_hours": stored / crit_peak if crit_peak > 0 else None,
        "autonomy_hours": autonomy,
        "design_outage_hours": res.design_outage_hours,
        "survival_hours": D,
        "survival_probability": fleet_survival(fleet, crit_peak, D, rel, fuel_hours_at_peak),
        "survival_curve": curve,
        "reliability_inputs": {
            "operational_availability": rel.availability,
            "failure_to_start": rel.failure_to_start,
            "mean_time_to_failure_hours": rel.mttf_hours,
            "source": "REopt.jl backup_reliability defaults",
        },
        "backup_cost": {
            "generator_capital": backup_capital,
            "outage_fuel": outage_fuel_cost,
            "lost_load": lost_mwh * voll,
            "total": backup_capital + outage_fuel_cost + lost_mwh * voll,
        },
    }


__all__ = ["Flow", "OutageData", "ResilienceData", "operate", "resolve_resilience"]
