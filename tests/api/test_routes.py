"""One TestClient test (or a few) per route of the API (CONTRACT section 8).

Numbers: a tiny scenario buys all its load at one price, so its objective is
``load_mw · periods · price_per_mwh`` by hand; week-basic's objective is its
expected.json value (an independent PyPSA model).
"""

from __future__ import annotations

import io
import json
import time
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from fastapi.testclient import TestClient

from tests.api.conftest import AppFactory, inline_case, tiny_scenario, wait_for
from tests.conftest import ACCEPTANCE

WEEK_BASIC = json.loads((ACCEPTANCE / "week-basic" / "expected.json").read_text())


def submit(client: TestClient, scenario: dict[str, Any], **body: Any) -> str:
    options = body.pop("options", {"report": False})
    r = client.post("/v1/runs", json={"scenario": scenario, "options": options, **body})
    assert r.status_code == 202, r.text
    assert r.json()["status"] == "queued"
    assert r.headers["location"] == f"/v1/runs/{r.json()['id']}"
    return str(r.json()["id"])


# --- POST /v1/scenarios/validate -------------------------------------------------------------
def test_validate_gives_the_normalised_scenario(client: TestClient) -> None:
    r = client.post("/v1/scenarios/validate", json=tiny_scenario(periods=6))
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["valid"] is True
    assert body["periods"] == 6
    assert body["start"] == "2027-01-01T00:00:00+00:00"
    assert body["end"] == "2027-01-01T05:00:00+00:00"
    assert body["columns"] == ["load"]
    # defaults filled in
    assert body["scenario"]["currency"] == "USD"
    assert body["scenario"]["carbon"]["price_per_tco2"] == 0.0
    assert body["scenario"]["grid_offers"][0]["demand_charge_per_mw_month"] == 0.0


def test_validate_names_the_fields_at_fault(client: TestClient) -> None:
    bad = tiny_scenario()
    bad["grid_offers"][0]["max_mw"] = -5
    bad["site"]["colour"] = "red"
    bad["series"]["columns"]["load"][2] = None
    r = client.post("/v1/scenarios/validate", json=bad)
    assert r.status_code == 422
    fields = {e["field"] for e in r.json()["errors"]}
    assert {"grid_offers[utility].max_mw", "site.colour"} <= fields
    # the series is checked once the schema passes: the row and timestamp are named
    bad = tiny_scenario()
    bad["series"]["columns"]["load"][2] = None
    r = client.post("/v1/scenarios/validate", json=bad)
    assert r.status_code == 422
    (err,) = r.json()["errors"]
    assert err["field"] == "load.mw" and err["row"] == 3
    assert err["timestamp"].startswith("2027-01-01T02:00")


@pytest.mark.parametrize(
    ("where", "value"),
    [
        ("series", {"file": "/etc/passwd"}),
        ("series", {"file": "profiles.csv"}),
        ("weather", {"file": "/etc/passwd"}),
        ("weather", {"file": "pvlib:../../../../etc/passwd"}),
    ],
)
def test_a_scenario_never_names_a_server_path(
    client: TestClient, where: str, value: dict[str, str]
) -> None:
    s = tiny_scenario()
    s[where] = value
    for path, body in (("/v1/scenarios/validate", s), ("/v1/runs", {"scenario": s})):
        r = client.post(path, json=body)
        assert r.status_code == 422, r.text
        assert [e["field"] for e in r.json()["errors"]] == [f"{where}.file"]
        assert "never read" in r.json()["errors"][0]["message"]
    # nor through an override
    r = client.post(
        "/v1/runs",
        json={"scenario": tiny_scenario(), "options": {"overrides": ["series.file=/etc/passwd"]}},
    )
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == "series.file"
    assert client.get("/v1/runs").json()["total"] == 0


def _csv_upload(scenario: dict[str, Any]) -> tuple[str, bytes]:
    """The scenario as YAML-ish JSON text with a series.file, and its series as CSV bytes."""
    series = scenario.pop("series")
    frame = pd.DataFrame(series["columns"])
    frame.insert(
        0,
        "timestamp",
        series.get("timestamp") or [f"2027-01-01T{h:02d}:00" for h in range(len(frame))],
    )
    scenario["series"] = {"file": "whatever-the-cli-used.csv"}
    return json.dumps(scenario), frame.to_csv(index=False).encode()


def test_validate_multipart_upload(client: TestClient) -> None:
    text, csv = _csv_upload(tiny_scenario())
    r = client.post(
        "/v1/scenarios/validate",
        files={"scenario": ("s.yaml", text), "series": ("p.csv", csv, "text/csv")},
    )
    assert r.status_code == 200, r.text
    assert r.json()["periods"] == 4


# --- POST /v1/runs -------------------------------------------------------------------------
def test_run_inline_week_basic_matches_the_acceptance_answer(client: TestClient) -> None:
    run_id = submit(client, inline_case("week-basic"))
    body = wait_for(client, run_id, 180)
    assert body["status"] == "optimal", body
    assert body["kind"] == "run" and body["name"] == "week-basic"
    assert body["progress"] == 1.0 and body["attempts"] == 1 and body["error"] is None
    s = body["summary"]
    assert s["objective"] == pytest.approx(WEEK_BASIC["objective"], rel=1e-6)
    assert s["capacity_mw"]["solar"] == pytest.approx(80.0, rel=1e-6)
    assert s["total_cost"] == pytest.approx(WEEK_BASIC["total_cost"], rel=1e-6)


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_run_multipart_upload(client: TestClient, fmt: str) -> None:
    """week-basic with its profiles uploaded as CSV or Parquet (its YAML's series.file ignored)."""
    case = ACCEPTANCE / "week-basic"
    series = (case / "profiles.csv").read_bytes()
    if fmt == "parquet":
        buf = io.BytesIO()
        pd.read_csv(case / "profiles.csv", dtype={"timestamp": str}).to_parquet(buf)
        series = buf.getvalue()
    r = client.post(
        "/v1/runs",
        files={
            "scenario": ("scenario.yaml", (case / "scenario.yaml").read_bytes()),
            "series": (f"profiles.{fmt}", series),
            "options": (None, json.dumps({"report": False})),
        },
    )
    assert r.status_code == 202, r.text
    body = wait_for(client, r.json()["id"], 180)
    assert body["status"] == "optimal"
    assert body["summary"]["objective"] == pytest.approx(WEEK_BASIC["objective"], rel=1e-6)


def test_run_refusals(client: TestClient) -> None:
    bad = tiny_scenario()
    del bad["grid_offers"]
    r = client.post("/v1/runs", json={"scenario": bad})
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == "grid_offers"
    r = client.post("/v1/runs", json={"scenario": tiny_scenario(), "kind": "dance"})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "kind"
    r = client.post("/v1/runs", json={"scenario": tiny_scenario(), "options": {"speed": 1}})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "options.speed"
    r = client.post("/v1/runs", json={"scenario": tiny_scenario(), "options": {"cfe": "0.5"}})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "options.cfe"
    r = client.post("/v1/runs", json={"kind": "frontier", "scenario": tiny_scenario()})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "options.cfe"
    r = client.post("/v1/runs", content=b"{not json", headers={"content-type": "application/json"})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "body"
    r = client.post("/v1/runs", content=b"x", headers={"content-type": "text/plain"})
    assert r.status_code == 415
    assert client.get("/v1/runs").json()["total"] == 0


def test_body_above_the_limit_gets_413(make_client: AppFactory) -> None:
    client = make_client(max_body_bytes=4096)
    r = client.post("/v1/runs", json={"scenario": tiny_scenario(periods=2000)})
    assert r.status_code == 413
    assert "DCOPT_MAX_BODY_BYTES" in r.json()["detail"]

    def chunks() -> Any:  # no Content-Length: counted while it streams
        for _ in range(10):
            yield b" " * 1000

    r = client.post("/v1/runs", content=chunks(), headers={"content-type": "application/json"})
    assert r.status_code == 413
    r = client.post("/v1/runs", json={"scenario": tiny_scenario()})
    assert r.status_code == 202


# --- GET /v1/runs/{id}, GET /v1/runs -----------------------------------------------------------
def test_get_and_list_with_filters_and_pages(client: TestClient) -> None:
    ids = [submit(client, tiny_scenario(load_mw=float(i + 1))) for i in range(3)]
    for i, run_id in enumerate(ids):
        body = wait_for(client, run_id)
        assert body["status"] == "optimal"
        assert body["summary"]["objective"] == pytest.approx((i + 1) * 4 * 50.0)
    bad = tiny_scenario()
    bad["carbon"] = {"max_emissions_tco2": 1.0}  # 40 MWh at 0.4 t/MWh = 16 t > 1 t
    infeasible = submit(client, bad)
    body = wait_for(client, infeasible)
    assert body["status"] == "infeasible"
    assert body["error"]["code"] == "infeasible"
    assert "max_emissions_tco2" in body["error"]["message"]

    page = client.get("/v1/runs", params={"limit": 2}).json()
    assert page["total"] == 4 and len(page["items"]) == 2 and page["limit"] == 2
    assert page["items"][0]["id"] == infeasible  # newest first
    rest = client.get("/v1/runs", params={"limit": 2, "offset": 2}).json()
    assert [r["id"] for r in rest["items"]] == [ids[1], ids[0]]
    opt = client.get("/v1/runs", params={"status": "optimal"}).json()
    assert opt["total"] == 3 and infeasible not in {r["id"] for r in opt["items"]}
    assert client.get("/v1/runs", params={"kind": "compare"}).json()["total"] == 0
    assert client.get("/v1/runs", params={"status": "nope"}).status_code == 422
    assert client.get("/v1/runs", params={"limit": 0}).status_code == 422
    assert client.get("/v1/runs/nope").status_code == 404


# --- GET /v1/runs/{id}/dispatch and /report -------------------------------------------------
def test_dispatch_by_accept(client: TestClient) -> None:
    run_id = submit(client, tiny_scenario(load_mw=7.0))
    wait_for(client, run_id)
    r = client.get(f"/v1/runs/{run_id}/dispatch")
    assert r.status_code == 200 and r.headers["content-type"] == "application/json"
    body = r.json()
    assert body["timestamp"][0] == "2027-01-01T00:00:00+00:00"
    assert body["columns"]["grid_import_mw:utility"] == [7.0] * 4
    r = client.get(f"/v1/runs/{run_id}/dispatch", headers={"accept": "text/csv"})
    assert r.headers["content-type"].startswith("text/csv")
    frame = pd.read_csv(io.StringIO(r.text))
    assert list(frame["grid_import_mw:utility"]) == [7.0] * 4
    r = client.get(
        f"/v1/runs/{run_id}/dispatch",
        headers={"accept": "text/csv;q=0.5, application/vnd.apache.parquet"},
    )
    assert r.headers["content-type"] == "application/vnd.apache.parquet"
    frame = pd.read_parquet(io.BytesIO(r.content))
    assert list(frame["grid_import_mw:utility"]) == [7.0] * 4
    r = client.get(f"/v1/runs/{run_id}/dispatch", headers={"accept": "image/png"})
    assert r.status_code == 406


def test_report_and_not_finished_yet(client: TestClient) -> None:
    run_id = submit(client, tiny_scenario(), options={"report": True})
    early = client.get(f"/v1/runs/{run_id}/report")
    assert early.status_code in (200, 409)  # 409 while queued or running
    wait_for(client, run_id, 120)
    r = client.get(f"/v1/runs/{run_id}/report")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    assert "<html" in r.text.lower() and "tiny" in r.text
    no_report = submit(client, tiny_scenario(), options={"report": False})
    wait_for(client, no_report)
    assert client.get(f"/v1/runs/{no_report}/report").status_code == 404


# --- DELETE /v1/runs/{id} ----------------------------------------------------------------------
@pytest.fixture(scope="module")
def year_case() -> dict[str, Any]:
    return inline_case("year-cfe90")


def test_delete_cancels_running_and_queued_then_deletes(
    make_client: AppFactory, year_case: dict[str, Any]
) -> None:
    """A full-year job (≈40 s to solve) is cancelled while running: its process ends."""
    client = make_client(max_workers=1)
    runner = client.app.state.runner  # type: ignore[attr-defined]
    running = submit(client, year_case)
    queued = submit(client, tiny_scenario())
    deadline = time.monotonic() + 60
    while running not in runner.active:  # claimed and its process started
        assert time.monotonic() < deadline
        time.sleep(0.05)
    assert client.get(f"/v1/runs/{running}").json()["status"] == "running"
    process = runner.active[running].process
    pid = process.pid
    r = client.delete(f"/v1/runs/{queued}")
    assert r.status_code == 200 and r.json()["status"] == "cancelled"
    r = client.delete(f"/v1/runs/{running}")
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "cancelled" and r.json()["error"]["code"] == "cancelled"
    assert running not in runner.active
    assert not Path(f"/proc/{pid}").exists() or "zombie" in Path(f"/proc/{pid}/status").read_text()
    # finished (cancelled) runs are deleted, with their files
    job = runner.job_dir(running)
    assert job.is_dir()
    assert client.delete(f"/v1/runs/{running}").status_code == 204
    assert not job.exists()
    assert client.get(f"/v1/runs/{running}").status_code == 404
    assert client.delete(f"/v1/runs/{running}").status_code == 404
    # the cancelled queued job never ran
    assert client.get(f"/v1/runs/{queued}").json()["attempts"] == 0


def test_job_time_limit(make_client: AppFactory, year_case: dict[str, Any]) -> None:
    client = make_client(job_time_limit_seconds=1.0)
    run_id = submit(client, year_case)
    body = wait_for(client, run_id, 120)
    assert body["status"] == "failed"
    assert body["error"]["code"] == "time_limit"


# --- compare and frontier ------------------------------------------------------------------
def _with_wind(scenario: dict[str, Any]) -> dict[str, Any]:
    """Wind at 40/MWh delivering 0.5 MW per MW: 20 MW covers the 10 MW load, so the grid
    (50/MWh) is not used; objective 40 · 10 · 4 = 1600, the wind offer is worth 2000 − 1600."""
    scenario["ppa_offers"] = [
        {
            "name": "wind",
            "kind": "pay_as_produced",
            "profile": 0.5,
            "price_per_mwh": 40,
            "max_mw": 30,
        }
    ]
    return scenario


def test_compare_and_frontier_kinds(client: TestClient) -> None:
    cmp_id = submit(client, _with_wind(tiny_scenario()), kind="compare", options={})
    front_id = submit(
        client, _with_wind(tiny_scenario()), kind="frontier", options={"cfe": [0.5, 1.0]}
    )
    cmp = wait_for(client, cmp_id, 180)
    assert cmp["status"] == "optimal" and cmp["kind"] == "compare"
    assert cmp["summary"]["objective"] == pytest.approx(1600.0)
    items = {i["name"]: i for i in cmp["result"]["items"]}
    assert items["wind"]["value"] == pytest.approx(400.0)
    assert items["wind"]["chosen_mw"] == pytest.approx(20.0)
    front = wait_for(client, front_id, 180)
    assert front["status"] == "optimal"
    points = front["result"]["points"]
    assert [p["cfe_target"] for p in points] == [0.5, 1.0]
    assert [p["objective"] for p in points] == pytest.approx([1600.0, 1600.0])
    assert client.get(f"/v1/runs/{front_id}/report").status_code == 200


# --- GET /health and errors ------------------------------------------------------------------
def test_health(client: TestClient) -> None:
    r = client.get("/health")
    assert r.status_code == 200
    body = r.json()
    assert body["status"] == "ok" and body["database"] == "ok"
    assert body["workers"] == 2 and body["queued"] == 0
    assert set(body["kinds"]) == {"run", "compare", "frontier"}
    spec = client.get("/openapi.json").json()
    assert {"/v1/runs", "/v1/runs/{run_id}", "/v1/scenarios/validate", "/health"} <= set(
        spec["paths"]
    )
    assert set(spec["paths"]["/v1/runs"]["post"]["requestBody"]["content"]) == {
        "application/json",
        "multipart/form-data",
    }
    docs = client.get("/docs")
    assert docs.status_code == 200 and "swagger" in docs.text.lower()


def test_errors_never_leak_a_traceback(make_client: AppFactory, monkeypatch: Any) -> None:
    from api.routes import runs

    def boom(*_a: Any, **_k: Any) -> Any:
        raise RuntimeError("secret detail /srv/internal/path")

    monkeypatch.setattr(runs, "to_public", boom)
    client = make_client()
    client_no_raise = TestClient(client.app, raise_server_exceptions=False)
    run_id = submit(client, tiny_scenario())
    r = client_no_raise.get(f"/v1/runs/{run_id}")
    assert r.status_code == 500
    assert r.json()["detail"].startswith("internal error (reference ")
    assert "secret" not in r.text and "Traceback" not in r.text
