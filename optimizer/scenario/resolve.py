"""Turn a validated :class:`Scenario` into a :class:`Problem`: every number or column resolved
to one array a step, TOU prices expanded, capital annualised. The model reads only this."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from optimizer.errors import FieldError, ScenarioError
from optimizer.loadmodel.flex import LoadFlexData, resolve_load_flex
from optimizer.loadmodel.resolve import load_from_model
from optimizer.loadmodel.spec import DatacenterLoad
from optimizer.materials.intensity import MaterialsData, resolve_materials
from optimizer.model.demand_response import DrProgramData, resolve_demand_response
from optimizer.model.resilience import ResilienceData, resolve_resilience
from optimizer.profiles.build import WeatherContext
from optimizer.profiles.spec import SolarProfile, WindProfile
from optimizer.rules import ComplianceData
from optimizer.rules import evaluate as evaluate_rules
from optimizer.scenario.schema import (
    Carbon,
    GridOffer,
    PpaOffer,
    Scenario,
    TouPrice,
)
from optimizer.scenario.series import SeriesTable, read_series
from optimizer.scenario.timeindex import TimeGrid, build_time_grid
from optimizer.units import technology_unit
from optimizer.units.base import ResolveContext, TechData
from optimizer.units.base import crf as crf
from optimizer.units.battery import BatteryData as BatteryData
from optimizer.units.generator import GeneratorData as GeneratorData
from optimizer.units.renewable import RenewableData as RenewableData

if TYPE_CHECKING:
    from optimizer.scenario.cases import Study


@dataclass(frozen=True)
class GridOfferData:
    name: str
    price: np.ndarray
    """Energy price per MWh in every step (TOU, column, number or spot + adder); for a block
    offer the block's price."""
    demand_charge_per_mw_month: float
    fixed_cost: float
    """fixed_per_year · H: always paid without a group; paid only if signed with one."""
    max_mw: float | None
    group: str | None = None
    """Offers of one group exclude each other (CONTRACT 13)."""
    price_is_number: bool = False
    """The energy price is one number (compare finds its breakeven)."""
    price_per_mwh: float | None = None
    """That number."""
    index_adder_per_mwh: float | None = None
    """An index offer's adder (price = spot + adder; not for a block's rest)."""
    block_mw: np.ndarray | None = None
    """Block offers: the block's MW in every step (None: not a block offer)."""
    swing_share: float = 0.0
    take_or_pay_share: float = 0.0
    block_mwh: float = 0.0
    """Σ_t block[t]·Δt over the horizon (the take-or-pay base, kept for screening)."""
    rest_price: np.ndarray | None = None
    """Block offers: price of the rest of the offer's supply, spot + index_adder (default 0)."""
    resale_price: np.ndarray | None = None
    """Block offers: revenue per MWh of unused block energy, spot − resale_spread."""

    @property
    def is_block(self) -> bool:
        return self.block_mw is not None


RENEWABLE_TECHNOLOGIES = frozenset(
    {"solar", "wind_onshore", "wind_offshore", "hydro", "geothermal", "biomass", "other_renewable"}
)
"""PPA technologies whose delivery counts as renewable supply (CONTRACT 11, 13)."""


@dataclass(frozen=True)
class PpaData:
    name: str
    kind: str
    profile: np.ndarray
    """MW delivered (or certified) per MW contracted; ones for baseload. With
    ``negative_price_rule: curtail`` zero in steps with spot < 0."""
    price_per_mwh: float
    min_mw: float
    max_mw: float | None
    delivered_mwh_per_mw: float = 0.0
    """Σ_t profile[t]·Δt over the horizon: MWh delivered (or certified) per MW contracted."""
    settlement_per_mw: float = 0.0
    """Virtual PPAs: Σ_t paid[t]·(price − spot[t])·profile[t]·Δt, money per MW contracted."""
    start_year: int | None = None
    term_years: int | None = None
    """A pathway of years: delivery from ``start_year`` for ``term_years`` (CONTRACT 10)."""
    technology: str | None = None
    renewable: bool = True
    """Its delivery counts as renewable supply (technology renewable, or not given)."""
    negative_price_rule: str = "pay"
    paid_mwh_per_mw: float | None = None
    """MWh paid per MW contracted (Σ_t paid[t]·profile[t]·Δt); None: all delivered MWh."""

    @property
    def paid_energy_per_mw(self) -> float:
        return self.delivered_mwh_per_mw if self.paid_mwh_per_mw is None else self.paid_mwh_per_mw


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


def network_charges(problem: Problem) -> NetworkData:
    """Section 13's network charges and levies of a resolved problem (numbers only)."""
    site = problem.scenario.site
    net = site.network
    return NetworkData(
        capacity_per_mw_year=net.capacity_charge_per_mw_year if net is not None else 0.0,
        capacity_basis=net.capacity_charge_basis if net is not None else "horizon_peak",
        energy_per_mwh=net.energy_charge_per_mwh if net is not None else 0.0,
        levies_per_mwh=site.levies_per_mwh,
    )


@dataclass(frozen=True)
class NetworkData:
    capacity_per_mw_year: float
    capacity_basis: str
    """"horizon_peak" | "monthly_peak"."""
    energy_per_mwh: float
    levies_per_mwh: float

    @property
    def any(self) -> bool:
        return bool(self.capacity_per_mw_year or self.energy_per_mwh or self.levies_per_mwh)


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


class _Resolver:
    """Resolves number-or-column fields, collecting every error before raising."""

    def __init__(
        self,
        series: SeriesTable | None,
        periods: int,
        weather: WeatherContext | None = None,
        dt: float = 1.0,
    ) -> None:
        self.series = series
        self.periods = periods
        self.dt = dt
        self.weather = weather
        self.errors: list[FieldError] = []

    def array(
        self,
        value: float | str | SolarProfile | WindProfile,
        field_name: str,
        lo: float | None = None,
        hi: float | None = None,
        what: str = "",
    ) -> np.ndarray:
        if isinstance(value, (SolarProfile, WindProfile)):
            try:
                if self.weather is None:
                    raise ScenarioError.single(
                        field_name, "weather-derived values need a time grid"
                    )
                return self.weather.profile(value, field_name)
            except ScenarioError as exc:
                self.errors.extend(exc.errors)
                return np.zeros(self.periods)
        if isinstance(value, str):
            if self.series is None:
                self.errors.append(
                    FieldError(field_name, f"names column {value!r} but the scenario has no series")
                )
                return np.zeros(self.periods)
            if not self.series.has(value):
                cols = sorted(self.series.frame.columns)
                self.errors.append(
                    FieldError(
                        field_name, f"column {value!r} is not in {self.series.source} (has {cols})"
                    )
                )
                return np.zeros(self.periods)
            try:
                arr = self.series.numeric(value, field_name)
            except ScenarioError as exc:
                self.errors.extend(exc.errors)
                return np.zeros(self.periods)
            labels = self.series.labels
        else:
            if not np.isfinite(value):
                self.errors.append(FieldError(field_name, f"{value} is not a finite number"))
                return np.zeros(self.periods)
            arr = np.full(self.periods, float(value))
            labels = None
        for bound, bad in (
            (lo, arr < lo if lo is not None else None),
            (hi, arr > hi if hi is not None else None),
        ):
            if bound is None or bad is None or not bad.any():
                continue
            i = int(np.argmax(bad))
            side = "below" if bound == lo else "above"
            src = f"column {value!r}: " if isinstance(value, str) else ""
            self.errors.append(
                FieldError(
                    field_name,
                    f"{src}{what or 'value'} {arr[i]:g} is {side} {bound:g}",
                    row=i + 1 if labels is not None else None,
                    timestamp=labels[i] if labels is not None else None,
                )
            )
            break
        return arr


def tou_prices(tou: TouPrice, time: TimeGrid, field_name: str) -> np.ndarray:
    """First matching block sets each step's price; a step no block matches is an error."""
    price = np.full(time.periods, np.nan)
    unset = np.ones(time.periods, dtype=bool)
    for block in tou.tou:
        match = unset.copy()
        if block.months is not None:
            match &= np.isin(time.month, block.months)
        if block.weekdays is not None:
            match &= np.isin(time.weekday, block.weekdays)
        if block.hours is not None:
            match &= np.isin(time.hour, block.hours)
        price[match] = block.price_per_mwh
        unset &= ~match
    if unset.any():
        i = int(np.argmax(unset))
        ts = time.index[i]
        raise ScenarioError(
            FieldError(
                field_name,
                f"no TOU block covers this step (month {ts.month}, weekday {ts.weekday()}, "
                f"hour {ts.hour}); add a last block without months/weekdays/hours as a default",
                row=i + 1,
                timestamp=ts.isoformat(),
            )
        )
    return price


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


def _offer(
    o: GridOffer, i: int, r: _Resolver, time: TimeGrid, spot: np.ndarray | None, H: float
) -> GridOfferData:
    path = f"grid_offers[{o.name}]"
    block: np.ndarray | None = None
    rest = resale = None
    if o.is_block:
        if o.block_profile is not None:
            block = r.array(o.block_profile, f"{path}.block_profile", lo=0.0, what="block MW")
        else:
            assert o.block_mw is not None
            block = np.full(time.periods, float(o.block_mw))
        if spot is None:
            r.errors.append(
                FieldError(
                    f"{path}.block_mw" if o.block_mw is not None else f"{path}.block_profile",
                    "a block offer settles its deviations at grid.spot_price_per_mwh, "
                    "which is not given",
                )
            )
        else:
            rest = spot + (o.index_adder_per_mwh or 0.0)
            resale = spot - o.resale_spread_per_mwh
    if o.index_adder_per_mwh is not None and not o.is_block:
        if spot is None:
            r.errors.append(
                FieldError(
                    f"{path}.index_adder_per_mwh",
                    "an index offer needs grid.spot_price_per_mwh (price = spot + adder)",
                )
            )
            price = np.zeros(time.periods)
        else:
            price = spot + o.index_adder_per_mwh
    elif isinstance(o.energy_price_per_mwh, TouPrice):
        try:
            price = tou_prices(o.energy_price_per_mwh, time, f"{path}.energy_price_per_mwh")
        except ScenarioError as exc:
            r.errors.extend(exc.errors)
            price = np.zeros(time.periods)
    else:
        assert o.energy_price_per_mwh is not None
        price = r.array(o.energy_price_per_mwh, f"{path}.energy_price_per_mwh")
    number = isinstance(o.energy_price_per_mwh, (int, float)) and o.index_adder_per_mwh is None
    if o.is_block:
        number = isinstance(o.energy_price_per_mwh, (int, float))
    return GridOfferData(
        o.name,
        price,
        o.demand_charge_per_mw_month,
        o.fixed_per_year * H,
        o.max_mw,
        group=o.group,
        price_is_number=number,
        price_per_mwh=float(o.energy_price_per_mwh) if number else None,  # type: ignore[arg-type]
        index_adder_per_mwh=o.index_adder_per_mwh if not o.is_block else None,
        block_mw=block,
        swing_share=o.swing_share,
        take_or_pay_share=o.take_or_pay_share,
        block_mwh=float(block.sum() * r.dt) if block is not None else 0.0,
        rest_price=rest,
        resale_price=resale,
    )


def _ppa(p: PpaOffer, r: _Resolver, spot: np.ndarray | None) -> PpaData:
    path = f"ppa_offers[{p.name}]"
    if p.kind == "baseload":
        profile = np.ones(r.periods)
    else:
        assert p.profile is not None
        profile = r.array(p.profile, f"{path}.profile", lo=0.0, hi=1.0, what="per-unit output")
    if p.kind == "virtual" and spot is None:
        r.errors.append(
            FieldError(
                f"{path}.kind",
                "a virtual PPA settles against grid.spot_price_per_mwh, which is not given",
            )
        )
    rule = p.negative_price_rule
    paid = np.ones(r.periods)
    if rule != "pay":
        if spot is None:
            r.errors.append(
                FieldError(
                    f"{path}.negative_price_rule",
                    f"{rule} looks at grid.spot_price_per_mwh, which is not given",
                )
            )
        else:
            negative = spot < 0
            paid = np.where(negative, 0.0, 1.0)
            if rule == "curtail":
                profile = np.where(negative, 0.0, profile)
    dt = r.dt
    settle = (
        float((paid * (p.price_per_mwh - spot) * profile).sum() * dt)
        if p.kind == "virtual" and spot is not None
        else 0.0
    )
    renewable = p.technology is None or p.technology in RENEWABLE_TECHNOLOGIES
    return PpaData(
        p.name,
        p.kind,
        profile,
        p.price_per_mwh,
        p.min_mw,
        p.max_mw,
        delivered_mwh_per_mw=float(profile.sum() * dt),
        settlement_per_mw=settle,
        start_year=p.start_year,
        term_years=p.term_years,
        technology=p.technology,
        renewable=renewable,
        negative_price_rule=rule,
        paid_mwh_per_mw=float((paid * profile).sum() * dt) if rule != "pay" else None,
    )
