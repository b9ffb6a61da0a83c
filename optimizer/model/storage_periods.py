"""Battery state of charge on typical periods (screening; docs/formulation.md, "Screening").

Used by ``battery.py`` instead of its horizon-cyclic balance and ``soc ≤ E`` rows when
``BuildOptions.storage_periods`` is set. The model's horizon is then a sequence of typical
periods p = 0..P−1 (period p spans steps ``starts[p] .. starts[p+1]−1``), and ``order[d]``
is the typical period that stands for real period d of the full horizon (calendar order).

=====================  ==================================================================
symbol                 meaning
=====================  ==================================================================
s[t]                   intra-period state at the end of step t, MWh, relative to the
                       state at the start of its period (may be negative when linked)
t0(p), t1(p)           first and last step of typical period p
k(d)                   ``order[d]``: typical period of real period d
S[d] ≥ 0               state at the start of real period d, MWh (linked only)
s_hi[p], s_lo[p]       free: bounds on s over period p (linked only)
=====================  ==================================================================

Linked (Kotzur et al. 2018, Applied Energy 213, with the max/min reduction)::

    s[t] = η·ch[t]·Δt − dis[t]·Δt/η                           t = t0(p)  (starts at 0)
    s[t] = s[t−1] + η·ch[t]·Δt − dis[t]·Δt/η                  otherwise
    s_lo[p] ≤ s[t] ≤ s_hi[p]                                  t in p
    S[d+1] = S[d] + s[t1(k(d))],   S[D] ≡ S[0]                (cyclic over the year;
                                                               no self-discharge)
    S[d] + s_hi[k(d)] ≤ E,   S[d] + s_lo[k(d)] ≥ 0             ∀d

The state at every step of real period d is S[d] + s[t] with t in k(d), so these rows
bound it in [0, E] exactly; with every period standing for itself (``order`` = 0..P−1)
the LP is the full model's.

Cyclic (each typical period on its own): ``s ≥ 0``, ``s ≤ E`` and the balance of the
first step of p uses ``s[t1(p)]`` as its previous state.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import pyomo.core as pyo
from pyomo.core.base.var import VarData

if TYPE_CHECKING:
    from optimizer.model.builder import CaseBuilder


@dataclass(frozen=True)
class StoragePeriods:
    """Typical periods of the model's horizon and the real period each stands for."""

    starts: tuple[int, ...]
    """First step of each typical period; period p ends where period p+1 starts (the
    last at the end of the horizon)."""
    order: tuple[int, ...]
    """The typical period standing for each real period of the full horizon, in calendar
    order (an extreme day kept as itself appears once)."""
    linked: bool = True
    """True: a state of charge carried from real period to real period (Kotzur);
    False: each typical period cyclic on its own."""

    def bounds(self, T: int) -> list[tuple[int, int]]:
        """(first, last) step of every typical period."""
        ends = [*self.starts[1:], T]
        return [(a, e - 1) for a, e in zip(self.starts, ends, strict=True)]


def build_soc(
    b: CaseBuilder,
    blk: pyo.Block,
    k: int,
    s: list[VarData],
    c: list[VarData],
    d: list[VarData],
    E: VarData,
    eta: float,
    sp: StoragePeriods,
) -> list[VarData]:
    """Write battery k's state-of-charge rows on typical periods; return its extra
    variables (to be zero when the battery is left out)."""
    T, dt = b.T, b.dt
    periods = sp.bounds(T)
    if sp.starts[0] != 0 or any(a > e for a, e in periods):
        raise ValueError("storage periods must start at step 0 and be non-empty")
    if any(not 0 <= p < len(periods) for p in sp.order):
        raise ValueError("storage period order names a period that does not exist")
    first = {a: e for a, e in periods}
    ein, eout = eta * dt, dt / eta

    if not sp.linked:
        b.cap_rows(blk, f"soc_max_{k}", s, [E])

        def cyclic(t: int) -> object:
            prev = first.get(t, t - 1)
            return s[t] - s[prev] - ein * c[t] + eout * d[t] == 0

        b.step_rows(blk, f"soc_balance_{k}", range(T), cyclic)
        return []

    for v in s:
        v.domain = pyo.Reals  # relative to the period start: may be negative
    P, D = len(periods), len(sp.order)
    hi = pyo.Var(range(P), within=pyo.Reals)
    lo = pyo.Var(range(P), within=pyo.Reals)
    inter = pyo.Var(range(D), within=pyo.NonNegativeReals)
    blk.add_component(f"soc_intra_max_{k}", hi)
    blk.add_component(f"soc_intra_min_{k}", lo)
    blk.add_component(f"soc_inter_{k}", inter)
    period_of = [0] * T
    for p, (a, e) in enumerate(periods):
        period_of[a : e + 1] = [p] * (e - a + 1)

    def balance(t: int) -> object:
        if t in first:
            return s[t] - ein * c[t] + eout * d[t] == 0
        return s[t] - s[t - 1] - ein * c[t] + eout * d[t] == 0

    b.step_rows(blk, f"soc_balance_{k}", range(T), balance)
    b.step_rows(blk, f"soc_intra_max_row_{k}", range(T), lambda t: s[t] - hi[period_of[t]] <= 0)
    b.step_rows(blk, f"soc_intra_min_row_{k}", range(T), lambda t: s[t] - lo[period_of[t]] >= 0)
    order = list(sp.order)
    end = [e for _, e in periods]

    def carry(i: int) -> object:
        return inter[(i + 1) % D] - inter[i] - s[end[order[i]]] == 0

    def upper(i: int) -> object:
        return inter[i] + hi[order[i]] - E <= 0

    def lower(i: int) -> object:
        return inter[i] + lo[order[i]] >= 0

    b.step_rows(blk, f"soc_inter_carry_{k}", range(D), carry)
    b.step_rows(blk, f"soc_inter_max_{k}", range(D), upper)
    b.step_rows(blk, f"soc_inter_min_{k}", range(D), lower)
    return [*hi.values(), *lo.values(), *inter.values()]
