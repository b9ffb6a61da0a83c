"""A scenario set and a pathway through the API (CONTRACT 8 with sections 9 and 10): the
numbers equal the library's on the hand-solved cases of tests/cases/."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.api.conftest import wait_for
from tests.cases.test_risk import risk_case


def _submit(client: TestClient, scenario: dict[str, Any]) -> str:
    r = client.post("/v1/runs", json={"kind": "run", "scenario": scenario})
    assert r.status_code == 202, r.text
    return str(r.json()["id"])


def test_a_scenario_set_over_the_api(client: TestClient) -> None:
    """ω = 0.2: all PPA, objective 650 (tests/cases/test_risk.py derives it)."""
    body = wait_for(client, _submit(client, risk_case(0.2)), 120)
    assert body["status"] == "optimal", body
    s = body["summary"]
    assert s["objective"] == pytest.approx(650.0)
    assert s["risk"]["cvar_cost"] == pytest.approx(650.0)
    assert set(s["scenarios"]) == {"low", "high"}


def test_a_bad_scenario_set_is_422_naming_the_field(client: TestClient) -> None:
    sc = risk_case(0.2)
    sc["uncertainty"]["scenarios"][1]["probability"] = 0.7
    r = client.post("/v1/runs", json={"kind": "run", "scenario": sc})
    assert r.status_code == 422
    assert "uncertainty" in r.text
