"""Certificate offers, the residual mix, heat reuse and the rule sets, resolved (CONTRACT 11)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from optimizer.errors import FieldError
from optimizer.rules import ComplianceData
from optimizer.rules import evaluate as evaluate_rules
from optimizer.scenario.resolver import _Resolver
from optimizer.scenario.schema import (
    Scenario,
)
from optimizer.scenario.timeindex import TimeGrid
from optimizer.units.base import crf as crf
from optimizer.units.battery import BatteryData as BatteryData
from optimizer.units.generator import GeneratorData as GeneratorData
from optimizer.units.renewable import RenewableData as RenewableData


@dataclass(frozen=True)
class CertificateOfferData:
    name: str
    price_per_mwh: float
    matching: str
    """annual | monthly | hourly."""
    max_mwh: float | None
    max_mw: np.ndarray | None
    """Hourly: most certificates per step, MW (None: no limit)."""
    zone: str | None
    in_zone: bool
    """From the site's market boundary (its zone is none, or equal to grid.zone)."""


@dataclass(frozen=True)
class HeatReuseData:
    recoverable_share: float
    offtake_limit_mw_heat: float | None
    price_per_mwh_heat: float
    heat_pump_cop: float | None
    it_load_mw: np.ndarray
    """The IT load the heat comes from, MW."""

    @property
    def max_heat_mw(self) -> np.ndarray:
        """Most heat deliverable per step: recovered heat lifted by the heat pump (whose
        electricity adds ``h/COP`` to it), within the offtake limit."""
        lift = 1.0 if self.heat_pump_cop is None else 1.0 - 1.0 / self.heat_pump_cop
        ub = self.recoverable_share * self.it_load_mw / lift
        if self.offtake_limit_mw_heat is not None:
            ub = np.minimum(ub, self.offtake_limit_mw_heat)
        return np.asarray(ub, dtype=float)


def _certificates_and_compliance(
    scenario: Scenario,
    r: _Resolver,
    time: TimeGrid,
    load: np.ndarray,
    it_load: np.ndarray | None,
    ci: np.ndarray,
) -> tuple[
    list[CertificateOfferData], np.ndarray | None, HeatReuseData | None, ComplianceData | None
]:
    """CONTRACT 11: certificate offers, the residual mix, heat reuse and the rule sets."""
    names = (
        {o.name for o in scenario.grid_offers}
        | {q.name for q in scenario.ppa_offers}
        | {t.name for t in scenario.technologies}
    )
    zone = scenario.grid.zone
    certs: list[CertificateOfferData] = []
    for k in scenario.certificate_offers:
        path = f"certificate_offers[{k.name}]"
        if k.name in names:
            r.errors.append(
                FieldError(f"{path}.name", f"duplicate name {k.name!r}; names must be unique")
            )
        names.add(k.name)
        max_mw = (
            r.array(k.max_mw, f"{path}.max_mw", lo=0.0, what="certificates")
            if k.max_mw is not None
            else None
        )
        in_zone = k.zone is None or (zone is not None and k.zone == zone)
        certs.append(
            CertificateOfferData(
                k.name, k.price_per_mwh, k.matching, k.max_mwh, max_mw, k.zone, in_zone
            )
        )
    residual = (
        r.array(scenario.grid.residual_mix_tco2_per_mwh, "grid.residual_mix_tco2_per_mwh", lo=0.0)
        if scenario.grid.residual_mix_tco2_per_mwh is not None
        else None
    )
    heat: HeatReuseData | None = None
    hr = scenario.heat_reuse
    if hr is not None:
        if it_load is None:
            r.errors.append(
                FieldError(
                    "heat_reuse",
                    "recovered heat comes from the IT load, which is unknown: give load.it_mw "
                    "(a number or column) or the load model (load.mw: {datacenter: ...})",
                )
            )
        else:
            heat = HeatReuseData(
                hr.recoverable_share,
                hr.offtake_limit_mw_heat,
                hr.price_per_mwh_heat,
                hr.heat_pump_cop,
                it_load,
            )
    compliance: ComplianceData | None = None
    if scenario.compliance or scenario.carbon.renewable_share_target is not None:
        annual = float(load.sum() * time.dt_hours / time.horizon_fraction)
        compliance = evaluate_rules(scenario, time.index[0].date(), load, it_load, annual)
    return certs, residual, heat, compliance
