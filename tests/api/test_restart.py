"""Kill a real server (SIGKILL) with jobs queued and running, start it again: every accepted
job is accounted for. On SQLite and on a real PostgreSQL server."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from api.db import RunRecord, make_engine, session_factory
from tests.api.conftest import inline_case
from tests.api.live import LiveServer, wait_all
from tests.conftest import ACCEPTANCE

EXPECTED = json.loads((ACCEPTANCE / "week-basic" / "expected.json").read_text())


def test_restart_finds_every_job(database_url: str, tmp_path: Path) -> None:
    server = LiveServer(tmp_path / "data", database_url, max_workers=1)
    server.start()
    scenario = inline_case("week-basic")
    ids: list[str] = []
    try:
        with server.client() as c:
            # the first job writes its report (seconds), so it is still running while the
            # others (no report, well under a second each) wait behind it
            for i in range(4):
                options = {"report": i == 0}
                r = c.post("/v1/runs", json={"scenario": scenario, "options": options})
                assert r.status_code == 202, r.text
                ids.append(r.json()["id"])
            deadline = time.monotonic() + 120
            while True:  # kill while one job runs and the others wait
                statuses = [c.get(f"/v1/runs/{i}").json()["status"] for i in ids]
                if "running" in statuses and "queued" in statuses:
                    break
                assert time.monotonic() < deadline, statuses
                time.sleep(0.1)
        server.kill()
    except BaseException:
        server.kill()
        raise

    t_restart = time.monotonic()
    engine = make_engine(server.database_url or "")
    with session_factory(engine)() as s:
        at_kill = {r.id: (r.status, r.attempts) for r in s.query(RunRecord).all()}
    engine.dispose()
    assert set(at_kill) == set(ids)
    interrupted = [i for i, (st, _) in at_kill.items() if st == "running"]
    assert interrupted and any(st == "queued" for st, _ in at_kill.values())

    server.start()
    try:
        with server.client() as c:
            done = wait_all(c, ids, 600)
            listed = c.get("/v1/runs", params={"limit": 100}).json()
    finally:
        server.stop()
    print(f"after the restart every job finished in {time.monotonic() - t_restart:.1f} s")
    assert listed["total"] == len(ids)
    for run_id in ids:
        body = done[run_id]
        assert body["status"] == "optimal", body
        assert body["summary"]["objective"] == pytest.approx(EXPECTED["objective"], rel=1e-6)
    for run_id in interrupted:  # ran again, and says why
        assert done[run_id]["attempts"] == at_kill[run_id][1] + 1
        assert "interrupted by a server stop" in (done[run_id]["note"] or "")
