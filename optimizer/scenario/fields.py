"""Field types and base models shared by the scenario schema and the units' own schemas.

Kept apart from :mod:`optimizer.scenario.schema` so that a unit module
(:mod:`optimizer.units`) can define its schema without importing the whole scenario.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, model_validator

from optimizer.profiles.spec import SolarProfile, WindProfile
from optimizer.scenario.strict import check_model_input

NumberOrColumn = float | str
"""A number, or the name of a numeric column of the series file."""

NonNegative = Annotated[float, Field(ge=0)]

ProfileSource = float | str | SolarProfile | WindProfile
"""A number, a column, or ``{solar: {...}}`` / ``{wind: {...}}`` derived from ``weather``."""


class Strict(BaseModel):
    # NaN and ±inf are bad input (CONTRACT 2): refuse them in every scalar number field.
    model_config = ConfigDict(extra="forbid", validate_default=True, allow_inf_nan=False)

    @model_validator(mode="before")
    @classmethod
    def _hostile(cls, data: Any, info: ValidationInfo) -> Any:
        """No boolean where a number goes; no list longer than the list limit
        (optimizer/scenario/strict.py)."""
        return check_model_input(cls, data, info)


def check_min_max(lo: float, hi: float | None) -> None:
    if hi is not None and lo > hi:
        raise ValueError(f"min_mw ({lo}) is above max_mw ({hi})")


class Sized(Strict):
    """What every on-site technology the optimizer sizes has."""

    name: str = Field(min_length=1)
    kind: str
    """Each unit narrows this to its own ``Literal`` (the union's discriminator)."""
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
    def _min_max(self) -> Sized:
        check_min_max(self.min_mw, self.max_mw)
        return self


class SeriesSpec(Strict):
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
