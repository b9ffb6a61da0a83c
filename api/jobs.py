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

Creating a job is atomic with respect to a server kill (:meth:`JobRunner.stage`,
:meth:`JobRunner.commit`): its input is written in ``incoming/<id>/``, then ``job.json`` (the
record's fields) is written, the folder is renamed into ``jobs/``, and only then the record is
committed. :meth:`JobRunner.sweep`, before ``recover`` at start, settles what a kill left: a
folder with ``job.json`` and no record becomes a queued job; a folder cut off before its
``job.json`` is moved to ``incomplete/`` and logged (never deleted: the client never got an
id for it); a folder in ``trash/`` (a DELETE cut off) is deleted with its record. An
``Idempotency-Key`` is a file in ``idempotency/`` naming the run it created
(:class:`IdempotencyKeys`).
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import hashlib
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
from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session, sessionmaker

from api.db import CANCELLED, FAILED, QUEUED, RUNNING, STATUSES, RunRecord, utcnow
from api.settings import Settings
from api.worker import INPUT, OUTCOME, PROGRESS, run_job

log = logging.getLogger(__name__)

JOB_META = "job.json"
"""Written last into a staged job folder: the record's fields, so a job can be recorded again."""

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

    def staging_dir(self, run_id: str) -> Path:
        return self.settings.incoming_dir / run_id

    def being_created(self, run_id: str) -> bool:
        """Whether a folder of ``run_id`` exists (staged or committed)."""
        return self.staging_dir(run_id).exists() or self.job_dir(run_id).exists()

    # --- creating jobs -----------------------------------------------------------------------
    def stage(self, run_id: str) -> Path:
        """A new, empty input folder for a job being accepted (``incoming/<id>/input``)."""
        input_dir = self.staging_dir(run_id) / INPUT
        input_dir.mkdir(parents=True)
        return input_dir

    def commit(self, meta: dict[str, Any]) -> RunRecord:
        """Record a staged job: ``job.json``, rename into ``jobs/``, then the record.

        ``meta`` holds the record's fields (``id``, ``kind``, ``owner``, ``name``, ``options``)
        and, for the sweep, ``created_at`` and ``idempotency_file``.
        """
        run_id = str(meta["id"])
        staged = self.staging_dir(run_id)
        _write_json_atomic(staged / JOB_META, meta)
        _fsync_dir(staged)
        os.replace(staged, self.job_dir(run_id))
        rec = _record(meta)
        with self.factory() as s:
            s.add(rec)
            s.commit()
        return rec

    def discard(self, run_id: str) -> None:
        """Remove a refused submission's folders (it has no record; the client got a 4xx)."""
        shutil.rmtree(self.staging_dir(run_id), ignore_errors=True)
        with self.factory() as s:
            recorded = s.get(RunRecord, run_id) is not None
        if not recorded:
            shutil.rmtree(self.job_dir(run_id), ignore_errors=True)

    def sweep(self) -> dict[str, int]:
        """Settle what a server kill left between a job's folder and its record (see the module
        docstring); returns how many folders of each kind were handled."""
        st = self.settings
        counts = {"recorded": 0, "kept_incomplete": 0, "deleted": 0}
        for folder in _children(st.trash_dir):
            with self.factory() as s:
                s.execute(delete(RunRecord).where(RunRecord.id == folder.name))
                s.commit()
            shutil.rmtree(folder, ignore_errors=True)
            counts["deleted"] += 1
            log.warning("run %s: a DELETE was cut off by a server stop; finished now", folder.name)
        for folder in _children(st.incoming_dir):
            if _read_meta(folder) is not None and not self.job_dir(folder.name).exists():
                os.replace(folder, self.job_dir(folder.name))
            else:
                self._keep_incomplete(folder)
                counts["kept_incomplete"] += 1
        folders = {f.name: f for f in _children(st.jobs_dir)}
        known: set[str] = set()
        names = sorted(folders)
        with self.factory() as s:
            for i in range(0, len(names), 500):
                chunk = names[i : i + 500]
                known.update(s.scalars(select(RunRecord.id).where(RunRecord.id.in_(chunk))))
        for name in names:
            if name in known:
                continue
            meta = _read_meta(folders[name])
            if meta is None or str(meta.get("id")) != name:
                self._keep_incomplete(folders[name])
                counts["kept_incomplete"] += 1
                continue
            rec = _record(meta)
            rec.note = (
                "recorded at server start: the server stopped after saving this submission "
                "and before answering it"
            )
            with self.factory() as s:
                s.add(rec)
                s.commit()
            counts["recorded"] += 1
            log.warning("run %s: submission saved but not recorded before a stop; queued", name)
        IdempotencyKeys(st).forget_unrecorded(self.factory, self)
        return counts

    def _keep_incomplete(self, folder: Path) -> None:
        target = self.settings.incomplete_dir / folder.name
        target.parent.mkdir(parents=True, exist_ok=True)
        if target.exists():
            target = target.with_name(f"{folder.name}-{int(time.time())}")
        os.replace(folder, target)
        files = sorted(str(p.relative_to(target)) for p in target.rglob("*") if p.is_file())
        log.warning(
            "submission %s was cut off by a server stop before it was complete (never "
            "acknowledged); its files are kept in %s: %s",
            folder.name,
            target,
            ", ".join(files) or "no files",
        )

    # --- start-up and shut-down --------------------------------------------------------------
    def warm_up(self) -> None:
        """Start the forkserver (it imports the optimizer once) before the first job."""
        multiprocessing.forkserver.ensure_running()

    def recover(self) -> int:
        """Deal with jobs left ``running`` by a server that stopped; returns how many.

        First :meth:`sweep` settles submissions and deletions a stop cut off."""
        swept = self.sweep()
        if any(swept.values()):
            log.warning("start-up sweep of job folders: %s", swept)
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

    def trash(self, run_id: str) -> Path | None:
        """Move a job's folder to ``trash/`` (the first step of DELETE); its path there."""
        source = self.job_dir(run_id)
        if not source.exists():
            return None
        target = self.settings.trash_dir / run_id
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.rmtree(target, ignore_errors=True)
        os.replace(source, target)
        return target

    def idempotency_file(self, path: Path | None) -> str | None:
        """The ``idempotency_file`` a job folder's ``job.json`` names, if any."""
        meta = _read_meta(path) if path is not None else None
        value = meta.get("idempotency_file") if meta else None
        return str(value) if value else None

    def counts(self) -> dict[str, int]:
        with self.factory() as s:
            rows = s.execute(
                select(RunRecord.status, func.count()).group_by(RunRecord.status)
            ).all()
        return {str(k): int(v) for k, v in rows}


# --- helpers of job creation -----------------------------------------------------------------
def _children(folder: Path) -> list[Path]:
    try:
        return sorted(p for p in folder.iterdir() if p.is_dir() and not p.name.startswith("."))
    except FileNotFoundError:
        return []


def _write_json_atomic(path: Path, data: Any) -> None:
    tmp = path.with_name(path.name + ".tmp")
    with tmp.open("w", encoding="utf-8") as fh:
        json.dump(data, fh)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


def _fsync_dir(folder: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _read_meta(folder: Path) -> dict[str, Any] | None:
    try:
        meta = json.loads((folder / JOB_META).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return meta if isinstance(meta, dict) and meta.get("id") else None


def _record(meta: dict[str, Any]) -> RunRecord:
    created = meta.get("created_at")
    try:
        created_at = dt.datetime.fromisoformat(str(created)) if created else utcnow()
    except ValueError:
        created_at = utcnow()
    if created_at.tzinfo is None:
        created_at = created_at.replace(tzinfo=dt.UTC)
    return RunRecord(
        id=str(meta["id"]),
        kind=str(meta.get("kind", "run")),
        status=QUEUED,
        owner=meta.get("owner"),
        name=str(meta.get("name", ""))[:200],
        options=dict(meta.get("options") or {}),
        stage="queued",
        created_at=created_at,
    )


class IdempotencyKeys:
    """``Idempotency-Key`` → the run it created, one file per key and owner.

    A key file is made with ``os.link`` of a finished temporary file, so it appears whole or
    not at all, and two requests can never both claim a key. It holds the run id and a hash
    of the request (kind, scenario, options and upload), so a retry of the same request finds
    its run and a different request with the same key is refused.
    """

    def __init__(self, settings: Settings) -> None:
        self.folder = settings.idempotency_dir

    @staticmethod
    def file_name(owner: str | None, key: str) -> str:
        return hashlib.sha256(f"{owner or ''}\n{key}".encode()).hexdigest() + ".json"

    def claim(self, name: str, run_id: str, request_hash: str) -> dict[str, Any] | None:
        """Claim a key for ``run_id``: ``None`` when claimed, else the existing claim."""
        self.folder.mkdir(parents=True, exist_ok=True)
        path = self.folder / name
        tmp = self.folder / f".{name}.{run_id}.tmp"
        tmp.write_text(json.dumps({"id": run_id, "request": request_hash}), encoding="utf-8")
        try:
            os.link(tmp, path)
            return None
        except FileExistsError:
            return self.read(name) or {"id": "", "request": ""}
        finally:
            tmp.unlink(missing_ok=True)

    def read(self, name: str) -> dict[str, Any] | None:
        try:
            data = json.loads((self.folder / name).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return data if isinstance(data, dict) else None

    def release(self, name: str, run_id: str) -> None:
        """Drop a claim, if it is still ``run_id``'s."""
        current = self.read(name)
        if current is not None and current.get("id") == run_id:
            (self.folder / name).unlink(missing_ok=True)

    def forget_unrecorded(self, factory: sessionmaker[Session], runner: JobRunner) -> None:
        """At start: drop claims whose run was never recorded and has no folder."""
        if not self.folder.is_dir():
            return
        for path in sorted(self.folder.glob("*.json")):
            claim = self.read(path.name)
            run_id = str((claim or {}).get("id", ""))
            with factory() as s:
                recorded = bool(run_id) and s.get(RunRecord, run_id) is not None
            if not recorded and not (run_id and runner.being_created(run_id)):
                path.unlink(missing_ok=True)
                log.info("idempotency key of unrecorded run %s forgotten", run_id or "?")
        for tmp in self.folder.glob(".*.tmp"):
            tmp.unlink(missing_ok=True)
