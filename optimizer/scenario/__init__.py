"""Scenario input: schema, series, time grid, overrides, resolution into a :class:`Problem`.

Names are loaded on first use, so that a unit module importing
:mod:`optimizer.scenario.fields` does not pull in the whole package (and its schema, which
imports the units back).
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from optimizer.scenario.loader import load_problem, read_scenario_file, validate_scenario
    from optimizer.scenario.resolve import Problem, crf
    from optimizer.scenario.schema import Scenario
    from optimizer.scenario.timeindex import TimeGrid

_WHERE = {
    "Problem": "optimizer.scenario.resolve",
    "crf": "optimizer.scenario.resolve",
    "Scenario": "optimizer.scenario.schema",
    "TimeGrid": "optimizer.scenario.timeindex",
    "load_problem": "optimizer.scenario.loader",
    "read_scenario_file": "optimizer.scenario.loader",
    "validate_scenario": "optimizer.scenario.loader",
}

__all__ = [
    "Problem",
    "Scenario",
    "TimeGrid",
    "crf",
    "load_problem",
    "read_scenario_file",
    "validate_scenario",
]


def __getattr__(name: str) -> Any:
    if name in _WHERE:
        return getattr(import_module(_WHERE[name]), name)
    raise AttributeError(name)
