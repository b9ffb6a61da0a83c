"""Scenario input: schema, series, time grid, overrides, resolution into a :class:`Problem`."""

from optimizer.scenario.loader import load_problem, read_scenario_file, validate_scenario
from optimizer.scenario.resolve import Problem, crf
from optimizer.scenario.schema import Scenario
from optimizer.scenario.timeindex import TimeGrid

__all__ = [
    "Problem",
    "Scenario",
    "TimeGrid",
    "crf",
    "load_problem",
    "read_scenario_file",
    "validate_scenario",
]
