"""Outages, backup and demand response in the scenario file (CONTRACT 12)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import Field, field_validator, model_validator

from optimizer.scenario.fields import NonNegative, Strict, check_min_max

_Strict = Strict


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
        check_min_max(self.min_mw, self.max_mw)
        if self.max_hours_per_event is not None:
            for k, e in enumerate(self.events):
                if e.hours > self.max_hours_per_event + 1e-9:
                    raise ValueError(
                        f"events[{k}] lasts {e.hours:g} h, above max_hours_per_event "
                        f"{self.max_hours_per_event:g}"
                    )
        return self
