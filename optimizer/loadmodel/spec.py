"""Scenario keys of the datacenter load model (pydantic only).

``load.mw`` may be ``{datacenter: {...}}`` instead of a number or column. Defaults and their
sources are in docs/load-model.md.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, model_validator


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_default=True)


class DatacenterLoadSpec(_Strict):
    """Site load = IT load × PUE(outdoor temperature), see docs/load-model.md."""

    it_capacity_mw: float = Field(gt=0, description="installed IT capacity, MW")
    training_share: float = Field(
        default=0.5, ge=0, le=1, description="share of IT capacity that serves training"
    )
    training_utilisation: float = Field(
        default=0.90, ge=0, le=1, description="flat utilisation of the training share"
    )
    inference_utilisation: float = Field(
        default=0.60, ge=0, le=1, description="daily mean utilisation of the inference share"
    )
    inference_diurnal_amplitude: float = Field(
        default=0.30, ge=0, le=1, description="± swing around the mean, as a share of it"
    )
    inference_peak_hour: float = Field(
        default=20.0, ge=0, lt=24, description="local hour of the inference peak"
    )
    growth_per_year: float = Field(
        default=0.0, ge=-0.99, le=10, description="IT load growth, compounding over the horizon"
    )
    pue_base: float = Field(default=1.20, ge=1, le=3, description="PUE at or below the threshold")
    pue_slope_per_c: float = Field(
        default=0.010, ge=0, le=0.2, description="PUE added per °C above the threshold"
    )
    economiser_threshold_c: float = Field(
        default=18.0, ge=-50, le=60, description="outdoor temperature above which PUE rises"
    )
    temperature_c: float | str | None = Field(
        default=None,
        description="outdoor temperature: number, column, or none = the scenario's weather",
    )

    @model_validator(mode="after")
    def _peak_fits(self) -> DatacenterLoadSpec:
        if self.inference_utilisation * (1 + self.inference_diurnal_amplitude) > 1 + 1e-12:
            raise ValueError(
                f"inference_utilisation × (1 + inference_diurnal_amplitude) = "
                f"{self.inference_utilisation * (1 + self.inference_diurnal_amplitude):.3f} "
                "is above 1 (IT load above capacity at the daily peak)"
            )
        return self


class DatacenterLoad(_Strict):
    """``load.mw: {datacenter: {...}}``."""

    datacenter: DatacenterLoadSpec
