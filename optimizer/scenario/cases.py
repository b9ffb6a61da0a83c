"""The outer index of a run: its cases (docs/formulation.md, "Cases").

A :class:`Study` is one or more :class:`Case`: each a resolved :class:`Problem` (its own
data over its own time grid) with the weight it counts with in the objective. A plain
scenario is one case of weight 1; ``uncertainty:`` makes one case per scenario (weight = its
probability); ``horizon:`` one case per modelled year (weight = its discounted span ÷ H).
Every case has the same offers and assets as the first: only data differs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from optimizer.scenario.resolve import Problem

StudyKind = Literal["single", "scenarios", "years"]


@dataclass(frozen=True)
class Case:
    name: str
    problem: Problem
    weight: float = 1.0
    """Objective weight of the case's cost C_c."""
    probability: float | None = None
    """Scenarios: p_s."""
    year: int | None = None
    """Years: the modelled year."""
    weight_years: int = 1
    """Years: how many calendar years the entry stands for."""


@dataclass(frozen=True)
class Risk:
    """``(1−ω)·E[C] + ω·CVaR_α`` (CONTRACT section 9)."""

    alpha: float = 0.9
    weight: float = 0.0


@dataclass(frozen=True)
class Study:
    cases: tuple[Case, ...]
    kind: StudyKind = "single"
    risk: Risk = field(default_factory=Risk)
    targets_apply: Literal["every_scenario", "expectation"] = "every_scenario"

    @classmethod
    def single(cls, problem: Problem) -> Study:
        return cls((Case(problem.scenario.name, problem, 1.0),))

    @property
    def base(self) -> Problem:
        return self.cases[0].problem
