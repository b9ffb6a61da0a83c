"""Restart recovery on the job table, against SQLite and a real PostgreSQL server.

Rows are written as a stopped server would have left them; ``JobRunner.recover`` must account
for every one: queued rows stay queued, running rows are queued again (``rerun``, within
``max_attempts``) or failed with the reason (``fail``), finished rows are untouched.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from api.db import RunRecord, init_db, make_engine, session_factory
from api.jobs import JobRunner
from api.settings import Settings


@pytest.mark.parametrize("policy", ["rerun", "fail"])
def test_recover_accounts_for_every_job(database_url: str, tmp_path: Path, policy: str) -> None:
    engine = make_engine(database_url)
    init_db(engine)
    factory = session_factory(engine)
    rows = {
        "q": ("queued", 0),
        "r1": ("running", 1),
        "r2": ("running", 2),  # already at max_attempts=2
        "done": ("optimal", 1),
    }
    with factory() as s:
        for run_id, (status, attempts) in rows.items():
            s.add(RunRecord(id=run_id, kind="run", status=status, attempts=attempts, options={}))
        s.commit()
    settings = Settings(
        data_dir=tmp_path, database_url=database_url, interrupted_jobs=policy, max_attempts=2
    )
    runner = JobRunner(settings, factory)
    assert runner.recover() == 2
    with factory() as s:
        got = {r.id: r for r in s.query(RunRecord).all()}
    engine.dispose()
    assert set(got) == set(rows)  # none disappears
    assert got["q"].status == "queued"
    assert got["done"].status == "optimal"
    if policy == "rerun":
        assert got["r1"].status == "queued"
        assert "interrupted" in (got["r1"].note or "")
        assert got["r2"].status == "failed"
        assert got["r2"].error is not None and got["r2"].error["code"] == "interrupted"
    else:
        for run_id in ("r1", "r2"):
            assert got[run_id].status == "failed"
            assert got[run_id].error is not None
            assert "DCOPT_INTERRUPTED_JOBS=fail" in got[run_id].error["message"]
    assert got["r2"].finished_at is not None and got["r2"].finished_at.tzinfo is not None
