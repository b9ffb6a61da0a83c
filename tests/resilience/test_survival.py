"""Survival probability of the backup fleet (optimizer/results/resilience.py), by hand."""

from __future__ import annotations

import math

from pytest import approx

from optimizer.results.resilience import (
    Reliability,
    at_least,
    fleet_survival,
    survival_probability,
    unit_success,
    whole_units,
)

REOPT = Reliability(0.995, 0.0094, 1100.0)


def test_unit_success_reopt_defaults() -> None:
    """q(12 h) = 0.995·(1 − 0.0094)·(1 − 1/1100)^12 = 0.98564·0.98915 = 0.97494."""
    q = unit_success(REOPT, 12)
    assert q == approx(0.995 * 0.9906 * (1 - 1 / 1100) ** 12)
    assert q == approx(0.97494, abs=1e-5)


def test_binomial_n_plus_one() -> None:
    """3 units of which 2 are needed: S = 3q²(1 − q) + q³."""
    q = unit_success(REOPT, 24)
    assert survival_probability(3, 2, 24, REOPT) == approx(3 * q**2 * (1 - q) + q**3)
    assert at_least(3, 4, q) == 0.0 and at_least(3, 0, q) == 1.0


def test_fleet_of_two_sizes_is_the_convolution() -> None:
    """One 6 MW unit and two 3 MW units carrying 6 MW: survive if the big one works, or
    if it fails and both small ones work: q + (1 − q)·q²."""
    q = unit_success(REOPT, 8)
    got = fleet_survival([(1, 6.0), (2, 3.0)], 6.0, 8, REOPT)
    assert got == approx(q + (1 - q) * q**2)


def test_fuel_shorter_than_outage_is_zero() -> None:
    assert fleet_survival([(3, 5.0)], 10.0, 24, REOPT, fuel_hours_at_peak=12) == 0.0
    assert fleet_survival([(3, 5.0)], 0.0, 24, REOPT) == 1.0


def test_whole_units_round_up() -> None:
    assert whole_units(14.0, 4.0) == 4 and whole_units(12.0, 4.0) == 3
    assert whole_units(0.0, 4.0) == 0
    assert math.isclose(unit_success(Reliability(1, 0, 1e12), 10), 1.0, rel_tol=1e-9)
