"""Demand response: committed MW delivered in every event step (CONTRACT 12,
docs/resilience.md).

=====================  ==================================================================
symbol                 meaning
=====================  ==================================================================
d[p] ∈ [min, max]      MW committed to programme p (first stage, shared by every case)
E_p                    steps of p's events (local time windows)
A(t)                   programmes with an event in step t
L[t]                   forecast load, before any flexibility
π_p                    ``capacity_payment_per_mw_year``
s_p                    ``max_share_of_load``
=====================  ==================================================================

Equations::

    d[p] ≤ s_p·min_{t∈E_p} L[t]                                   (bound, with s_p)
    Σ_o imp[o,t] ≤ L[t] − Σ_{p∈A(t)} d[p]                         t ∈ ∪E_p        (DR1)
    Σ_o imp[o,t] + Σ_j g_j[t] ≤ L[t] − Σ_{p∈A(t)} d[p]            t where some p ∈ A(t)
                                                                  has generator_allowed false (DR2)
    cost += −π_p·H·d[p]                                           (category demand_response)

Because ``L`` is the forecast load, load moved out of the window (flexibility, deferred
training), shed load (curtailment), battery discharge, on-site output and PPA delivery all
count toward the reduction; (DR2) takes the generators out of it. The summary splits the
reduction ``L[t] − Σ_o imp[o,t]`` of every event step into what delivered it.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Any

import numpy as np

from optimizer.errors import FieldError
from optimizer.model.flows import FlowKind
from optimizer.model.resilience import step_mask, window_steps

if TYPE_CHECKING:
    from optimizer.model.builder import CaseBuilder, ModelBuilder
    from optimizer.scenario.timeindex import TimeGrid


@dataclass(frozen=True)
class DrEventData:
    start: str
    hours: float
    mask: np.ndarray
    """1 (int8) in the event's steps (a per-step array: screening carries it along)."""

    @property
    def steps(self) -> np.ndarray:
        return np.flatnonzero(self.mask > 0)


@dataclass(frozen=True)
class DrProgramData:
    name: str
    income_per_mw: float
    """capacity_payment_per_mw_year · H."""
    payment_per_mw_year: float
    min_mw: float
    max_mw: float
    events: list[DrEventData]
    mask: np.ndarray
    """1 (int8) in every event step."""
    generator_allowed: bool

    @property
    def steps(self) -> np.ndarray:
        return np.flatnonzero(self.mask > 0)


def resolve_demand_response(
    scenario: Any, time: TimeGrid, load: np.ndarray, errors: list[FieldError]
) -> list[DrProgramData]:
    H = time.horizon_fraction
    names = {o.name for o in scenario.grid_offers}
    names |= {o.name for o in scenario.ppa_offers}
    names |= {t.name for t in scenario.technologies}
    out: list[DrProgramData] = []
    for prog in scenario.demand_response:
        path = f"demand_response[{prog.name}]"
        if prog.name in names:
            errors.append(
                FieldError(f"{path}.name", f"duplicate name {prog.name!r}; names must be unique")
            )
        names.add(prog.name)
        events = []
        for k, e in enumerate(prog.events):
            steps = window_steps(e.start, e.hours, time, f"{path}.events[{k}].start", errors)
            events.append(DrEventData(e.start, e.hours, step_mask(steps, time.periods)))
        if prog.max_events_per_year is not None and len(events) > prog.max_events_per_year * H:
            errors.append(
                FieldError(
                    f"{path}.events",
                    f"{len(events)} events in a horizon of {H * 8760:g} h is above "
                    f"max_events_per_year {prog.max_events_per_year:g} × H = "
                    f"{prog.max_events_per_year * H:.3g}",
                )
            )
        steps = np.unique(np.concatenate([e.steps for e in events])).astype(np.int64)
        hi = prog.max_mw
        if prog.max_share_of_load is not None and steps.size:
            hi = min(hi, prog.max_share_of_load * float(load[steps].min()))
        if prog.min_mw > hi + 1e-9:
            errors.append(
                FieldError(
                    f"{path}.min_mw",
                    f"{prog.min_mw:g} is above what the programme allows ({hi:g} MW: "
                    "max_mw or max_share_of_load × the lowest event-step load)",
                )
            )
        out.append(
            DrProgramData(
                prog.name,
                prog.capacity_payment_per_mw_year * H,
                prog.capacity_payment_per_mw_year,
                prog.min_mw,
                hi,
                events,
                step_mask(steps, time.periods),
                prog.generator_allowed,
            )
        )
    return out


def declare(b: ModelBuilder) -> None:
    progs = b.problem.demand_response
    if not progs:
        return
    blk = b.block("demand_response_commitment")
    b.declare_capacities(
        blk,
        "committed",
        [x.name for x in progs],
        [x.min_mw for x in progs],
        [max(x.max_mw, x.min_mw) for x in progs],
    )


def operate(c: CaseBuilder) -> None:
    p = c.problem
    progs = p.demand_response
    if not progs:
        return
    T = c.T
    L = np.asarray(p.load_mw, dtype=float)
    blk = c.block("demand_response")
    d = [c.capacity(x.name) for x in progs]
    active: list[list[int]] = [[] for _ in range(T)]
    no_gen = np.zeros(T, dtype=bool)
    for k, x in enumerate(progs):
        for t in x.steps.tolist():
            active[t].append(k)
            if not x.generator_allowed:
                no_gen[t] = True
        c.cost.add("demand_response", x.name, -x.income_per_mw, [d[k]])
        mask = np.zeros(T)
        mask[x.steps] = 1.0
        red = c.step_expr().add_const(mask * L).add_expr(c.imports, -mask)
        c.flow(FlowKind.DR_REDUCTION, x.name, red)
    gens = c.step_expr()
    for f, expr in c.flows.items():
        if f.kind is FlowKind.OUTPUT and f.asset_kind == "generator":
            gens.add_expr(expr)
    imports = c.imports
    steps = [t for t in range(T) if active[t]]
    loads = L.tolist()

    def row(t: int) -> object:
        return imports.pyomo(t) + sum(d[k] for k in active[t]) <= loads[t]

    c.step_rows(blk, "reduction", steps, row)  # (DR1)
    gen_steps = [t for t in steps if no_gen[t]]
    if gen_steps and not gens.is_empty:

        def row_gen(t: int) -> object:
            return imports.pyomo(t) + gens.pyomo(t) + sum(d[k] for k in active[t]) <= loads[t]

        c.step_rows(blk, "reduction_without_generators", gen_steps, row_gen)  # (DR2)
    c.summary_hooks.append(partial(_summary, c))


def _series(acc: Any, *kinds: FlowKind, asset_kind: str | None = None) -> np.ndarray:
    out = np.zeros(len(acc.load))
    for f, x in acc.flows.items():
        if f.kind in kinds and (asset_kind is None or f.asset_kind == asset_kind):
            out = out + x
    return out


def delivered_by(acc: Any, steps: np.ndarray) -> dict[str, float]:
    """Mean MW over ``steps`` of each resource in the reduction L[t] − Σ imp[t].

    ``L − imp = (L − served) + g + (dis − ch) + (PPA + renewables − curtail − export)``;
    ``L − served`` is flexibility (flex down − up, deferred − caught-up training) plus shed
    load (curtailment, lost load). ``other_supply`` is the rest (PPA, on-site renewables,
    clean firm), computed as the residual so that the parts add up to the reduction.
    """
    if steps.size == 0:
        return {}
    red = acc.load - acc.imports
    flex = _series(acc, FlowKind.FLEX_DOWN, FlowKind.TRAINING_DEFER) - _series(
        acc, FlowKind.FLEX_UP, FlowKind.TRAINING_CATCH_UP
    )
    curtail = _series(acc, FlowKind.SHED, FlowKind.LOST_LOAD)
    battery = _series(acc, FlowKind.DISCHARGE) - _series(acc, FlowKind.CHARGE)
    gen = _series(acc, FlowKind.OUTPUT, asset_kind="generator")
    parts = {"battery": battery, "flexibility": flex, "curtailment": curtail, "generator": gen}
    out = {k: float(v[steps].mean()) for k, v in parts.items()}
    out["other_supply"] = float(red[steps].mean()) - sum(out.values())
    out["total"] = float(red[steps].mean())
    return out


def _summary(c: CaseBuilder, lp: Any, acc: Any, summary: dict[str, Any]) -> None:
    out: dict[str, Any] = {}
    red = acc.load - acc.imports
    for x in c.problem.demand_response:
        dmw = float(lp.values([c.capacity(x.name)])[0])
        out[x.name] = {
            "committed_mw": dmw,
            "income": x.income_per_mw * dmw,
            "capacity_payment_per_mw_year": x.payment_per_mw_year,
            "generator_allowed": x.generator_allowed,
            "event_hours": float(sum(e.steps.size for e in x.events) * c.dt),
            "events": [
                {
                    "start": e.start,
                    "hours": e.hours,
                    "min_reduction_mw": float(red[e.steps].min()) if e.steps.size else None,
                }
                for e in x.events
            ],
            "delivered_by": delivered_by(acc, x.steps),
        }
    summary["demand_response"] = out
