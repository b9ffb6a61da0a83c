"""Post-solve backup reliability: the probability that the backup fleet carries the critical
load through a grid outage of D hours (docs/resilience.md, "Survival probability").

Each of the fleet's n units (``n = ⌈P / unit_mw⌉``, one unit of P when ``unit_mw`` is not
given) works through the outage independently with probability

    q(D) = a · (1 − f_s) · (1 − 1/MTTF)^D

a = operational availability (not in maintenance when the outage starts), f_s = failure to
start, MTTF = mean time to failure in running hours (a failure probability of 1/MTTF per
running hour, no repair during the outage). These are the inputs and defaults of REopt's
backup reliability model (REopt.jl documentation, ``backup_reliability``:
``generator_operational_availability = 0.995``, ``generator_failure_to_start = 0.0094``,
``generator_mean_time_to_failure = 1100``), whose Markov chain, without repair and with the
load covered only by generators, reduces to this binomial. The site survives when at least
``k = ⌈critical peak / unit_mw⌉`` units are working at the end:

    S(D) = Σ_{i=k}^{n} C(n, i) · q^i · (1 − q)^(n − i)

and S(D) = 0 when the fuel on site cannot carry the critical peak for D hours. The battery
and on-site renewables are not counted (a conservative figure).
"""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class Reliability:
    availability: float = 0.995
    failure_to_start: float = 0.0094
    mttf_hours: float = 1100.0


def unit_success(rel: Reliability, hours: float) -> float:
    """q(D): a unit is available, starts, and runs D hours without failing."""
    run = (1.0 - 1.0 / rel.mttf_hours) ** hours if rel.mttf_hours > 1.0 else 0.0
    return rel.availability * (1.0 - rel.failure_to_start) * run


def at_least(n: int, k: int, q: float) -> float:
    """P(X ≥ k), X ~ Binomial(n, q)."""
    if k <= 0:
        return 1.0
    if k > n:
        return 0.0
    return float(sum(math.comb(n, i) * q**i * (1.0 - q) ** (n - i) for i in range(k, n + 1)))


def whole_units(capacity_mw: float, unit_mw: float) -> int:
    """Units installed: the LP's continuous capacity rounded up to whole units."""
    if capacity_mw <= 1e-9:
        return 0
    return max(1, math.ceil(capacity_mw / unit_mw - 1e-6))


def units_needed(load_mw: float, unit_mw: float) -> int:
    if load_mw <= 1e-9:
        return 0
    return math.ceil(load_mw / unit_mw - 1e-6)


def fleet_survival(
    fleet: list[tuple[int, float]],
    peak_mw: float,
    hours: float,
    rel: Reliability,
    fuel_hours_at_peak: float | None = None,
) -> float:
    """S(D) of a fleet of ``(units, unit_mw)`` groups: P(working capacity ≥ peak) at the end.

    With one group this is :func:`survival_probability`; several groups are convolved
    (each unit independent, the same q).
    """
    if peak_mw <= 1e-9:
        return 1.0
    if fuel_hours_at_peak is not None and fuel_hours_at_peak < hours - 1e-9:
        return 0.0
    q = unit_success(rel, hours)
    dist: dict[float, float] = {0.0: 1.0}
    for n, unit in fleet:
        nxt: dict[float, float] = {}
        for cap, pr in dist.items():
            for i in range(n + 1):
                key = round(cap + i * unit, 9)
                nxt[key] = nxt.get(key, 0.0) + pr * math.comb(n, i) * q**i * (1 - q) ** (n - i)
        dist = nxt
    return float(sum(pr for cap, pr in dist.items() if cap >= peak_mw - 1e-6))


def survival_probability(
    units: int,
    needed: int,
    hours: float,
    rel: Reliability,
    fuel_hours_at_peak: float | None = None,
) -> float:
    """S(D); 0 when the fuel lasts fewer than D hours at the critical peak."""
    if needed <= 0:
        return 1.0
    if fuel_hours_at_peak is not None and fuel_hours_at_peak < hours - 1e-9:
        return 0.0
    return at_least(units, needed, unit_success(rel, hours))
