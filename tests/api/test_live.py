"""Against a real ``dcopt serve`` (uvicorn, worker processes): the numbers equal those of
``dcopt run``, 50 concurrent submissions all complete, and schemathesis finds no 5xx."""

from __future__ import annotations

import io
import json
import subprocess
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import hypothesis
import hypothesis.errors
import pandas as pd
import pytest
import schemathesis
from schemathesis import GenerationMode

from tests.api.conftest import inline_case, tiny_scenario
from tests.api.live import DCOPT, LiveServer, wait_all
from tests.conftest import ACCEPTANCE


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    root = tmp_path_factory.mktemp("live")
    server = LiveServer(root / "data", max_workers=2).start()
    yield server
    server.stop()


def test_real_server_numbers_equal_dcopt_run(live: LiveServer, tmp_path: Path) -> None:
    """week-basic through HTTP (series inline) and through `dcopt run` (its CSV): the same LP,
    so the same numbers (to rounding of the JSON round trip)."""
    cli_out = tmp_path / "cli"
    subprocess.run(
        [
            str(DCOPT),
            "run",
            str(ACCEPTANCE / "week-basic" / "scenario.yaml"),
            "--out",
            str(cli_out),
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    cli = json.loads((cli_out / "summary.json").read_text())
    with live.client() as c:
        r = c.post("/v1/runs", json={"scenario": inline_case("week-basic")})
        assert r.status_code == 202, r.text
        run_id = r.json()["id"]
        api = wait_all(c, [run_id], 300)[run_id]
        assert api["status"] == "optimal"
        s = api["summary"]
        for key in ("objective", "total_cost", "cfe_score", "served_load_mwh"):
            assert s[key] == pytest.approx(cli[key], rel=1e-9), key
        for key in ("capacity_mw", "storage_mwh", "grid_import_mwh", "emissions_tco2"):
            assert s[key].keys() == cli[key].keys()
            for name in cli[key]:
                assert s[key][name] == pytest.approx(cli[key][name], rel=1e-9, abs=1e-9)
        parquet = c.get(
            f"/v1/runs/{run_id}/dispatch", headers={"Accept": "application/vnd.apache.parquet"}
        )
        assert parquet.status_code == 200
        got = pd.read_parquet(io.BytesIO(parquet.content))
        want = pd.read_parquet(cli_out / "dispatch.parquet")
        pd.testing.assert_frame_equal(got, want, check_exact=False, rtol=1e-9, atol=1e-9)
        report = c.get(f"/v1/runs/{run_id}/report")
        assert report.status_code == 200 and "week-basic" in report.text


def test_fifty_concurrent_submissions_all_complete(live: LiveServer) -> None:
    """50 tiny runs posted from 10 threads at once; run i buys (i+1) MW for 4 h at 50/MWh,
    so its objective is (i+1)·4·50 by hand."""

    def post(i: int) -> tuple[int, str]:
        with live.client() as c:
            r = c.post(
                "/v1/runs",
                json={"scenario": tiny_scenario(load_mw=i + 1.0), "options": {"report": False}},
            )
            assert r.status_code == 202, r.text
            return i, str(r.json()["id"])

    with ThreadPoolExecutor(max_workers=10) as pool:
        ids = dict(pool.map(post, range(50)))
    assert len(set(ids.values())) == 50
    with live.client() as c:
        busiest = 0
        for _ in range(10):  # never more workers at once than DCOPT_MAX_WORKERS
            busiest = max(busiest, c.get("/health").json()["running"])
            time.sleep(0.1)
        assert busiest <= 2
        done = wait_all(c, list(ids.values()), 600)
    for i, run_id in ids.items():
        assert done[run_id]["status"] == "optimal", done[run_id]
        assert done[run_id]["summary"]["objective"] == pytest.approx((i + 1) * 4 * 50.0)


def _fuzz(op: Any, mode: GenerationMode, media_type: str | None, failures: list[str]) -> bool:
    """Up to 10 generated requests to one operation; False when no input of the mode exists."""

    @hypothesis.given(case=op.as_strategy(generation_mode=mode, media_type=media_type))
    @hypothesis.settings(
        max_examples=10,
        deadline=None,
        suppress_health_check=list(hypothesis.HealthCheck),
        derandomize=True,
        database=None,
        phases=[hypothesis.Phase.explicit, hypothesis.Phase.generate],
    )
    def call(case: Any) -> None:
        response = case.call(timeout=60)
        if response.status_code >= 500:
            failures.append(
                f"{case.method} {case.formatted_path} ({media_type}, {mode.value}): "
                f"{response.status_code} {response.text[:200]}"
            )

    try:
        call()
    except hypothesis.errors.Unsatisfiable:
        return False  # no invalid input exists (e.g. GET /health has no parameters)
    return True


def test_openapi_no_server_errors(live: LiveServer) -> None:
    """schemathesis against /openapi.json: for every operation and request media type,
    valid and invalid inputs (bounded: 10 examples each, fixed seed), never a 5xx."""
    api = schemathesis.openapi.from_url(live.url + "/openapi.json")
    failures: list[str] = []
    checked = 0
    for found in api.get_all_operations():
        op = found.ok()
        media: list[str | None] = [b.media_type for b in op.body] or [None]
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            for media_type in media:
                checked += _fuzz(op, mode, media_type, failures)
    assert checked >= 14, checked  # 7 operations, valid and invalid (+ multipart bodies)
    assert failures == []
