"""compare and frontier of studies through the API (CONTRACT 8 with sections 9 and 10):
the numbers of the hand-solved cases in tests/decisions/test_compare_study.py and
tests/decisions/test_pathway_frontier.py."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.api.conftest import wait_for
from tests.cases.test_risk import risk_case
from tests.decisions.test_compare_study import _pathway
from tests.decisions.test_pathway_frontier import _case


def _submit(client: TestClient, scenario: dict[str, Any], kind: str, **options: Any) -> str:
    r = client.post("/v1/runs", json={"kind": kind, "scenario": scenario, "options": options})
    assert r.status_code == 202, r.text
    return str(r.json()["id"])


def test_compare_of_a_pathway_and_of_a_scenario_set(client: TestClient) -> None:
    """Pathway: pv worth 8,760,000 in present value, built in 2028. Scenario set (ω = 0.2):
    the PPA is worth 30 in the risk objective, 350 of CVaR, −50 of expected cost."""
    path_id = _submit(client, _pathway(), "compare")
    risk_id = _submit(client, risk_case(0.2), "compare")
    body = wait_for(client, path_id, 180)
    assert body["status"] == "optimal", body
    assert body["result"]["objective_kind"] == "present_value"
    pv = next(i for i in body["result"]["items"] if i["name"] == "pv")
    assert pv["value"] == pytest.approx(8_760_000.0)
    assert pv["built_mw_by_year"]["2028"] == pytest.approx(10.0)
    body = wait_for(client, risk_id, 180)
    assert body["status"] == "optimal", body
    assert body["result"]["objective_kind"] == "risk"
    firm = next(i for i in body["result"]["items"] if i["name"] == "firm")
    assert firm["value"] == pytest.approx(30.0)
    assert firm["cvar_value"] == pytest.approx(350.0)
    assert firm["expected_cost_value"] == pytest.approx(-50.0)


def test_frontier_of_a_pathway_by_cfe_scale(client: TestClient) -> None:
    """f = 0.5 → PV 14,191,200 (c = 4), f = 1 → 15,242,400 (c = 8)."""
    run_id = _submit(client, _case(), "frontier", cfe_scale=[0.5, 1.0])
    body = wait_for(client, run_id, 180)
    assert body["status"] == "optimal", body
    points = body["result"]["points"]
    assert [p["objective"] for p in points] == pytest.approx([14_191_200.0, 15_242_400.0])
    assert points[0]["targets"] == {"2027": 0.25, "2028": 0.4, "2029": None}
    assert points[1]["cfe_score"]["2029"] == pytest.approx(0.8)


def test_cfe_scale_without_a_target_path_names_the_option(client: TestClient) -> None:
    run_id = _submit(client, _case(targets=False), "frontier", cfe_scale="1")
    body = wait_for(client, run_id, 180)
    assert body["status"] == "failed"
    assert body["error"]["code"] == "input"
    assert body["error"]["errors"][0]["field"] == "options.cfe_scale"


def test_cfe_scale_with_cfe_is_refused(client: TestClient) -> None:
    r = client.post(
        "/v1/runs",
        json={"kind": "frontier", "scenario": _case(), "options": {"cfe_scale": "1", "cfe": "0.5"}},
    )
    assert r.status_code == 422
    assert "options.cfe_scale" in r.text


def test_a_pathway_run_over_the_api(client: TestClient) -> None:
    """kind run on a pathway: summary.json's present value and years (10,512,000; pv built
    in 2028: tests/decisions/test_compare_study.py derives it); the report is served."""
    run_id = _submit(client, _pathway(), "run")
    body = wait_for(client, run_id, 180)
    assert body["status"] == "optimal", body
    s = body["summary"]
    assert s["objective"] == pytest.approx(10_512_000.0)
    assert s["years"]["2028"]["built_mw"]["pv"] == pytest.approx(10.0)
    assert s["years"]["2027"]["total_cost"] == pytest.approx(20 * 10 * 8760.0)
    assert client.get(f"/v1/runs/{run_id}/report").status_code == 200
