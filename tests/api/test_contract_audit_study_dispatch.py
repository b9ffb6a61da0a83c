"""``GET /v1/runs/{id}/dispatch`` as JSON for a scenario set and a pathway (CONTRACT 8 with
9 and 10): the ``scenario`` and ``year`` columns come back as dispatch.parquet holds them
(case names, strings: tests/cases/test_pathway.py).

The scenario set is tests/cases/test_risk.py's running case at ω = 0.2: c = 10 MW of the
baseload PPA (slope 5 − 40·ω < 0), so in both scenarios the 10 MW load is all PPA and the
index offer imports 0 MW; one row per step and scenario: two rows, ``low`` then ``high``.
The JSON once failed with a 500 (every column was cast to float, the names too).
"""

from __future__ import annotations

import copy

import pytest
from fastapi.testclient import TestClient

from tests.api.conftest import wait_for
from tests.cases.test_risk import risk_case


def _run(client: TestClient, scenario: dict[str, object]) -> str:
    r = client.post("/v1/runs", json={"kind": "run", "scenario": scenario})
    assert r.status_code == 202, r.text
    rid = str(r.json()["id"])
    assert wait_for(client, rid, 120)["status"] == "optimal"
    return rid


def test_dispatch_json_of_a_scenario_set_keeps_the_scenario_names(client: TestClient) -> None:
    rid = _run(client, risk_case(0.2))
    r = client.get(f"/v1/runs/{rid}/dispatch", headers={"Accept": "application/json"})
    assert r.status_code == 200, r.text
    cols = r.json()["columns"]
    assert cols["scenario"] == ["low", "high"]
    assert cols["grid_import_mw:index"] == pytest.approx([0.0, 0.0], abs=1e-7)
    assert cols["load_mw"] == [10.0, 10.0]


def test_dispatch_json_of_a_pathway_names_the_years(client: TestClient) -> None:
    """Years 2027 and 2028 of the same one-step case (no uncertainty): one row each."""
    sc = copy.deepcopy(risk_case(0.0))
    sc.pop("uncertainty")
    sc["horizon"] = {"years": [{"year": 2027}, {"year": 2028}]}
    rid = _run(client, sc)
    r = client.get(f"/v1/runs/{rid}/dispatch", headers={"Accept": "application/json"})
    assert r.status_code == 200, r.text
    assert r.json()["columns"]["year"] == ["2027", "2028"]


def test_a_run_decomposes_a_scenario_set_on_request(client: TestClient) -> None:
    """``options.decompose: true`` solves the running case (ω = 0.2) by scenario
    decomposition: summary.json says so, with the DE's objective (the derivation in
    tests/cases/test_risk.py: c = 10 MW of the baseload PPA, E[cost] = CVaR = 650, so
    0.8·650 + 0.2·650 = 650) and the same two dispatch rows."""
    r = client.post(
        "/v1/runs",
        json={"kind": "run", "scenario": risk_case(0.2), "options": {"decompose": True}},
    )
    assert r.status_code == 202, r.text
    rid = str(r.json()["id"])
    job = wait_for(client, rid, 120)
    assert job["status"] == "optimal"
    summary = job["summary"]
    assert summary["solver"]["method"] == "scenario decomposition (multi-cut Benders)"
    assert summary["objective"] == pytest.approx(650.0, rel=1e-6)
    r = client.get(f"/v1/runs/{rid}/dispatch", headers={"Accept": "application/json"})
    assert r.json()["columns"]["scenario"] == ["low", "high"]
