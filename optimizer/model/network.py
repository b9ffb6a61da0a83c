"""Network charges and levies on grid imports (CONTRACT 13), paid whoever supplies the energy.

=====================  ==================================================================
symbol                 meaning
=====================  ==================================================================
I[t]                   Σ_o physical import under every grid offer, MW
Pk ≥ 0                 peak total import over the horizon, MW (``horizon_peak``)
Pk[m] ≥ 0              peak total import in local month m, MW (``monthly_peak``)
H, f[m]                horizon fraction; share of month m's hours inside the horizon
=====================  ==================================================================

Equations::

    Pk ≥ I[t]                          ∀t           (horizon_peak)
    Pk[m(t)] ≥ I[t]                    ∀t           (monthly_peak)
    cost network_capacity = rate·H·Pk                           (horizon_peak)
                          = rate/12·Σ_m f[m]·Pk[m]              (monthly_peak)
    cost network_energy   = energy_charge_per_mwh·Σ_t I[t]·Δt
    cost levies           = levies_per_mwh·Σ_t I[t]·Δt

``rate`` = ``site.network.capacity_charge_per_mw_year``. A whole-year horizon of twelve
whole months bills the same under both bases when every month peaks alike. The charges are
part of ``total_cost``; summary.json's ``cost_breakdown`` reports them as
``network_capacity``, ``network_energy`` and ``levies`` (items ``network`` and ``levies``).
"""

from __future__ import annotations

import numpy as np

from optimizer.model.builder import CaseBuilder
from optimizer.scenario.resolve import network_charges


def operate(c: CaseBuilder) -> None:
    p = c.problem
    net = network_charges(p)
    if not net.any:
        return
    dt, T = c.dt, c.T
    imports = c.imports
    if net.energy_per_mwh:
        c.cost.add_step("network_energy", "network", imports, net.energy_per_mwh * dt * c.w)
    if net.levies_per_mwh:
        c.cost.add_step("levies", "levies", imports, net.levies_per_mwh * dt * c.w)
    if net.capacity_per_mw_year:
        blk = c.block("network")
        if net.capacity_basis == "monthly_peak":
            n = len(p.time.month_labels)
            month = np.asarray(p.time.month_id).tolist()
            peak = c.scalar_vars(blk, "peak", [0.0] * n, [None] * n)
            coefs = net.capacity_per_mw_year / 12.0 * np.asarray(p.time.month_fraction)
        else:
            month = [0] * T
            peak = c.scalar_vars(blk, "peak", [0.0], [None])
            coefs = np.array([net.capacity_per_mw_year * p.time.horizon_fraction])
        c.step_rows(blk, "peak_def", range(T), lambda t: imports.pyomo(t) - peak[month[t]] <= 0)
        c.cost.add("network_capacity", "network", coefs, peak)
