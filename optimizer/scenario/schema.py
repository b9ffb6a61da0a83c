"""The scenario file's schema (CONTRACT section 2), as pydantic models.

Every model forbids unknown keys so that a typo is an error, not a silently ignored field.
A field typed :data:`NumberOrColumn` holds either a number (the same value in every step)
or the name of a column of the series file; it is resolved in :mod:`optimizer.scenario.resolve`.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, field_validator, model_validator

from optimizer.loadmodel.flex import ComputeFlexibility
from optimizer.loadmodel.spec import DatacenterLoad
from optimizer.profiles.spec import WeatherSpec
from optimizer.scenario.fields import (  # noqa: F401  (re-exported)
    NonNegative,
    NumberOrColumn,
    ProfileSource,
    SeriesSpec,
    Sized,
    Strict,
    check_min_max,
)
from optimizer.scenario.limits import MAX_PERIODS
from optimizer.scenario.schema_cases import (  # noqa: F401  (re-exported)
    CaseData,
    Horizon,
    HorizonYear,
    RiskSpec,
    UncertainScenario,
    Uncertainty,
)
from optimizer.scenario.schema_certificates import (
    CertificateOffer,
    ComplianceRule,
    ComplianceRuleName,
    Facility,
    HeatReuse,
)
from optimizer.scenario.schema_resilience import (  # noqa: F401  (re-exported)
    DemandResponse,
    GeneratorReliability,
    Resilience,
    Window,
)

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
