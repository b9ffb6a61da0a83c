"""The rule sets of docs/compliance.md on small cases, each passing and failing, margins by
hand. Base: 4 steps of 10 MW at 50/MWh (40 MWh; a year's equivalent 87,600 MWh), location
factor 0.5, grid clean share 0; start 2027-01-04.
"""

from __future__ import annotations

import pytest

from optimizer.solve import solve
from tests.certificates.cases import annual_go, case, hourly_go

APPROX = pytest.approx


def enefg_case(it_mw: float = 8.0, **kw: object) -> dict:
    kw.setdefault("compliance", ["enefg_2027"])
    sc = case(**kw)
    sc["load"]["it_mw"] = it_mw
    return sc


def test_enefg_2027_passes_with_annual_gos() -> None:
    """enefg_2027 (as of 2027-07-01), existing site: renewable 100 % annual → 40 MWh GOs
    (cost 40, total 2040); PUE 40/32 = 1.25 ≤ 1.5, margin 0.25; share margin 0."""
    s = solve(enefg_case(certificate_offers=[annual_go()])).summary
    assert s["total_cost"] == APPROX(2040.0)
    rule = s["compliance"]["enefg_2027"]
    assert rule["pass"] is True
    assert rule["as_of"] == "2027-07-01"
    by_kpi = {ch["kpi"]: ch for ch in rule["requirements"]}
    assert by_kpi["renewable_share"]["required"] == 1.0
    assert by_kpi["renewable_share"]["margin"] == APPROX(0.0, abs=1e-9)
    assert by_kpi["pue"]["max"] == 1.5
    assert by_kpi["pue"]["margin"] == APPROX(0.25)
    assert rule["margin"] == APPROX(0.0, abs=1e-9)
    assert s["kpis"]["pue"] == APPROX(1.25)


def test_enefg_2027_fails_without_certificates_best_share_reported() -> None:
    """GOs limited to 30 MWh: the 100 % share cannot be met, best 30/40 = 0.75 (exit 3)."""
    r = solve(enefg_case(certificate_offers=[annual_go(max_mwh=30)]))
    assert r.status == "infeasible"
    assert "compliance enefg_2027" in r.message
    assert "0.7500" in r.message


def test_enefg_pue_limit_fails_on_data() -> None:
    """IT 6 MW: PUE 40/24 = 1.6667 > 1.5 → infeasible, over by 0.1667. As of 2030-07-01 the
    limit is 1.3; with IT 8 MW (PUE 1.25) that passes with margin 0.05. Report-only
    (enforce: false) keeps the run optimal and reports the failure with margin −0.1667."""
    r = solve(enefg_case(it_mw=6.0, certificate_offers=[annual_go()]))
    assert r.status == "infeasible"
    assert "PUE" in r.message and "1.6667" in r.message

    sc = enefg_case(certificate_offers=[annual_go()])
    sc["compliance"] = [{"rule": "enefg", "as_of": "2030-07-01"}]
    s = solve(sc).summary
    pue = next(ch for ch in s["compliance"]["enefg"]["requirements"] if ch["kpi"] == "pue")
    assert pue["max"] == 1.3
    assert pue["margin"] == APPROX(0.05)

    sc = enefg_case(it_mw=6.0, certificate_offers=[annual_go()])
    sc["compliance"] = [{"rule": "enefg_2027", "enforce": False}]
    r = solve(sc)
    assert r.status == "optimal"
    rule = r.summary["compliance"]["enefg_2027"]
    assert rule["pass"] is False
    pue = next(ch for ch in rule["requirements"] if ch["kpi"] == "pue")
    assert pue["margin"] == APPROX(1.5 - 40 / 24)
    # not enforced: no GO is bought, the share check fails by the whole 1.0
    share = next(ch for ch in rule["requirements"] if ch["kpi"] == "renewable_share")
    assert share["margin"] == APPROX(-1.0)


def test_enefg_erf_for_a_new_site_forces_heat_reuse() -> None:
    """Commissioned 2026-09-01 (new site): ERF ≥ 0.10 (§11 (2) 1); PUE 1.2 only from
    2028-09-01. Heat at 10/MWh is not worth it alone (heat pump 12.5/MWh heat), but the ERF
    needs 0.1·40 = 4 MWh of reused IT heat = 4/0.75 = 5.333 MWh of heat, 1.333 MWh of
    heat-pump power: extra cost 1.333·50 − 5.333·10 = 13.33 → 2040 + 13.33 = 2053.33.
    Without heat_reuse the ERF cannot be met (best 0, exit 3)."""
    sc = enefg_case(certificate_offers=[annual_go()])
    sc["facility"] = {"commissioning_date": "2026-09-01"}
    sc["heat_reuse"] = {
        "recoverable_share": 0.5,
        "offtake_limit_mw_heat": 4.0,
        "price_per_mwh_heat": 10.0,
        "heat_pump_cop": 4.0,
    }
    s = solve(sc).summary
    # the GOs also cover the heat pump's 1.333 MWh: 41.333 MWh of GOs
    assert s["certificates"]["nordic-go"]["mwh"] == APPROX(40 + 4 / 3)
    assert s["total_cost"] == APPROX(2000 + 50 * 4 / 3 - 10 * 16 / 3 + 40 + 4 / 3)
    rule = s["compliance"]["enefg_2027"]
    erf = next(ch for ch in rule["requirements"] if ch["kpi"] == "erf")
    assert erf["min"] == 0.10
    assert erf["value"] == APPROX(0.10)
    assert rule["pass"] is True
    assert not any(ch["kpi"] == "pue" for ch in rule["requirements"])

    del sc["heat_reuse"]
    r = solve(sc)
    assert r.status == "infeasible"
    assert "ERF" in r.message and "heat_reuse" in r.message


def test_enefg_does_not_apply_below_300_kw() -> None:
    s = solve(case(load=[0.2] * 4, compliance=["enefg_2027"])).summary
    rule = s["compliance"]["enefg_2027"]
    assert rule["applies"] is False and rule["pass"] is True


def test_ghg_scope2_hourly_makes_the_share_hourly_and_same_zone() -> None:
    """enefg_2027 + ghg_scope2_hourly (87,600 MWh a year: not exempt): the 100 % share must
    be met in every step with certificates of grid.zone DE-LU. Hourly GOs of DE-LU at 3
    → 120, total 2120; the same offer from SE3 does not count → infeasible, best hourly
    share 0. With exemption_threshold_mwh 100,000 the site is exempt: annual GOs suffice."""
    sc = enefg_case(certificate_offers=[annual_go(), hourly_go(zone="DE-LU")])
    sc["grid"]["zone"] = "DE-LU"
    sc["compliance"] = ["enefg_2027", "ghg_scope2_hourly"]
    s = solve(sc).summary
    assert s["total_cost"] == APPROX(2120.0)
    ghg = s["compliance"]["ghg_scope2_hourly"]
    assert ghg["pass"] is True and ghg["exempt"] is False
    assert ghg["requirements"][0]["matching"] == "hourly"
    assert ghg["requirements"][0]["margin"] == APPROX(0.0, abs=1e-9)
    assert s["emissions_tco2"]["market_based_ghg_scope2_hourly"] == APPROX(0.0, abs=1e-9)

    sc["certificate_offers"][1]["zone"] = "SE3"
    r = solve(sc)
    assert r.status == "infeasible"
    assert "hourly matching, certificates of the site's zone only" in r.message

    sc["compliance"] = ["enefg_2027", {"rule": "ghg_scope2_hourly", "exemption_threshold_mwh": 1e5}]
    s = solve(sc).summary
    assert s["total_cost"] == APPROX(2040.0)
    assert s["compliance"]["ghg_scope2_hourly"]["exempt"] is True
    assert s["compliance"]["ghg_scope2_hourly"]["pass"] is True


def test_ghg_scope2_hourly_report_only_fails_annual_gos() -> None:
    """Report only (enforce: false) with annual GOs meeting enefg: the hourly check fails by
    the whole share (hourly min 0 − 1 = −1) and its market-based emissions count every
    import at the residual mix 0.6: 0.6·40 = 24 tCO2, while the annual method gives 0."""
    sc = enefg_case(certificate_offers=[annual_go()])
    sc["grid"]["residual_mix_tco2_per_mwh"] = 0.6
    sc["compliance"] = ["enefg_2027", {"rule": "ghg_scope2_hourly", "enforce": False}]
    s = solve(sc).summary
    assert s["total_cost"] == APPROX(2040.0)
    ghg = s["compliance"]["ghg_scope2_hourly"]
    assert ghg["pass"] is False
    assert ghg["margin"] == APPROX(-1.0)
    assert ghg["market_based_tco2"] == APPROX(24.0)
    assert s["emissions_tco2"]["market_based"] == APPROX(0.0, abs=1e-9)
    assert s["compliance"]["enefg_2027"]["pass"] is True


def test_eu_2024_1364_reports_kpis_and_fails_without_it_load() -> None:
    """IT 8 MW (≥ 0.5 MW): PUE 1.25, REF 0, ERF 0 reported → pass. Without the IT load
    PUE cannot be computed → fail (reported; the run stays optimal)."""
    s = solve(enefg_case(compliance=["eu_2024_1364"])).summary
    eu = s["compliance"]["eu_2024_1364"]
    assert eu["applies"] is True and eu["pass"] is True
    assert eu["reported_kpis"]["pue"] == APPROX(1.25)
    assert eu["reported_kpis"]["erf"] == 0.0
    assert eu["reported_kpis"]["wue"] is None

    r = solve(case(compliance=["eu_2024_1364"]))
    assert r.status == "optimal"
    eu = r.summary["compliance"]["eu_2024_1364"]
    assert eu["pass"] is False
    assert "IT load is unknown" in eu["requirements"][0]["reason"]
