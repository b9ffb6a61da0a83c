"""The job runner: a dispatcher loop that starts one worker process per job.

The ``runs`` table is the queue. Each pass of the dispatcher (every
``poll_interval_seconds``, in a thread so that the event loop never waits on it):

1. reaps finished workers and turns their ``outcome.json`` into the job's final status;
   a worker past the job time limit is terminated and its job marked failed;
2. copies each running worker's ``progress.json`` into its record;
3. claims the oldest queued jobs (conditional UPDATE ``queued → running``) while fewer than
   ``max_workers`` run, and starts a process for each.

Workers come from a ``forkserver`` that has already imported the optimizer, so a job starts
in milliseconds and never inherits the server's threads. A process per job (rather than a
pool) lets DELETE stop a running solve by terminating its process.

On start, :meth:`JobRunner.recover` finds the jobs that were running when the server last
stopped: they are queued again (``interrupted_jobs=rerun``, up to ``max_attempts`` starts)
or marked failed with the reason. A clean shutdown puts its running jobs back in the queue.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import multiprocessing
import multiprocessing.context
import multiprocessing.forkserver
import os
import shutil
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import anyio
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, sessionmaker

from api.db import CANCELLED, FAILED, QUEUED, RUNNING, STATUSES, RunRecord, utcnow
from api.settings import Settings
from api.worker import OUTCOME, PROGRESS, run_job

log = logging.getLogger(__name__)

_CTX = multiprocessing.get_context("forkserver")
# The forkserver imports these once; every worker is a fork of it. A worker still runs the
# main script again when the server was started from one (multiprocessing's rule; its
# "__main__" preload does not prevent that on Python 3.11), so what the `dcopt` script
# imports, optimizer.cli, is preloaded too: the re-run then costs nothing.
_CTX.set_forkserver_preload(
    ["__main__", "api.worker", "optimizer.report", "optimizer.decisions.output", "optimizer.cli"]
)


@dataclass
class _Active:
    process: multiprocessing.process.BaseProcess
    started: float
    deadline: float
    progress_mtime: float = 0.0


class JobRunner:
    """Starts, watches, cancels and finalises jobs; the DB rows are its only queue."""

    def __init__(self, settings: Settings, factory: sessionmaker[Session]) -> None:
        self.settings = settings
        self.factory = factory
        self.active: dict[str, _Active] = {}
        self.lock = threading.Lock()
        self._stopping = False

    # --- paths -----------------------------------------------------------------------------
    def job_dir(self, run_id: str) -> Path:
        return self.settings.jobs_dir / run_id

    # --- start-up and shut-down --------------------------------------------------------------
    def warm_up(self) -> None:
        """Start the forkserver (it imports the optimizer once) before the first job."""
        multiprocessing.forkserver.ensure_running()

    def recover(self) -> int:
        """Deal with jobs left ``running`` by a server that stopped; returns how many."""
        policy, limit = self.settings.interrupted_jobs, self.settings.max_attempts
        n = 0
        with self.factory() as s:
            stale = s.scalars(select(RunRecord).where(RunRecord.status == RUNNING)).all()
            for rec in stale:
                n += 1
                if policy == "rerun" and rec.attempts < limit:
                    note = (
                        f"interrupted by a server stop during attempt {rec.attempts}; "
                        f"queued again (at most {limit} attempts)"
                    )
                    s.execute(
                        update(RunRecord)
                        .where(RunRecord.id == rec.id, RunRecord.status == RUNNING)
                        .values(status=QUEUED, progress=0.0, stage="queued", note=note)
                    )
                    log.warning("run %s: %s", rec.id, note)
                else:
                    reason = (
                        f"the server stopped while this job was running (attempt {rec.attempts}"
                        f" of at most {limit}); not run again"
                        if policy == "rerun"
                        else "the server stopped while this job was running; "
                        "interrupted jobs are not run again (DCOPT_INTERRUPTED_JOBS=fail)"
                    )
                    s.execute(
                        update(RunRecord)
                        .where(RunRecord.id == rec.id, RunRecord.status == RUNNING)
                        .values(
                            status=FAILED,
                            finished_at=utcnow(),
                            error={"code": "interrupted", "message": reason},
                        )
                    )
                    log.warning("run %s: %s", rec.id, reason)
            s.commit()
        return n

    def shutdown(self) -> None:
        """Stop every worker; their jobs go back to the queue (this stop is not an attempt)."""
        with self.lock:
            self._stopping = True
            ids = list(self.active)
            for run_id in ids:
                self._terminate(self.active.pop(run_id).process)
            if ids:
                with self.factory() as s:
                    s.execute(
                        update(RunRecord)
                        .where(RunRecord.id.in_(ids), RunRecord.status == RUNNING)
                        .values(
                            status=QUEUED,
                            attempts=RunRecord.attempts - 1,
                            progress=0.0,
                            stage="queued",
                            note="the server stopped; queued again",
                        )
                    )
                    s.commit()
                log.info("shutdown: %d running jobs queued again", len(ids))

    async def run_forever(self) -> None:
        """The dispatcher loop (an asyncio task started in the app's lifespan)."""
        while True:
            try:
                await anyio.to_thread.run_sync(self.tick)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("dispatcher pass failed; trying again")
            await asyncio.sleep(self.settings.poll_interval_seconds)

    # --- one pass ----------------------------------------------------------------------------
    def tick(self) -> None:
        with self.lock:
            if self._stopping:
                return
            now = time.monotonic()
            for run_id, act in list(self.active.items()):
                if not act.process.is_alive():
                    del self.active[run_id]
                    self._finalise(run_id, act)
                elif now > act.deadline:
                    del self.active[run_id]
                    self._terminate(act.process)
                    limit = self.settings.job_time_limit_seconds
                    self._finish(
                        run_id,
                        FAILED,
                        None,
                        {
                            "code": "time_limit",
                            "message": f"the job time limit of {limit:g} s ran out",
                        },
                    )
                else:
                    self._progress(run_id, act)
            free = self.settings.max_workers - len(self.active)
            if free > 0:
                self._start_queued(free)

    def _start_queued(self, free: int) -> None:
        with self.factory() as s:
            candidates = s.execute(
                select(RunRecord.id, RunRecord.kind, RunRecord.options)
                .where(RunRecord.status == QUEUED)
                .order_by(RunRecord.created_at, RunRecord.id)
                .limit(free)
            ).all()
            for run_id, kind, options in candidates:
                claimed = s.execute(
                    update(RunRecord)
                    .where(RunRecord.id == run_id, RunRecord.status == QUEUED)
                    .values(
                        status=RUNNING,
                        started_at=utcnow(),
                        attempts=RunRecord.attempts + 1,
                        progress=0.0,
                        stage="starting",
                    )
                )
                s.commit()
                if claimed.rowcount != 1:  # type: ignore[attr-defined]
                    continue
                try:
                    self._spawn(run_id, kind, dict(options or {}))
                except Exception as exc:
                    log.exception("run %s: could not start a worker", run_id)
                    self._finish(
                        run_id,
                        FAILED,
                        None,
                        {
                            "code": "internal",
                            "message": f"could not start a worker ({type(exc).__name__})",
                        },
                    )

    def _spawn(self, run_id: str, kind: str, options: dict[str, Any]) -> None:
        job = self.job_dir(run_id)
        for leftover in (OUTCOME, PROGRESS):
            (job / leftover).unlink(missing_ok=True)
        limit = float(self.settings.job_time_limit_seconds)
        solve = dict(options.get("solve") or {})
        asked = solve.get("time_limit_seconds")
        solve["time_limit_seconds"] = min(float(asked), limit) if asked else limit
        options = {**options, "solve": solve}
        proc = _CTX.Process(
            target=run_job,
            args=(str(job), kind, options, os.getpid()),
            name=f"dcopt-job-{run_id}",
        )
        proc.start()
        now = time.monotonic()
        self.active[run_id] = _Active(proc, now, now + limit * 1.05 + 5.0)
        log.info("run %s (%s) started in process %s", run_id, kind, proc.pid)

    def _progress(self, run_id: str, act: _Active) -> None:
        path = self.job_dir(run_id) / PROGRESS
        try:
            mtime = path.stat().st_mtime
            if mtime == act.progress_mtime:
                return
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return
        act.progress_mtime = mtime
        with self.factory() as s:
            s.execute(
                update(RunRecord)
                .where(RunRecord.id == run_id, RunRecord.status == RUNNING)
                .values(
                    progress=float(data.get("progress", 0.0)),
                    stage=str(data.get("stage", ""))[:200],
                )
            )
            s.commit()

    def _finalise(self, run_id: str, act: _Active) -> None:
        code = act.process.exitcode
        act.process.join(timeout=1)
        act.process.close()
        path = self.job_dir(run_id) / OUTCOME
        try:
            outcome = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            self._finish(
                run_id,
                FAILED,
                None,
                {
                    "code": "worker",
                    "message": f"the worker process ended without a result (exit code {code})",
                },
            )
            return
        status = outcome.get("status")
        if status not in STATUSES:
            status = FAILED
        self._finish(
            run_id, status, outcome.get("summary"), outcome.get("error"), outcome.get("result")
        )

    def _finish(
        self,
        run_id: str,
        status: str,
        summary: dict[str, Any] | None,
        error: dict[str, Any] | None,
        result: dict[str, Any] | None = None,
    ) -> None:
        with self.factory() as s:
            s.execute(
                update(RunRecord)
                .where(RunRecord.id == run_id, RunRecord.status == RUNNING)
                .values(
                    status=status,
                    summary=summary,
                    result=result,
                    error=error,
                    finished_at=utcnow(),
                    progress=1.0,
                    stage="done",
                )
            )
            s.commit()
        log.info("run %s finished: %s", run_id, status)

    @staticmethod
    def _terminate(proc: multiprocessing.process.BaseProcess) -> None:
        if proc.is_alive():
            proc.terminate()
            proc.join(timeout=5)
            if proc.is_alive():
                proc.kill()
                proc.join(timeout=5)
        with contextlib.suppress(ValueError):
            proc.close()

    # --- requests from the routes ------------------------------------------------------------
    def cancel(self, run_id: str) -> bool:
        """Cancel a queued or running job; False when it was no longer queued or running."""
        with self.lock:
            with self.factory() as s:
                done = s.execute(
                    update(RunRecord)
                    .where(RunRecord.id == run_id, RunRecord.status.in_((QUEUED, RUNNING)))
                    .values(
                        status=CANCELLED,
                        finished_at=utcnow(),
                        stage="cancelled",
                        error={"code": "cancelled", "message": "cancelled by DELETE"},
                    )
                )
                s.commit()
            if done.rowcount != 1:  # type: ignore[attr-defined]
                return False
            act = self.active.pop(run_id, None)
            if act is not None:
                self._terminate(act.process)
                log.info("run %s: worker terminated (cancelled)", run_id)
        return True

    def delete_files(self, run_id: str) -> None:
        shutil.rmtree(self.job_dir(run_id), ignore_errors=True)

    def counts(self) -> dict[str, int]:
        with self.factory() as s:
            rows = s.execute(
                select(RunRecord.status, func.count()).group_by(RunRecord.status)
            ).all()
        return {str(k): int(v) for k, v in rows}
