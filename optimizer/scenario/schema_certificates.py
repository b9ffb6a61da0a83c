"""Certificates, compliance rule sets, heat reuse and the facility (CONTRACT 11)."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import Field, model_validator

from optimizer.scenario.fields import NonNegative, NumberOrColumn, Strict

_Strict = Strict


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
