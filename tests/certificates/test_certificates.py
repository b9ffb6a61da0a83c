"""Certificate offers, residual mix and renewable-share goals (CONTRACT 11), solved by hand.

Base case (tests/certificates/cases.py): 4 steps of 10 MW at 50/MWh, grid clean share 0,
location factor 0.5 → grid energy 2000, location-based emissions 20 tCO2.
"""

from __future__ import annotations

import pytest

from optimizer.solve import solve
from tests.certificates.cases import annual_go, case, hourly_go, monthly_go, solar

APPROX = pytest.approx


def test_cheap_gos_meet_an_annual_share_but_not_an_hourly_cfe_target() -> None:
    """Annual GOs at 1/MWh, share target 1.0 annual: buy 40 MWh → cost 2000 + 40 = 2040;
    market-based emissions 0 (all imports covered), location-based 20; CFE score 0 (annual
    GOs do not count for 24/7 CFE). Adding cfe_target 0.5 is infeasible: no clean supply
    can reach the hourly score, the best reachable is 0."""
    sc = case(certificate_offers=[annual_go()], carbon={"renewable_share_target": 1.0})
    r = solve(sc)
    s = r.summary
    assert r.status == "optimal"
    assert s["total_cost"] == APPROX(2040.0)
    assert s["cost_breakdown"]["certificates"] == APPROX(40.0)
    assert s["certificates"]["nordic-go"]["mwh"] == APPROX(40.0)
    assert s["certificates"]["nordic-go"]["cost"] == APPROX(40.0)
    assert s["renewable_share"]["annual"] == APPROX(1.0)
    assert s["renewable_share"]["hourly"] == APPROX(0.0)
    assert s["emissions_tco2"]["market_based"] == APPROX(0.0)
    assert s["emissions_tco2"]["location_based"] == APPROX(20.0)
    assert s["cfe_score"] == APPROX(0.0)
    # the shadow price of the annual share is the GO price
    assert s["shadow_prices"]["renewable_share_per_mwh"] == APPROX(1.0)

    sc["carbon"]["cfe_target"] = 0.5
    r = solve(sc)
    assert r.status == "infeasible"
    assert r.diagnosis["max_cfe_score"] == APPROX(0.0)
    assert "cfe_target" in r.message


def test_hourly_certificates_meet_both_the_share_and_the_cfe_target() -> None:
    """Hourly certificates at 3/MWh (max 10 MW) and annual GOs at 1: with cfe_target 1.0 and
    an annual share 1.0, every import is covered hourly: 40 MWh·3 = 120 (no annual GO: the
    horizon's cover row Σu + za ≤ ΣI leaves none) → 2120, CFE 1. With cfe_target 0.5:
    20 MWh hourly (60) + 20 MWh annual (20) → 2080, CFE 0.5, shadow price of CFE = 3 − 1 = 2
    per MWh (an hourly certificate replaces an annual one)."""
    offers = [annual_go(), hourly_go(max_mw=10)]
    sc = case(certificate_offers=offers, carbon={"renewable_share_target": 1.0, "cfe_target": 1.0})
    s = solve(sc).summary
    assert s["total_cost"] == APPROX(2120.0)
    assert s["certificates"]["dk-hourly"]["mwh"] == APPROX(40.0)
    assert s["certificates"]["nordic-go"]["mwh"] == APPROX(0.0, abs=1e-6)
    assert s["cfe_score"] == APPROX(1.0)
    assert s["renewable_share"]["hourly"] == APPROX(1.0)

    sc["carbon"]["cfe_target"] = 0.5
    s = solve(sc).summary
    assert s["total_cost"] == APPROX(2080.0)
    assert s["certificates"]["dk-hourly"]["mwh"] == APPROX(20.0)
    assert s["certificates"]["nordic-go"]["mwh"] == APPROX(20.0)
    assert s["cfe_score"] == APPROX(0.5)
    assert s["shadow_prices"]["cfe_per_mwh"] == APPROX(2.0)
    assert s["renewable_share"]["annual"] == APPROX(1.0)


def test_hourly_share_target_needs_hourly_certificates() -> None:
    """renewable_matching hourly, share 1.0: annual GOs do not count in a step; the hourly
    offer (3/MWh) covers 10 MW in every step → 2000 + 120 = 2120."""
    sc = case(
        certificate_offers=[annual_go(), hourly_go()],
        carbon={"renewable_share_target": 1.0, "renewable_matching": "hourly"},
    )
    s = solve(sc).summary
    assert s["total_cost"] == APPROX(2120.0)
    assert s["renewable_share"]["hourly_min"] == APPROX(1.0)
    # each hourly row's dual is 3 per MW·h: (Σ_t 3·10)/40 MWh = 3 per MWh
    assert s["shadow_prices"]["renewable_share_per_mwh"] == APPROX(3.0)


def test_residual_mix_prices_uncovered_imports() -> None:
    """Residual mix 0.7, location 0.5; annual share 0.5 → 20 MWh of GOs: market-based =
    0.7·(40 − 20) = 14 tCO2, location-based 0.5·40 = 20. Without any target no GO is
    bought and market-based = 0.7·40 = 28."""
    sc = case(certificate_offers=[annual_go()], carbon={"renewable_share_target": 0.5})
    sc["grid"]["residual_mix_tco2_per_mwh"] = 0.7
    s = solve(sc).summary
    assert s["certificates"]["nordic-go"]["mwh"] == APPROX(20.0)
    assert s["emissions_tco2"]["market_based"] == APPROX(14.0)
    assert s["emissions_tco2"]["location_based"] == APPROX(20.0)
    del sc["carbon"]
    s = solve(sc).summary
    assert s["emissions_tco2"]["market_based"] == APPROX(28.0)


def test_residual_mix_defaults_to_the_location_factor_and_lp_is_unchanged() -> None:
    """No certificate offers, no targets: market-based = location-based = 20, and the LP
    has exactly the rows and columns of a scenario without CONTRACT 11 (4 imports + 4
    curtailment columns; 4 balance rows)."""
    r = solve(case())
    s = r.summary
    assert s["emissions_tco2"]["market_based"] == APPROX(20.0)
    assert s["solver"]["rows"] == 4
    assert s["solver"]["columns"] == 8
    assert "certificates" not in s
    assert s["kpis"]["ref"] == APPROX(0.0)


def test_monthly_matching_binds_in_one_month_only() -> None:
    """Steps 22:00, 23:00 on 31 January and 00:00, 01:00 on 1 February (UTC); 10 MW of free
    solar with profile [1, 1, 0, 0] covers January entirely. Monthly share 0.5: January
    20/20 ≥ 0.5 (slack); February needs 0.5·20 = 10 MWh of monthly GOs at 2 → cost 20,
    total 50·20 (February imports) + 20 = 1020. Annual matching would need 0.5·40 = 20 MWh,
    met by the solar alone (no GO). Shadow price: February's dual 2 on a 20 MWh month,
    January's 0: (2·20 + 0·20)/40 = 1 per MWh."""
    sc = case(
        start="2027-01-31T22:00",
        columns={"solar_cf": [1, 1, 0, 0]},
        technologies=[solar(10.0)],
        finance={"discount_rate": 0.05},
        certificate_offers=[monthly_go(), annual_go(price=0.5)],
        carbon={"renewable_share_target": 0.5, "renewable_matching": "monthly"},
    )
    s = solve(sc).summary
    assert s["certificates"]["monthly-go"]["mwh"] == APPROX(10.0)
    assert s["certificates"]["nordic-go"]["mwh"] == APPROX(0.0, abs=1e-6)
    assert s["total_cost"] == APPROX(1020.0)
    rs = s["renewable_share"]
    assert rs["monthly"]["2027-01"] == APPROX(1.0)
    assert rs["monthly"]["2027-02"] == APPROX(0.5)
    assert rs["monthly_min"] == APPROX(0.5)
    assert rs["annual"] == APPROX(0.75)
    assert s["shadow_prices"]["renewable_share_per_mwh"] == APPROX(1.0)

    sc["carbon"]["renewable_matching"] = "annual"
    s = solve(sc).summary
    assert s["certificates"]["monthly-go"]["mwh"] == APPROX(0.0, abs=1e-6)
    assert s["certificates"]["nordic-go"]["mwh"] == APPROX(0.0, abs=1e-6)
    assert s["total_cost"] == APPROX(1000.0)


def test_curtailment_and_export_reduce_renewable_supply_first() -> None:
    """20 MW of free solar in step 0 only ([1, 0, 0, 0]), load 10: 10 MW is curtailed, so
    renewable supply is 20 − 10 = 10 MWh of 40 → annual share 0.25, not 0.5."""
    sc = case(
        columns={"solar_cf": [1, 0, 0, 0]},
        technologies=[solar(20.0)],
        finance={"discount_rate": 0.05},
    )
    s = solve(sc).summary
    assert s["curtailment_mwh"] == APPROX(10.0)
    assert s["renewable_share"]["annual"] == APPROX(0.25)
    assert s["kpis"]["ref"] == APPROX(0.25)


def test_max_mwh_and_max_mw_limit_certificates() -> None:
    """Annual GOs max 30 MWh and share 1.0: infeasible, best reachable share 30/40 = 0.75.
    Hourly certificates max_mw 5 with hourly share 0.5: 5 MW each step → 20 MWh·3 = 60."""
    sc = case(certificate_offers=[annual_go(max_mwh=30)], carbon={"renewable_share_target": 1})
    r = solve(sc)
    assert r.status == "infeasible"
    best = r.diagnosis["compliance_best"][0]
    assert best["best"] == APPROX(0.75)
    assert "renewable share 1" in r.message and "0.7500" in r.message

    sc = case(
        certificate_offers=[hourly_go(max_mw=5)],
        carbon={"renewable_share_target": 0.5, "renewable_matching": "hourly"},
    )
    s = solve(sc).summary
    assert s["certificates"]["dk-hourly"]["mwh"] == APPROX(20.0)
    assert s["total_cost"] == APPROX(2060.0)


def test_certificate_offer_names_are_unique() -> None:
    from optimizer.errors import ScenarioError

    sc = case(certificate_offers=[annual_go(name="utility")])
    with pytest.raises(ScenarioError, match="duplicate name"):
        solve(sc)
