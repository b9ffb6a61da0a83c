"""Scenario sets and modelled years: the outer index of a scenario file (CONTRACT 9, 10)."""

from __future__ import annotations

import itertools
from typing import Any, Literal

from pydantic import Field, field_validator, model_validator

from optimizer.scenario.fields import SeriesSpec, Strict

_Strict = Strict


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

    @field_validator("scenarios")
    @classmethod
    def _probabilities(cls, scenarios: list[UncertainScenario]) -> list[UncertainScenario]:
        total = sum(s.probability for s in scenarios)
        if abs(total - 1.0) > 1e-9:
            raise ValueError(
                f"the scenarios' probability values must sum to 1 (±1e-9), they sum to {total:.12g}"
            )
        return scenarios

    @model_validator(mode="after")
    def _check(self) -> Uncertainty:
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
