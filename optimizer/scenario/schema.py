"""The scenario file's schema (CONTRACT section 2), as pydantic models.

Every model forbids unknown keys so that a typo is an error, not a silently ignored field.
A field typed :data:`NumberOrColumn` holds either a number (the same value in every step)
or the name of a column of the series file; it is resolved in :mod:`optimizer.scenario.resolve`.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import ConfigDict, Field, field_validator, model_validator

from optimizer.loadmodel.flex import ComputeFlexibility
from optimizer.loadmodel.spec import DatacenterLoad
from optimizer.profiles.spec import WeatherSpec
from optimizer.scenario.fields import (  # noqa: F401  (re-exported)
    NonNegative,
    NumberOrColumn,
    ProfileSource,
    Sized,
    Strict,
    check_min_max,
)
from optimizer.scenario.limits import MAX_PERIODS

_Strict = Strict
_check_min_max = check_min_max


class Network(_Strict):
    """Network charges of the grid connection (CONTRACT 13), paid whatever the supplier."""

    capacity_charge_per_mw_year: NonNegative = Field(
        default=0.0, description="on the peak total grid import (see capacity_charge_basis)"
    )
    energy_charge_per_mwh: NonNegative = Field(default=0.0, description="on every MWh imported")
    capacity_charge_basis: Literal["horizon_peak", "monthly_peak"] = Field(
        default="horizon_peak",
        description="horizon_peak: rate·H·(peak over the horizon); monthly_peak: "
        "rate/12·Σ_m f[m]·(peak of local month m)",
    )


class Site(_Strict):
    """Where and when: the time grid and the grid connection."""

    timezone: str = Field(description="IANA time zone; months, days and TOU hours are local")
    start: str = Field(description="first step, local time (ISO 8601)")
    periods: int = Field(
        gt=0, le=MAX_PERIODS, description=f"number of steps (at most {MAX_PERIODS})"
    )
    resolution_minutes: Literal[15, 30, 60] = Field(description="step length in minutes")
    grid_import_limit_mw: NonNegative | None = Field(
        default=None,
        description="physical import limit of all grid offers together; none = no limit",
    )
    grid_export_limit_mw: NonNegative = Field(default=0.0, description="0 = no export")
    export_price: NumberOrColumn = Field(default=0.0, description="revenue per exported MWh")
    network: Network | None = Field(
        default=None,
        description="network (grid-use) charges on grid imports, paid whoever supplies the "
        "energy (CONTRACT 13)",
    )
    levies_per_mwh: NonNegative = Field(
        default=0.0, description="taxes and levies on every MWh imported (CONTRACT 13)"
    )

    @field_validator("timezone")
    @classmethod
    def _tz(cls, v: str) -> str:
        try:
            ZoneInfo(v)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown IANA time zone {v!r}") from exc
        return v

    @field_validator("start", mode="before")
    @classmethod
    def _start(cls, v: Any) -> Any:
        if isinstance(v, dt.datetime):
            return v.isoformat()
        if isinstance(v, dt.date):
            return dt.datetime(v.year, v.month, v.day).isoformat()
        return v


class SeriesSpec(_Strict):
    """The time series: a file (CSV or Parquet) or, over the API, inline columns."""

    # A NaN in a column is reported by the resolver with the field, row and timestamp.
    model_config = ConfigDict(extra="forbid", validate_default=True, allow_inf_nan=True)

    file: str | None = Field(default=None, description="path relative to the scenario file")
    columns: dict[str, list[float | None]] | None = Field(
        default=None, description="inline columns (API), one value a step"
    )
    timestamp: list[str] | None = Field(default=None, description="inline timestamps (optional)")

    @model_validator(mode="after")
    def _one_source(self) -> SeriesSpec:
        if self.file is None and self.columns is None:
            raise ValueError("give either 'file' or inline 'columns'")
        if self.file is not None and self.columns is not None:
            raise ValueError("give 'file' or inline 'columns', not both")
        if self.timestamp is not None and self.columns is None:
            raise ValueError("'timestamp' goes with inline 'columns'")
        return self


class Load(_Strict):
    mw: NumberOrColumn | DatacenterLoad = Field(
        description="forecast site load (IT load x PUE), MW; or {datacenter: {...}} (load model)"
    )
    flexible_share: float = Field(default=0.0, ge=0, le=1)
    it_mw: NumberOrColumn | None = Field(
        default=None, description="IT part of the load, MW (for the footprint of compute)"
    )
    curtailment_cost_per_mwh: NonNegative | None = Field(
        default=None,
        description="value of compute given up when load is shed (CONTRACT 12); "
        "default: load may not be shed",
    )
    max_curtailment_share: float = Field(
        default=1.0, ge=0, le=1, description="share of the load that may be shed in a step"
    )
    compute: ComputeFlexibility | None = Field(
        default=None,
        description="training and inference parts of the load and their flexibility "
        "(docs/resilience.md)",
    )


class Grid(_Strict):
    carbon_intensity_tco2_per_mwh: NumberOrColumn = Field(description="location-based factor")
    cfe_share: NumberOrColumn = Field(description="clean share of grid supply, 0..1")
    spot_price_per_mwh: NumberOrColumn | None = Field(default=None)
    residual_mix_tco2_per_mwh: NumberOrColumn | None = Field(
        default=None,
        description="market-based factor of imports no certificate covers (CONTRACT 11); "
        "default: carbon_intensity_tco2_per_mwh",
    )
    zone: str | None = Field(
        default=None,
        description="market boundary (bidding zone, e.g. DE-LU) of the site's grid; "
        "certificates of another zone do not count under ghg_scope2_hourly",
    )


_ALL_MONTHS = list(range(1, 13))
_ALL_WEEKDAYS = list(range(7))
_ALL_HOURS = list(range(24))


class TouBlock(_Strict):
    """A time-of-use block; a missing list matches every month, weekday or hour."""

    months: list[int] | None = None
    weekdays: list[int] | None = None
    hours: list[int] | None = None
    price_per_mwh: float

    @field_validator("months")
    @classmethod
    def _months(cls, v: list[int] | None) -> list[int] | None:
        if v is not None:
            bad = [m for m in v if not 1 <= m <= 12]
            if bad or not v:
                raise ValueError(f"months must be a non-empty list of 1..12, got {v}")
        return v

    @field_validator("weekdays")
    @classmethod
    def _weekdays(cls, v: list[int] | None) -> list[int] | None:
        if v is not None:
            bad = [d for d in v if not 0 <= d <= 6]
            if bad or not v:
                raise ValueError(f"weekdays must be a non-empty list of 0..6 (Monday 0), got {v}")
        return v

    @field_validator("hours")
    @classmethod
    def _hours(cls, v: list[int] | None) -> list[int] | None:
        if v is not None:
            bad = [h for h in v if not 0 <= h <= 23]
            if bad or not v:
                raise ValueError(f"hours must be a non-empty list of 0..23, got {v}")
        return v


class TouPrice(_Strict):
    tou: list[TouBlock] = Field(min_length=1)


class GridOffer(_Strict):
    """A retail or supply contract for grid energy (CONTRACT 3.2, 13).

    A block offer (``block_mw`` or ``block_profile``) sells a fixed-price block with a volume
    tolerance; the rest of the offer's supply is bought at spot + ``index_adder_per_mwh``
    (default 0) and block energy the site does not use is resold at spot −
    ``resale_spread_per_mwh`` (docs/formulation.md, "Block offers").
    """

    name: str = Field(min_length=1)
    group: str | None = Field(
        default=None,
        description="offers sharing a group exclude each other: exactly one of them is signed "
        "(CONTRACT 13); none = section 3.2 (the fixed fee is always paid)",
    )
    energy_price_per_mwh: float | str | TouPrice | None = Field(
        default=None, description="number, column or {tou: [...]}; for a block: the block price"
    )
    index_adder_per_mwh: float | None = Field(
        default=None,
        description="price = spot + adder; for a block offer: the price of the rest (default 0)",
    )
    demand_charge_per_mw_month: NonNegative = 0.0
    fixed_per_year: NonNegative = 0.0
    max_mw: NonNegative | None = None
    block_mw: NonNegative | None = Field(
        default=None, description="block offer: baseload MW delivered in every step"
    )
    block_profile: str | None = Field(
        default=None, description="block offer: a column of block MW per step (shaped block)"
    )
    swing_share: float = Field(
        default=0.0,
        ge=0,
        le=1,
        description="block: delivered MW in each step within [(1−swing)·block, (1+swing)·block]",
    )
    take_or_pay_share: float = Field(
        default=0.0,
        ge=0,
        le=1,
        description="block: delivered energy over the horizon ≥ take_or_pay_share·block energy",
    )
    resale_spread_per_mwh: NonNegative = Field(
        default=0.0, description="block: unused block energy is resold at spot − this spread"
    )
    price_escalation_per_year: float = Field(
        default=0.0,
        ge=-0.5,
        le=1.0,
        description="horizon: the energy price (an index offer: its adder) grows by this share "
        "a year from the first modelled year",
    )

    @property
    def is_block(self) -> bool:
        return self.block_mw is not None or self.block_profile is not None

    @model_validator(mode="after")
    def _one_price(self) -> GridOffer:
        if self.block_mw is not None and self.block_profile is not None:
            raise ValueError("block_mw and block_profile exclude each other: give one")
        if self.is_block:
            if self.energy_price_per_mwh is None:
                raise ValueError("a block offer needs energy_price_per_mwh (the block price)")
            return self
        for key, default in (
            ("swing_share", 0.0),
            ("take_or_pay_share", 0.0),
            ("resale_spread_per_mwh", 0.0),
        ):
            if getattr(self, key) != default:
                raise ValueError(f"{key} applies to a block offer: give block_mw or block_profile")
        if self.energy_price_per_mwh is None and self.index_adder_per_mwh is None:
            raise ValueError("give energy_price_per_mwh or index_adder_per_mwh")
        if self.energy_price_per_mwh is not None and self.index_adder_per_mwh is not None:
            raise ValueError(
                "energy_price_per_mwh and index_adder_per_mwh exclude each other "
                "(index price = spot + adder)"
            )
        return self


PpaTechnology = Literal[
    "solar",
    "wind_onshore",
    "wind_offshore",
    "hydro",
    "geothermal",
    "biomass",
    "nuclear",
    "gas",
    "other_renewable",
    "other",
]
"""Plant types of a PPA (CONTRACT 13); which count as renewable: docs/contracts.md."""


class PpaOffer(_Strict):
    """A power purchase agreement (CONTRACT 3.3)."""

    name: str = Field(min_length=1)
    kind: Literal["pay_as_produced", "baseload", "virtual"]
    profile: ProfileSource | None = Field(
        default=None,
        description="MW delivered per MW contracted (baseload: omit); number, column, "
        "or {solar: {...}} / {wind: {...}} from the scenario's weather",
    )
    price_per_mwh: float = Field(description="strike price")
    min_mw: NonNegative = 0.0
    max_mw: NonNegative | None = None
    materials_basis: str | None = Field(
        default=None, description="row of the materials defaults table (docs/materials.md)"
    )
    materials_kg_per_mw: dict[str, NonNegative] | None = Field(
        default=None, description="kg of each material per contracted MW (plant share)"
    )
    embodied_carbon_tco2_per_mw: NonNegative | None = None
    plant_lifetime_years: float | None = Field(
        default=None, gt=0, description="annualises the plant share's embodied carbon"
    )
    start_year: int | None = Field(
        default=None, description="first year of delivery (horizon:); default the first year"
    )
    term_years: int | None = Field(
        default=None, ge=1, description="years of delivery from start_year; default to the end"
    )
    technology: PpaTechnology | None = Field(
        default=None,
        description="plant type: the default materials basis and whether the delivery counts "
        "as renewable supply (nuclear: carbon-free, not renewable); none = renewable",
    )
    negative_price_rule: Literal["pay", "no_pay_below_zero", "curtail"] = Field(
        default="pay",
        description="pay: as 3.3; no_pay_below_zero: no payment or settlement in steps with "
        "spot < 0 (delivery goes on); curtail: the plant delivers nothing in those steps",
    )
    price_escalation_per_year: float = Field(
        default=0.0,
        ge=-0.5,
        le=1.0,
        description="horizon: the strike grows by this share a year from the PPA's start_year "
        "(default the first modelled year)",
    )

    @model_validator(mode="after")
    def _check(self) -> PpaOffer:
        if self.kind == "baseload" and self.profile is not None:
            raise ValueError(
                "a baseload PPA delivers its contracted MW in every step: omit profile"
            )
        if self.kind != "baseload" and self.profile is None:
            raise ValueError(f"a {self.kind} PPA needs a profile (column or number)")
        _check_min_max(self.min_mw, self.max_mw)
        return self


# The technology kinds live in their unit modules (optimizer/units/); the union is theirs.
from optimizer.units import Technology as Technology  # noqa: E402
from optimizer.units.battery import Battery as Battery  # noqa: E402
from optimizer.units.generator import Generator as Generator  # noqa: E402
from optimizer.units.renewable import Renewable as Renewable  # noqa: E402


class CaseData(_Strict):
    """What a scenario or a year may change: data only (CONTRACT 9, 10)."""

    set: dict[str, Any] = Field(
        default_factory=dict,
        description="dotted paths as --set, to numbers or column names (data only)",
    )
    series: SeriesSpec | None = Field(
        default=None, description="its own series file (same columns and timestamps)"
    )


class UncertainScenario(CaseData):
    name: str = Field(min_length=1)
    probability: float = Field(gt=0, le=1)


class RiskSpec(_Strict):
    alpha: float = Field(default=0.9, ge=0, lt=1, description="CVaR level α")
    weight: float = Field(default=0.0, ge=0, le=1, description="weight ω of the CVaR")


class Uncertainty(_Strict):
    """Two-stage scenarios (CONTRACT section 9)."""

    scenarios: list[UncertainScenario] = Field(min_length=2)
    risk: RiskSpec = Field(default_factory=RiskSpec)
    targets_apply: Literal["every_scenario", "expectation"] = "every_scenario"

    @model_validator(mode="after")
    def _check(self) -> Uncertainty:
        total = sum(s.probability for s in self.scenarios)
        if abs(total - 1.0) > 1e-9:
            raise ValueError(f"scenario probabilities must sum to 1, they sum to {total:.12g}")
        names = [s.name for s in self.scenarios]
        dup = sorted({n for n in names if names.count(n) > 1})
        if dup:
            raise ValueError(f"duplicate scenario names: {', '.join(dup)}")
        return self


class HorizonYear(CaseData):
    year: int = Field(ge=1900, le=2200)
    weight_years: int = Field(default=1, ge=1, le=100)


class Horizon(_Strict):
    """Modelled operating years (CONTRACT section 10)."""

    years: list[HorizonYear] = Field(min_length=1)

    @model_validator(mode="after")
    def _ascending(self) -> Horizon:
        for entry, nxt in itertools.pairwise(self.years):
            if nxt.year <= entry.year:
                raise ValueError(f"years must ascend: {nxt.year} follows {entry.year}")
        for entry, nxt in itertools.pairwise(self.years):
            if entry.year + entry.weight_years > nxt.year:
                raise ValueError(
                    f"year {entry.year} with weight_years {entry.weight_years} overlaps {nxt.year}"
                )
        return self


class Finance(_Strict):
    discount_rate: float = Field(ge=0, lt=1)


class Carbon(_Strict):
    price_per_tco2: NonNegative = 0.0
    cfe_target: float | None = Field(default=None, ge=0, le=1)
    max_emissions_tco2: NonNegative | None = None
    include_embodied: bool = Field(
        default=False, description="annualised embodied tCO2 count in the cap and the price"
    )
    renewable_share_target: float | None = Field(
        default=None,
        ge=0,
        le=1,
        description="share of site consumption covered by renewable supply in every matching "
        "period (CONTRACT 11)",
    )
    renewable_matching: Literal["annual", "monthly", "hourly"] = Field(
        default="annual", description="matching period of renewable_share_target"
    )


class Compute(_Strict):
    """The compute the site serves, for the footprint per GPU-hour (docs/materials.md)."""

    gpu_count: int = Field(gt=0)
    gpu_power_kw: float = Field(
        gt=0, description="average IT power per GPU incl. its share of host and network, kW"
    )


class Window(_Strict):
    """A time window in local time: an outage or a demand-response event."""

    start: str = Field(description="first hour, local time (ISO 8601)")
    hours: float = Field(gt=0, le=8784, description="length in hours")

    @field_validator("start", mode="before")
    @classmethod
    def _start(cls, v: Any) -> Any:
        if isinstance(v, dt.datetime):
            return v.isoformat()
        return v


class GeneratorReliability(_Strict):
    """Unit reliability for the survival probability (REopt's published defaults)."""

    operational_availability: float = Field(
        default=0.995, ge=0, le=1, description="share of the year a unit is not in maintenance"
    )
    failure_to_start: float = Field(
        default=0.0094, ge=0, le=1, description="chance a unit fails to start in an outage"
    )
    mean_time_to_failure_hours: float = Field(
        default=1100.0, gt=0, description="mean running hours between failures of a unit"
    )


class Resilience(_Strict):
    """Grid outages and backup (CONTRACT 12, docs/resilience.md)."""

    critical_load_share: float = Field(
        default=1.0, ge=0, le=1, description="share of the load served in every outage step"
    )
    value_of_lost_load_per_mwh: NonNegative | None = Field(
        default=None,
        description="cost of non-critical load shed in outages; default: none may be shed",
    )
    outages: list[Window] = Field(
        default_factory=list, description="grid outage windows, local time: no import, no export"
    )
    fuel_storage_hours: NonNegative | None = Field(
        default=None,
        description="generator fuel on site, hours at full output (per outage); none = unlimited",
    )
    design_outage_hours: float | None = Field(
        default=None,
        gt=0,
        le=720,
        description="survive a grid outage of this many hours starting in any step "
        "(generators, battery reserve and fuel cover the critical load)",
    )
    generator_reliability: GeneratorReliability = Field(default_factory=GeneratorReliability)
    survival_hours: list[float] | None = Field(
        default=None,
        description="outage durations to report the survival probability for; "
        "default: 1, 4, 8, 12, 24, 48 and the design outage",
    )


class DemandResponse(_Strict):
    """A demand-response programme: committed MW delivered in its events (CONTRACT 12)."""

    name: str = Field(min_length=1)
    capacity_payment_per_mw_year: NonNegative
    max_mw: NonNegative
    min_mw: NonNegative = 0.0
    events: list[Window] = Field(min_length=1)
    generator_allowed: bool = Field(
        default=False, description="may the on-site generators deliver the reduction"
    )
    max_share_of_load: float | None = Field(
        default=None,
        gt=0,
        le=1,
        description="committed MW ≤ this share of the forecast load in every event step",
    )
    max_hours_per_event: float | None = Field(
        default=None, gt=0, description="programme limit: an event longer than this is refused"
    )
    max_events_per_year: float | None = Field(
        default=None,
        gt=0,
        description="programme limit: more events than this × H in the horizon are refused",
    )

    @model_validator(mode="after")
    def _limits(self) -> DemandResponse:
        _check_min_max(self.min_mw, self.max_mw)
        if self.max_hours_per_event is not None:
            for k, e in enumerate(self.events):
                if e.hours > self.max_hours_per_event + 1e-9:
                    raise ValueError(
                        f"events[{k}] lasts {e.hours:g} h, above max_hours_per_event "
                        f"{self.max_hours_per_event:g}"
                    )
        return self


class CertificateOffer(_Strict):
    """Unbundled energy attribute certificates: GOs, RECs, EACs (CONTRACT 11)."""

    name: str = Field(min_length=1)
    price_per_mwh: float = Field(description="price per certificate (MWh)")
    matching: Literal["annual", "monthly", "hourly"] = Field(
        description="annual/monthly: cover imports of the horizon/month; hourly: of the step"
    )
    max_mwh: NonNegative | None = Field(
        default=None, description="most certificates over the horizon, MWh"
    )
    max_mw: NumberOrColumn | None = Field(
        default=None, description="hourly certificates: most per step, MW (number or column)"
    )
    zone: str | None = Field(
        default=None,
        description="market boundary the certificates come from; none = the site's grid.zone",
    )

    @model_validator(mode="after")
    def _check(self) -> CertificateOffer:
        if self.max_mw is not None and self.matching != "hourly":
            raise ValueError("max_mw limits hourly certificates only; use max_mwh")
        return self


class HeatReuse(_Strict):
    """Recovered IT heat sold to an offtaker (district heating), for the ERF.

    See docs/compliance.md."""

    recoverable_share: float = Field(
        gt=0, le=1, description="share of the IT load recoverable as heat, 0..1"
    )
    offtake_limit_mw_heat: NonNegative | None = Field(
        default=None, description="most heat the offtaker takes per step, MW heat"
    )
    price_per_mwh_heat: float = Field(description="income per MWh of heat delivered")
    heat_pump_cop: float | None = Field(
        default=None,
        gt=1,
        description="coefficient of performance of the heat pump lifting the heat; "
        "none = heat delivered directly (no heat pump)",
    )


ComplianceRuleName = Literal["enefg", "enefg_2027", "ghg_scope2_hourly", "eu_2024_1364"]


class ComplianceRule(_Strict):
    """A rule set with options (docs/compliance.md); a bare name uses the defaults."""

    rule: ComplianceRuleName
    as_of: dt.date | None = Field(
        default=None,
        description="date whose requirements apply; default: enefg_2027 2027-07-01, "
        "others the horizon's first day",
    )
    exemption_threshold_mwh: NonNegative | None = Field(
        default=None,
        description="ghg_scope2_hourly: yearly consumption below which hourly matching is "
        "not required (default in docs/compliance.md)",
    )
    enforce: bool = Field(
        default=True, description="false: report pass/fail only, add no constraint"
    )


class Facility(_Strict):
    """The data centre as the rules see it (EnEfG §11 dates, EU 2024/1364 thresholds)."""

    commissioning_date: dt.date | None = Field(
        default=None,
        description="first operation; decides the EnEfG PUE/ERF limits (none: an existing "
        "site, in operation before 2026-07-01)",
    )
    it_capacity_mw: NonNegative | None = Field(
        default=None,
        description="installed IT power (applicability thresholds); default: the peak IT load",
    )


_CURRENCY = re.compile(r"^[A-Z]{3}$")


class Scenario(_Strict):
    """A whole scenario file (CONTRACT section 2)."""

    name: str = "scenario"
    currency: str = "USD"
    site: Site
    series: SeriesSpec | None = None
    weather: WeatherSpec | None = Field(
        default=None, description="typical-year weather file for weather-derived profiles"
    )
    load: Load
    grid: Grid
    grid_offers: list[GridOffer] = Field(min_length=1)
    ppa_offers: list[PpaOffer] = Field(default_factory=list)
    technologies: list[Technology] = Field(default_factory=list)
    finance: Finance | None = None
    carbon: Carbon = Field(default_factory=Carbon)
    uncertainty: Uncertainty | None = Field(
        default=None, description="two-stage scenarios and risk (CONTRACT 9)"
    )
    horizon: Horizon | None = Field(default=None, description="modelled years (CONTRACT 10)")
    materials_limits: dict[str, NonNegative] | None = Field(
        default=None, description="material -> max tonnes in what is built or contracted"
    )
    compute: Compute | None = None
    resilience: Resilience | None = Field(
        default=None, description="grid outages, backup adequacy (CONTRACT 12)"
    )
    demand_response: list[DemandResponse] = Field(
        default_factory=list, description="demand-response programmes (CONTRACT 12)"
    )
    certificate_offers: list[CertificateOffer] = Field(default_factory=list)
    compliance: list[ComplianceRuleName | ComplianceRule] = Field(
        default_factory=list, description="rule sets to meet and report (docs/compliance.md)"
    )
    heat_reuse: HeatReuse | None = None
    facility: Facility | None = None

    @model_validator(mode="after")
    def _one_outer_index(self) -> Scenario:
        if self.uncertainty is not None and self.horizon is not None:
            raise ValueError(
                "uncertainty and horizon cannot be combined yet: give scenarios of one year, "
                "or a pathway of years"
            )
        return self

    @field_validator("currency")
    @classmethod
    def _currency(cls, v: str) -> str:
        if not _CURRENCY.match(v):
            raise ValueError(f"currency must be an ISO 4217 code such as USD or EUR, got {v!r}")
        return v

    @field_validator(
        "ppa_offers", "technologies", "certificate_offers", "compliance", mode="before"
    )
    @classmethod
    def _none_is_empty(cls, v: Any) -> Any:
        return [] if v is None else v
