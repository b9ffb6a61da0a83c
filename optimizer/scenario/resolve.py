"""Turn a validated :class:`Scenario` into a :class:`Problem`: every number or column resolved
to one array a step, TOU prices expanded, capital annualised. The model reads only this."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from optimizer.errors import ScenarioError
from optimizer.loadmodel.flex import LoadFlexData, resolve_load_flex
from optimizer.loadmodel.resolve import load_from_model
from optimizer.loadmodel.spec import DatacenterLoad
from optimizer.materials.intensity import MaterialsData, resolve_materials
from optimizer.model.demand_response import DrProgramData, resolve_demand_response
from optimizer.model.resilience import ResilienceData, resolve_resilience
from optimizer.profiles.build import WeatherContext
from optimizer.rules import ComplianceData
from optimizer.scenario.resolve_certificates import (
    CertificateOfferData,
    HeatReuseData,
    _certificates_and_compliance,
)
from optimizer.scenario.resolve_offers import (  # noqa: F401  (re-exported)
    GridOfferData,
    NetworkData,
    PpaData,
    _offer,
    _ppa,
    network_charges,
)
from optimizer.scenario.resolver import _Resolver, tou_prices  # noqa: F401  (re-exported)
from optimizer.scenario.schema import (
    Carbon,
    Scenario,
)
from optimizer.scenario.series import read_series
from optimizer.scenario.timeindex import TimeGrid, build_time_grid
from optimizer.units import technology_unit
from optimizer.units.base import ResolveContext, TechData
from optimizer.units.base import crf as crf
from optimizer.units.battery import BatteryData as BatteryData
from optimizer.units.generator import GeneratorData as GeneratorData
from optimizer.units.renewable import RenewableData as RenewableData

if TYPE_CHECKING:
    from optimizer.scenario.cases import Study


@dataclass
class Problem:
    """A scenario with every input resolved to arrays over its time grid."""

    scenario: Scenario
    time: TimeGrid
    load_mw: np.ndarray
    flexible_share: float
    grid_carbon_intensity: np.ndarray
    grid_cfe_share: np.ndarray
    spot_price: np.ndarray | None
    export_price: np.ndarray
    export_limit_mw: float
    import_limit_mw: float | None
    offers: list[GridOfferData]
    ppas: list[PpaData]
    technologies: list[TechData] = field(default_factory=list)
    """Every on-site technology, resolved by its unit (optimizer/units/), in file order."""
    it_load_mw: np.ndarray | None = None
    """IT part of the load, MW, when known (load.it_mw or the load model)."""
    materials: MaterialsData = field(default_factory=MaterialsData)
    """Material and embodied-carbon intensities, limits and compute (docs/materials.md)."""
    study: Study | None = None
    """When the scenario defines cases (``uncertainty:``, ``horizon:``): the whole study,
    of which this problem is the first case; :func:`optimizer.solve.solve` and the model
    builder then solve every case."""
    grid_available: np.ndarray | None = None
    """1 where the grid connection is up, 0 in an outage step (no import, no export);
    None: always up."""
    step_weight: np.ndarray | None = None
    """How many real steps each step stands for (screening on typical days); None: 1."""
    resilience: ResilienceData | None = None
    """Outages, lost load, design outage and backup reliability (CONTRACT 12)."""
    demand_response: list[DrProgramData] = field(default_factory=list)
    """Demand-response programmes with their event steps (CONTRACT 12)."""
    load_flex: LoadFlexData | None = None
    """Flexible compute (training deferral) and load curtailment (docs/resilience.md)."""
    certificate_offers: list[CertificateOfferData] = field(default_factory=list)
    """Unbundled certificates the site may buy (CONTRACT 11)."""
    residual_mix: np.ndarray | None = None
    """tCO2/MWh of imports no certificate covers (market-based); None: the location factor."""
    heat_reuse: HeatReuseData | None = None
    compliance: ComplianceData | None = None
    """Renewable-share requirements, PUE/ERF limits and rule sets (optimizer.rules)."""

    @property
    def renewables(self) -> list[RenewableData]:
        return [t for t in self.technologies if isinstance(t, RenewableData)]

    @property
    def batteries(self) -> list[BatteryData]:
        return [t for t in self.technologies if isinstance(t, BatteryData)]

    @property
    def generators(self) -> list[GeneratorData]:
        return [t for t in self.technologies if isinstance(t, GeneratorData)]

    @property
    def carbon(self) -> Carbon:
        return self.scenario.carbon

    @property
    def periods(self) -> int:
        return self.time.periods

    @property
    def dt(self) -> float:
        return self.time.dt_hours


def resolve(scenario: Scenario, base_dir: Path | None) -> Problem:
    """Resolve every series-valued field; raise one :class:`ScenarioError` listing all problems.

    A scenario with ``uncertainty:`` or ``horizon:`` resolves every case
    (:mod:`optimizer.scenario.study`); the first case is returned with the study attached.
    """
    if scenario.uncertainty is not None or scenario.horizon is not None:
        from optimizer.scenario.study import study_from_scenario

        study = study_from_scenario(scenario, base_dir)
        first = study.cases[0].problem
        first.study = study
        return first
    return resolve_one(scenario, base_dir)


def resolve_one(scenario: Scenario, base_dir: Path | None) -> Problem:
    """Resolve one case (a scenario without an outer index)."""
    site = scenario.site
    time = build_time_grid(site.start, site.timezone, site.periods, site.resolution_minutes)
    series = read_series(scenario.series, base_dir, time) if scenario.series is not None else None
    r = _Resolver(
        series, time.periods, WeatherContext(scenario.weather, base_dir, time), time.dt_hours
    )
    H = time.horizon_fraction

    model_it: np.ndarray | None = None
    if isinstance(scenario.load.mw, DatacenterLoad):
        assert r.weather is not None
        load, model_it = load_from_model(scenario.load.mw.datacenter, r.weather, r.array, r.errors)
    else:
        load = r.array(scenario.load.mw, "load.mw", lo=0.0, what="load")
    it_load = (
        r.array(scenario.load.it_mw, "load.it_mw", lo=0.0, what="IT load")
        if scenario.load.it_mw is not None
        else model_it
    )
    ci = r.array(
        scenario.grid.carbon_intensity_tco2_per_mwh, "grid.carbon_intensity_tco2_per_mwh", lo=0.0
    )
    cfe = r.array(scenario.grid.cfe_share, "grid.cfe_share", lo=0.0, hi=1.0, what="clean share")
    spot = (
        r.array(scenario.grid.spot_price_per_mwh, "grid.spot_price_per_mwh")
        if scenario.grid.spot_price_per_mwh is not None
        else None
    )
    export_price = r.array(site.export_price, "site.export_price")

    offers = [_offer(o, i, r, time, spot, H) for i, o in enumerate(scenario.grid_offers)]
    ppas = [_ppa(p, r, spot) for p in scenario.ppa_offers]

    rate = scenario.finance.discount_rate if scenario.finance is not None else 0.0
    ctx = ResolveContext(r.array, r.errors, time, rate, spot)
    technologies = [technology_unit(t.kind).resolve(t, ctx) for t in scenario.technologies]

    materials = resolve_materials(scenario, r.errors)
    backup = _resolve_backup_and_flexibility(scenario, time, load, r)
    certs, residual, heat, compliance = _certificates_and_compliance(
        scenario, r, time, load, it_load, ci
    )
    if r.errors:
        raise ScenarioError(r.errors)
    return Problem(
        scenario=scenario,
        time=time,
        load_mw=load,
        flexible_share=scenario.load.flexible_share,
        grid_carbon_intensity=ci,
        grid_cfe_share=cfe,
        spot_price=spot,
        export_price=export_price,
        export_limit_mw=site.grid_export_limit_mw,
        import_limit_mw=site.grid_import_limit_mw,
        offers=offers,
        ppas=ppas,
        technologies=technologies,
        it_load_mw=it_load,
        materials=materials,
        certificate_offers=certs,
        residual_mix=residual,
        heat_reuse=heat,
        compliance=compliance,
        **backup,
    )


def _resolve_backup_and_flexibility(
    scenario: Scenario, time: TimeGrid, load: np.ndarray, r: _Resolver
) -> dict[str, Any]:
    """CONTRACT 12 and flexible compute: outages (→ ``grid_available``), demand response,
    training/inference flexibility and curtailment; nothing when the keys are absent."""
    out: dict[str, Any] = {}
    res, available = resolve_resilience(scenario, time, r.errors)
    if res is not None:
        out["resilience"] = res
        out["grid_available"] = available
    if scenario.demand_response:
        out["demand_response"] = resolve_demand_response(scenario, time, load, r.errors)
    flex = resolve_load_flex(scenario.load, load, time.dt_hours, r.weather, r.array, r.errors)
    if flex is not None:
        out["load_flex"] = flex
    return out
