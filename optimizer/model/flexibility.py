"""Load flexibility (CONTRACT 3.5).

=====================  ==================================================================
symbol                 meaning
=====================  ==================================================================
up[t], down[t] ≥ 0     load moved into / out of step t, MW
s                      flexible_share
=====================  ==================================================================

Equations::

    served_load[t] = load[t] + up[t] − down[t]
    up[t] ≤ s·load[t],  down[t] ≤ s·load[t]                 (bounds)
    Σ_{t in local day d} (up[t] − down[t]) = 0              for every local day d

Flexible compute and curtailment (``load.compute``, ``load.curtailment_cost_per_mwh``;
docs/resilience.md). TR[t] is the training part of the load, n = ⌈deadline_hours/Δt⌉::

    0 ≤ def[t] ≤ max_shift_share·TR[t],  0 ≤ cat[t] ≤ max_boost_share·TR[t]     (bounds)
    B[t] = B[t−1] + (def[t] − cat[t])·Δt,   B[−1] = 0,   B[T−1] = 0               (F1)
    B[t] ≤ Σ_{τ=t−n+1}^{t} def[τ]·Δt                                               (F2)
    0 ≤ shed_k[t] ≤ cap_k[t]    k ∈ {training, inference, load}                     (bounds)
    def[t] + shed_training[t] ≤ TR[t]      (only when the two caps can exceed TR)   (F3)
    served_load[t] −= def[t] − cat[t] + Σ_k shed_k[t]
    cost += Σ_k cost_k·Σ_t w[t]·shed_k[t]·Δt                  (category curtailment)

(F2) is the deadline: the backlog at the end of step t may hold only work deferred in the
last n steps, so (first in, first out) every deferred MWh runs within n steps. (F1) makes
the horizon end with no backlog. With (F1), (F2) is written as the equivalent
``B[s] ≤ Σ_{τ=s+1}^{s+n} cat[τ]·Δt`` for s = 0..T−1−n (what waits at the end of step s runs
in the next n steps).
"""

from __future__ import annotations

import numpy as np
import pyomo.core as pyo
from pyomo.core.base.var import VarData

from optimizer.model.builder import CaseBuilder
from optimizer.model.flows import FlowKind


def operate(b: CaseBuilder) -> None:
    _daily_shift(b)
    _compute(b)


def _daily_shift(b: CaseBuilder) -> None:
    p = b.problem
    share = p.flexible_share
    if share <= 0:
        return
    blk = b.block("flexibility")
    cap = share * p.load_mw
    up = b.step_vars(blk, "up", 1, ub=cap)[0]
    down = b.step_vars(blk, "down", 1, ub=cap)[0]
    day = p.time.day_id
    n_days = int(day.max()) + 1
    members = [np.flatnonzero(day == d) for d in range(n_days)]
    blk.daily = pyo.Constraint(
        range(n_days),
        rule=lambda _b, d: sum(up[t] - down[t] for t in members[d]) == 0,
    )
    b.balance.add(-1.0, up).add(1.0, down)
    b.served_delta.add(1.0, up).add(-1.0, down)
    b.flow(FlowKind.FLEX_UP, "", b.step_expr().add(1.0, up))
    b.flow(FlowKind.FLEX_DOWN, "", b.step_expr().add(1.0, down))


def _compute(b: CaseBuilder) -> None:
    """Deferrable training (F1)–(F3) and shed load of every kind."""
    p = b.problem
    flex = p.load_flex
    if flex is None:
        return
    T, dt = b.T, b.dt
    blk = b.block("compute_flexibility")
    defer = None
    if flex.shift is not None:
        sh = flex.shift
        defer = b.step_vars(blk, "defer", 1, ub=sh.shift_cap_mw)[0]
        catch = b.step_vars(blk, "catch_up", 1, ub=sh.boost_cap_mw)[0]
        ub_backlog = np.full(T, np.inf)
        ub_backlog[-1] = 0.0
        backlog = b.step_vars(blk, "backlog", 1, ub=ub_backlog)[0]
        n = sh.deadline_steps

        def balance(t: int) -> object:
            prev = backlog[t - 1] if t > 0 else 0.0
            return backlog[t] - prev - dt * defer[t] + dt * catch[t] == 0

        b.step_rows(blk, "backlog_balance", range(T), balance)  # (F1)
        # (F2) for t ≥ n reads B[t−n] ≤ Σ_{τ=t−n+1}^{t} cat[τ]·Δt (subtract B[t−n] from both
        # sides using (F1)); for t < n it always holds. Long deadlines use a cumulative sum.
        starts = range(0, max(0, T - n))
        if n <= 12:
            b.step_rows(
                blk,
                "deadline",
                starts,
                lambda s: backlog[s] - dt * sum(catch[k] for k in range(s + 1, s + n + 1)) <= 0,
            )
        else:
            cum = b.step_vars(blk, "catch_up_cumulative", 1)[0]
            b.step_rows(
                blk,
                "catch_up_cumulative_def",
                range(T),
                lambda t: cum[t] - (cum[t - 1] if t > 0 else 0.0) - dt * catch[t] == 0,
            )
            b.step_rows(blk, "deadline", starts, lambda s: backlog[s] - cum[s + n] + cum[s] <= 0)
        b.balance.add(1.0, defer).add(-1.0, catch)
        b.served_delta.add(-1.0, defer).add(1.0, catch)
        b.flow(FlowKind.TRAINING_DEFER, "", b.step_expr().add(1.0, defer))
        b.flow(FlowKind.TRAINING_CATCH_UP, "", b.step_expr().add(1.0, catch))
        b.flow(FlowKind.TRAINING_BACKLOG, "", b.step_expr().add(1.0, backlog))
    for k, sd in enumerate(flex.sheds):
        shed = b.step_vars(blk, f"shed_{k}", 1, ub=sd.cap_mw)[0]
        b.balance.add(1.0, shed)
        b.served_delta.add(-1.0, shed)
        b.add_step_cost("curtailment", sd.name, sd.cost_per_mwh * dt, shed)
        b.flow(FlowKind.SHED, sd.name, b.step_expr().add(1.0, shed))
        if sd.name == "training" and defer is not None and flex.shift is not None:
            tr = flex.shift.training_mw
            if bool(np.any(flex.shift.shift_cap_mw + sd.cap_mw > tr + 1e-9)):
                _training_total(b, blk, defer, shed, tr.tolist())
    b.summary_hooks.append(lambda lp, acc, summary: _summary(b, acc, summary))


def _training_total(
    b: CaseBuilder, blk: pyo.Block, defer: list[VarData], shed: list[VarData], tr: list[float]
) -> None:
    """(F3): deferred and shed training together stay within the training load."""
    b.step_rows(blk, "training_total", range(b.T), lambda t: defer[t] + shed[t] <= tr[t])


def _summary(b: CaseBuilder, acc: object, summary: dict[str, object]) -> None:
    """summary.json ``load_flexibility``: what the compute gave (MWh and money)."""
    p = b.problem
    flex = p.load_flex
    assert flex is not None
    flows = acc.flows  # type: ignore[attr-defined]
    total = acc.total_mwh  # type: ignore[attr-defined]
    out: dict[str, object] = {}

    def get(kind: FlowKind, asset: str = "") -> np.ndarray | None:
        for f, x in flows.items():
            if f.kind is kind and f.asset == asset:
                return np.asarray(x)
        return None

    if flex.training_mw is not None:
        out["training_mwh"] = float(total(flex.training_mw))
    if flex.inference_mw is not None:
        out["inference_mwh"] = float(total(flex.inference_mw))
    deferred = get(FlowKind.TRAINING_DEFER)
    if deferred is not None:
        backlog = get(FlowKind.TRAINING_BACKLOG)
        out["training_deferred_mwh"] = float(total(deferred))
        out["training_max_backlog_mwh"] = float(backlog.max()) if backlog is not None else 0.0
        assert flex.shift is not None
        out["training_deadline_hours"] = flex.shift.deadline_steps * b.dt
    shed: dict[str, dict[str, float]] = {}
    for sd in flex.sheds:
        x = get(FlowKind.SHED, sd.name)
        if x is not None:
            mwh = float(total(x))
            shed[sd.name] = {
                "mwh": mwh,
                "cost": mwh * sd.cost_per_mwh,
                "cost_per_mwh": sd.cost_per_mwh,
            }
    out["curtailed"] = shed
    out["curtailed_mwh"] = float(sum(v["mwh"] for v in shed.values()))
    summary["load_flexibility"] = out
