"""The scenario file's schema (CONTRACT section 2), as pydantic models.

Every model forbids unknown keys so that a typo is an error, not a silently ignored field.
A field typed :data:`NumberOrColumn` holds either a number (the same value in every step)
or the name of a column of the series file; it is resolved in :mod:`optimizer.scenario.resolve`.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator

from optimizer.loadmodel.spec import DatacenterLoad
from optimizer.profiles.spec import SolarProfile, WeatherSpec, WindProfile
from optimizer.scenario.limits import MAX_PERIODS
from optimizer.scenario.strict import check_model_input

NumberOrColumn = float | str
"""A number, or the name of a numeric column of the series file."""

NonNegative = Annotated[float, Field(ge=0)]

ProfileSource = float | str | SolarProfile | WindProfile
"""A number, a column, or ``{solar: {...}}`` / ``{wind: {...}}`` derived from ``weather``."""


class _Strict(BaseModel):
    # NaN and ±inf are bad input (CONTRACT 2): refuse them in every scalar number field.
    model_config = ConfigDict(extra="forbid", validate_default=True, allow_inf_nan=False)

    @model_validator(mode="before")
    @classmethod
    def _hostile(cls, data: Any, info: ValidationInfo) -> Any:
        """No boolean where a number goes; no list longer than the list limit
        (optimizer/scenario/strict.py)."""
        return check_model_input(cls, data, info)


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


def _check_min_max(lo: float, hi: float | None) -> None:
    if hi is not None and lo > hi:
        raise ValueError(f"min_mw ({lo}) is above max_mw ({hi})")


class _Sized(_Strict):
    name: str = Field(min_length=1)
    fixed_om_per_kw_year: NonNegative = 0.0
    lifetime_years: float = Field(
        ge=0.1, le=100, description="0.1 to 100 years; annualises the capital (CONTRACT 3.1)"
    )
    min_mw: NonNegative = 0.0
    max_mw: NonNegative | None = None
    materials_basis: str | None = Field(
        default=None, description="row of the materials defaults table; default by kind"
    )
    materials_kg_per_mw: dict[str, NonNegative] | None = Field(
        default=None, description="kg of each material per MW, overriding the basis"
    )
    embodied_carbon_tco2_per_mw: NonNegative | None = None

    @model_validator(mode="after")
    def _min_max(self) -> _Sized:
        _check_min_max(self.min_mw, self.max_mw)
        return self


class Renewable(_Sized):
    """On-site solar or wind, sized by the optimizer (CONTRACT 3.4)."""

    kind: Literal["solar", "wind"]
    profile: ProfileSource = Field(
        description="per-unit output, 0..1: number, column, or {solar: {...}} / {wind: {...}}"
    )
    capex_per_kw: NonNegative


class Battery(_Sized):
    """A battery sized in power and energy (CONTRACT 3.4)."""

    kind: Literal["battery"]
    power_capex_per_kw: NonNegative
    energy_capex_per_kwh: NonNegative
    round_trip_efficiency: float = Field(gt=0, le=1)
    min_duration_hours: NonNegative = 0.0
    max_duration_hours: NonNegative | None = None
    materials_kg_per_mwh: dict[str, NonNegative] | None = Field(
        default=None, description="kg of each material per MWh of energy, overriding the basis"
    )
    embodied_carbon_tco2_per_mwh: NonNegative | None = None

    @model_validator(mode="after")
    def _durations(self) -> Battery:
        if self.max_duration_hours is not None:
            if self.min_duration_hours > self.max_duration_hours:
                raise ValueError(
                    f"min_duration_hours ({self.min_duration_hours}) is above "
                    f"max_duration_hours ({self.max_duration_hours})"
                )
            if self.max_duration_hours == 0:
                raise ValueError("max_duration_hours must be above 0")
        return self


class Generator(_Sized):
    """Dispatchable on-site generation, e.g. gas backup (CONTRACT 3.4)."""

    kind: Literal["generator"]
    capex_per_kw: NonNegative
    fuel_per_mwh: float = Field(description="fuel + variable O&M per MWh electric")
    carbon_intensity_tco2_per_mwh: NonNegative
    carbon_free: bool | None = Field(
        default=None,
        description="counts as clean for the CFE score; default: carbon intensity is 0",
    )

    @property
    def is_fossil(self) -> bool:
        if self.carbon_free is not None:
            return not self.carbon_free
        return self.carbon_intensity_tco2_per_mwh > 0


Technology = Annotated[Renewable | Battery | Generator, Field(discriminator="kind")]


class Finance(_Strict):
    discount_rate: float = Field(ge=0, lt=1)


class Carbon(_Strict):
    price_per_tco2: NonNegative = 0.0
    cfe_target: float | None = Field(default=None, ge=0, le=1)
    max_emissions_tco2: NonNegative | None = None
    include_embodied: bool = Field(
        default=False, description="annualised embodied tCO2 count in the cap and the price"
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
    materials_limits: dict[str, NonNegative] | None = Field(
        default=None, description="material -> max tonnes in what is built or contracted"
    )
    compute: Compute | None = None

    @field_validator("currency")
    @classmethod
    def _currency(cls, v: str) -> str:
        if not _CURRENCY.match(v):
            raise ValueError(f"currency must be an ISO 4217 code such as USD or EUR, got {v!r}")
        return v

    @field_validator("ppa_offers", "technologies", mode="before")
    @classmethod
    def _none_is_empty(cls, v: Any) -> Any:
        return [] if v is None else v
