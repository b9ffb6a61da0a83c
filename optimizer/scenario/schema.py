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

from pydantic import ConfigDict, Field, field_validator, model_validator

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

_Strict = Strict
_check_min_max = check_min_max


class Site(_Strict):
    """Where and when: the time grid and the grid connection."""

    timezone: str = Field(description="IANA time zone; months, days and TOU hours are local")
    start: str = Field(description="first step, local time (ISO 8601)")
    periods: int = Field(gt=0, description="number of steps")
    resolution_minutes: Literal[15, 30, 60] = Field(description="step length in minutes")
    grid_import_limit_mw: NonNegative | None = Field(
        default=None,
        description="physical import limit of all grid offers together; none = no limit",
    )
    grid_export_limit_mw: NonNegative = Field(default=0.0, description="0 = no export")
    export_price: NumberOrColumn = Field(default=0.0, description="revenue per exported MWh")

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
    """A retail or supply contract for grid energy (CONTRACT 3.2)."""

    name: str = Field(min_length=1)
    energy_price_per_mwh: float | str | TouPrice | None = None
    index_adder_per_mwh: float | None = None
    demand_charge_per_mw_month: NonNegative = 0.0
    fixed_per_year: NonNegative = 0.0
    max_mw: NonNegative | None = None

    @model_validator(mode="after")
    def _one_price(self) -> GridOffer:
        if self.energy_price_per_mwh is None and self.index_adder_per_mwh is None:
            raise ValueError("give energy_price_per_mwh or index_adder_per_mwh")
        if self.energy_price_per_mwh is not None and self.index_adder_per_mwh is not None:
            raise ValueError(
                "energy_price_per_mwh and index_adder_per_mwh exclude each other "
                "(index price = spot + adder)"
            )
        return self


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
    materials_limits: dict[str, NonNegative] | None = Field(
        default=None, description="material -> max tonnes in what is built or contracted"
    )
    compute: Compute | None = None
    certificate_offers: list[CertificateOffer] = Field(default_factory=list)
    compliance: list[ComplianceRuleName | ComplianceRule] = Field(
        default_factory=list, description="rule sets to meet and report (docs/compliance.md)"
    )
    heat_reuse: HeatReuse | None = None
    facility: Facility | None = None

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
