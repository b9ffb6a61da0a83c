"""Contract audit of section 11: hourly certificates count for the 24/7 CFE score, so the
plausibility warning "cfe_target above what the offers could reach" must count them too.

Base case (tests/certificates/cases.py): 4 steps of 10 MW at 50/MWh, grid clean share 0.
"""

from __future__ import annotations

import pytest

from optimizer.scenario import load_problem
from optimizer.scenario.plausibility import check
from optimizer.solve import solve
from tests.certificates.cases import case, hourly_go


def test_no_unreachable_cfe_warning_when_hourly_certificates_reach_it() -> None:
    """Hourly certificates at 3/MWh, at most 10 MW a step: cfe_target 1.0 is met by covering
    all 40 MWh of imports hourly, 2000 + 120 = 2120, score 1. No warning may call the target
    unreachable (the bound without the certificates was 0)."""
    sc = case(certificate_offers=[hourly_go(max_mw=10)], carbon={"cfe_target": 1.0})
    r = solve(sc)
    assert r.status == "optimal"
    assert r.summary["total_cost"] == pytest.approx(2120.0)
    assert r.summary["cfe_score"] == pytest.approx(1.0)
    assert not [w for w in check(load_problem(sc)) if w.startswith("carbon.cfe_target")]


def test_unreachable_cfe_warning_counts_hourly_certificates_at_their_max_mw() -> None:
    """max_mw 5: at most 5 of 10 MW covered a step, best score 20/40 = 0.5; a 0.8 target is
    infeasible and the warning's bound is 0.5000 (not 0)."""
    sc = case(certificate_offers=[hourly_go(max_mw=5)], carbon={"cfe_target": 0.8})
    r = solve(sc)
    assert r.status == "infeasible"
    assert r.diagnosis["max_cfe_score"] == pytest.approx(0.5)
    warnings = [w for w in check(load_problem(sc)) if w.startswith("carbon.cfe_target")]
    assert len(warnings) == 1 and "above 0.5000" in warnings[0]
