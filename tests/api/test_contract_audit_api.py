"""CONTRACT section 8, audited: the dispatch comes as Parquet for every common Parquet type.

``GET /v1/runs/{id}/dispatch`` serves "Parquet, CSV or JSON by ``Accept``". Clients name
Parquet by the registered ``application/vnd.apache.parquet`` but also, very commonly, by
``application/parquet``; the latter got 406 before this audit.

Numbers by hand: the tiny scenario buys its whole load of 7 MW from ``utility`` in each of
its 4 hourly steps (one offer, no other source), so the import column is ``[7, 7, 7, 7]``
MW and the objective is 7 · 4 · 50 = 1,400.
"""

from __future__ import annotations

import io

import pandas as pd
from fastapi.testclient import TestClient

from tests.api.conftest import tiny_scenario, wait_for


def test_dispatch_as_parquet_for_application_parquet(client: TestClient) -> None:
    r = client.post(
        "/v1/runs", json={"scenario": tiny_scenario(load_mw=7.0), "options": {"report": False}}
    )
    assert r.status_code == 202, r.text
    run_id = r.json()["id"]
    done = wait_for(client, run_id)
    assert done["status"] == "optimal"
    assert abs(done["summary"]["objective"] - 1400.0) < 1e-6
    r = client.get(f"/v1/runs/{run_id}/dispatch", headers={"accept": "application/parquet"})
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "application/vnd.apache.parquet"
    frame = pd.read_parquet(io.BytesIO(r.content))
    assert list(frame["grid_import_mw:utility"]) == [7.0] * 4


def test_a_malformed_override_is_refused_naming_options_overrides(client: TestClient) -> None:
    """CONTRACT 8: an invalid request gets 422 with the field names. The field of the API
    request is ``options.overrides`` (the CLI's ``--set``, which the API has no flag for):
    the item ``carbon.cfe_target`` lacks ``=value``. A well-formed item with a bad value
    still names the scenario field it sets."""
    body = {"scenario": tiny_scenario(), "options": {"overrides": ["carbon.cfe_target"]}}
    r = client.post("/v1/runs", json=body)
    assert r.status_code == 422, r.text
    assert [e["field"] for e in r.json()["errors"]] == ["options.overrides"]
    body = {"scenario": tiny_scenario(), "options": {"overrides": ["carbon.cfe_target=abc"]}}
    r = client.post("/v1/runs", json=body)
    assert r.status_code == 422, r.text
    assert [e["field"] for e in r.json()["errors"]] == ["carbon.cfe_target"]
