"""Plan and run a batch: skip finished cases, fan the rest out to an executor, write each
case's outputs atomically as it arrives, then results.parquet, the summary and its plot.

Executors (the same :func:`~optimizer.batch.worker.run_case` on all of them):

- ``workers == 1`` and no scheduler: in this process, one case after the other;
- local: :class:`concurrent.futures.ProcessPoolExecutor` of ``workers`` processes
  (default: the machine's cores), each solve on ``cores // workers`` HiGHS threads (so
  workers × threads ≤ cores; in this process a solve gets every core). The same pool first
  validates the cases (:func:`plan_batch`) and then solves them (:func:`run_plan`);
- ``scheduler``: a Dask distributed cluster through ``dask.distributed.Client(address)``
  and its ``concurrent.futures`` executor (``client.get_executor``).

A case is **finished** when ``cases/<case_id>/summary.json`` is complete and records the
case's current scenario hash; finished cases are not solved again. With
``retry_failed=True`` those that ended ``time_limit``, ``error`` or ``failed`` are.
"""

from __future__ import annotations

import concurrent.futures as cf
import contextlib
import json
import logging
import multiprocessing
import os
import shutil
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures.process import BrokenProcessPool
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from optimizer.batch.cases import PreparedCase, prepare_cases
from optimizer.batch.summary import (
    import_matplotlib,
    results_frame,
    summary_text,
    write_summary_plot,
)
from optimizer.batch.sweep import Sweep, read_sweep
from optimizer.batch.timing import Phases
from optimizer.batch.worker import (
    BATCH_KEY,
    CaseOutcome,
    CaseTask,
    failed_outcome,
    forget_validated,
    init_worker,
    run_case,
    warm,
)
from optimizer.errors import DcoptError
from optimizer.results import write_summary

log = logging.getLogger(__name__)

RETRYABLE = frozenset({"time_limit", "error", "failed"})
"""Statuses that ``retry_failed`` solves again; optimal and infeasible are answers."""

CASES = "cases"
RESULTS = "results.parquet"

ProgressCallback = Callable[[CaseOutcome, int, int], None]
"""Called in the coordinating process after each case is written: (outcome, done, total)."""


class BatchInterrupted(KeyboardInterrupt):
    """Ctrl-C during a batch: finished cases are on disk, results.parquet lists them."""

    def __init__(self, finished: int, total: int, results: pd.DataFrame) -> None:
        super().__init__(f"interrupted: {finished} of {total} cases finished")
        self.finished = finished
        self.total = total
        self.results = results


@dataclass
class BatchPlan:
    """What a batch will do: every case, the finished ones (summaries read back), the rest."""

    sweep: Sweep
    out_dir: Path
    cases: list[PreparedCase]
    finished: dict[str, dict[str, Any]] = field(default_factory=dict)
    to_run: list[PreparedCase] = field(default_factory=list)
    retried: int = 0
    """Cases that had finished with a retryable status and run again (``retry_failed``)."""
    pool: cf.ProcessPoolExecutor | None = field(default=None, repr=False, compare=False)
    """The local pool that validated the cases, kept warm for their solves: :func:`run_plan`
    takes it over (and shuts it down); :meth:`close` when the plan is not run."""
    pool_workers: int = 0
    phases: Phases = field(default_factory=Phases, repr=False, compare=False)
    """Wall and CPU seconds of this process per phase (:mod:`optimizer.batch.timing`),
    filled by :func:`plan_batch` and :func:`run_plan`."""

    def close(self) -> None:
        """Shut down the kept worker pool (if any), drop the problems kept here."""
        forget_validated()
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)
            self.pool = None


def read_finished(case_dir: Path, scenario_hash: str) -> dict[str, Any] | None:
    """The summary of a finished case, or None (missing, incomplete or stale)."""
    path = case_dir / "summary.json"
    try:
        summary = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(summary, dict) or not isinstance(summary.get("status"), str):
        return None
    record = summary.get(BATCH_KEY)
    if not isinstance(record, dict) or record.get("scenario_hash") != scenario_hash:
        return None
    return summary


def _clean_leftovers(cases_dir: Path) -> None:
    """Remove half-written case folders of a run that was killed."""
    if not cases_dir.is_dir():
        return
    for p in cases_dir.iterdir():
        if p.is_dir() and p.name.startswith((".tmp-", ".old-")):
            log.info("removing leftover %s", p)
            shutil.rmtree(p, ignore_errors=True)


def plan_batch(
    sweep: Sweep | str | Path,
    out_dir: str | Path,
    retry_failed: bool = False,
    workers: int | None = None,
) -> BatchPlan:
    """Read the sweep, validate every case (one ScenarioError listing all invalid cases) and
    find the cases already finished in ``out_dir``. Validation runs here, on ``workers``
    local processes (default: the machine's cores), also when the solves go to Dask."""
    phases = Phases()
    with phases.time("read sweep"):
        sw = sweep if isinstance(sweep, Sweep) else read_sweep(sweep)
    n = min(_local_workers(workers), len(sw.cases))
    pool: cf.ProcessPoolExecutor | None = None
    if n > 1:
        with phases.time("pool start"):
            pool = _start_pool(n)
        try:
            with phases.time("validate"):
                cases = prepare_cases(sw, pool, chunks=2 * n, keep=True)
        except BaseException:
            _stop_pool(pool)
            raise
    else:
        with phases.time("validate"):
            cases = prepare_cases(sw, keep=True)
    out = Path(out_dir)
    plan = BatchPlan(
        sw, out, cases, pool=pool, pool_workers=n if pool is not None else 0, phases=phases
    )
    cases_dir = out / CASES
    with phases.time("resume check"):
        _clean_leftovers(cases_dir)
        for case in cases:
            summary = read_finished(cases_dir / case.case_id, case.scenario_hash)
            if summary is not None and retry_failed and summary["status"] in RETRYABLE:
                plan.retried += 1
                summary = None
            if summary is None:
                plan.to_run.append(case)
            else:
                plan.finished[case.case_id] = summary
    log.info(
        "%d cases: %d finished earlier, %d to solve",
        len(cases),
        len(plan.finished),
        len(plan.to_run),
    )
    if not plan.to_run:
        plan.close()
    return plan


def write_case(cases_dir: Path, outcome: CaseOutcome) -> Path:
    """Write a case's outputs into ``cases/<case_id>`` atomically (temp folder, rename)."""
    cases_dir.mkdir(parents=True, exist_ok=True)
    tag = uuid.uuid4().hex[:8]
    tmp = cases_dir / f".tmp-{outcome.case_id}-{tag}"
    tmp.mkdir()
    for name, content in outcome.files.items():
        (tmp / name).write_bytes(content)
    if "summary.json" not in outcome.files:
        write_summary(outcome.summary, tmp / "summary.json")
    final = cases_dir / outcome.case_id
    old: Path | None = None
    if final.exists():
        old = cases_dir / f".old-{outcome.case_id}-{tag}"
        final.rename(old)
    tmp.rename(final)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
    return final


def _task(
    case: PreparedCase, write_report: bool, time_limit: float | None, threads: int = 1
) -> CaseTask:
    return CaseTask(
        case_id=case.case_id,
        scenario=case.scenario,
        base_dir=str(case.base_dir),
        scenario_hash=case.scenario_hash,
        overrides=dict(case.spec.overrides),
        files=tuple((f.section, f.sha256, f.suffix) for f in case.files),
        write_report=write_report,
        threads=threads,
        time_limit_seconds=time_limit,
    )


def _local_workers(workers: int | None) -> int:
    n = workers if workers is not None else (os.cpu_count() or 1)
    if n < 1:
        raise DcoptError(f"--workers must be at least 1, got {n}")
    return n


def _start_pool(size: int) -> cf.ProcessPoolExecutor:
    """A local pool of ``size`` warm workers (started now, before any thread of the caller)."""
    ctx = _pool_context()
    if ctx.get_start_method() == "fork":
        warm()  # import once here; the forked workers inherit it
        highs = sys.modules.get("optimizer.model.highs")
        if highs is not None:
            highs.release_threads()  # a child inherits HiGHS's scheduler but not its threads
    pool = cf.ProcessPoolExecutor(max_workers=size, mp_context=ctx, initializer=init_worker)
    pool.submit(os.getpid).result()
    log.info("local process pool of %d workers (%s)", size, ctx.get_start_method())
    return pool


def _worker_threads(workers: int) -> int:
    """HiGHS threads per local worker: the cores shared out, at least one."""
    from optimizer.options import available_cores

    return max(1, available_cores() // max(1, workers))


def _pool_context() -> multiprocessing.context.BaseContext:
    """fork on Linux when this process has no other thread (fast: workers inherit the
    imported solver stack), else forkserver/spawn (fork with threads can deadlock)."""
    from optimizer.options import fork_is_safe

    methods = multiprocessing.get_all_start_methods()
    if fork_is_safe() and "fork" in methods:
        return multiprocessing.get_context("fork")
    if "forkserver" in methods:
        ctx = multiprocessing.get_context("forkserver")
        # the server imports the solver stack once; each worker forks from it warm
        ctx.set_forkserver_preload(["optimizer.batch.worker", "optimizer.solve"])
        return ctx
    return multiprocessing.get_context("spawn")


def _stop_pool(executor: cf.Executor) -> None:
    """Stop a process pool now: cancel what is queued, terminate running solves."""
    processes = getattr(executor, "_processes", None) or {}
    if not processes:
        executor.shutdown(wait=True, cancel_futures=True)
        return
    for proc in list(processes.values()):
        with contextlib.suppress(Exception):  # the process may be gone already
            proc.terminate()
    executor.shutdown(wait=False, cancel_futures=True)


def _outcomes(
    tasks: list[CaseTask],
    contents: Mapping[str, Any],
    executor: cf.Executor | None,
) -> Iterator[CaseOutcome]:
    """Run every task, yielding outcomes as they finish (in-process when no executor).
    ``contents``: input file bytes (or Dask futures of them) by sha256."""

    def own(task: CaseTask) -> dict[str, Any]:
        return {sha: contents[sha] for _, sha, _ in task.files if sha in contents}

    if executor is None:
        for task in tasks:
            yield run_case(task, own(task))
        return
    futures = {executor.submit(run_case, task, own(task)): task for task in tasks}
    for fut in cf.as_completed(futures):
        task = futures[fut]
        try:
            yield fut.result()
        except BrokenProcessPool:
            raise
        except Exception as exc:  # a lost Dask worker, an unpicklable result...
            yield failed_outcome(task, f"{type(exc).__name__}: {exc}")


def run_plan(
    plan: BatchPlan,
    workers: int | None = None,
    scheduler: str | None = None,
    client: Any | None = None,
    write_report: bool = False,
    time_limit_seconds: float | None = None,
    on_case: ProgressCallback | None = None,
    on_start: Callable[[], None] | None = None,
) -> pd.DataFrame:
    """Solve the plan's unfinished cases and write results; see :func:`run_batch`.
    ``on_start`` is called once the workers are up, before the first case is submitted."""
    out = plan.out_dir
    cases_dir = out / CASES
    cases_dir.mkdir(parents=True, exist_ok=True)
    with plan.phases.time("index and inputs"):
        _write_index(plan)
    summaries: dict[str, dict[str, Any]] = dict(plan.finished)
    total = len(plan.to_run)
    done = 0
    phases = plan.phases
    t0 = time.perf_counter()
    # the case being written and recorded: Ctrl-C there can land after its folder is on
    # disk and before ``summaries`` has it (it is then read back from disk)
    writing: PreparedCase | None = None
    by_id = {c.case_id: c for c in plan.to_run}
    try:
        with ExitStack() as stack:
            executor, contents, threads = _executor(plan, workers, scheduler, client, stack)
            tasks = [_task(c, write_report, time_limit_seconds, threads) for c in plan.to_run]
            if isinstance(executor, cf.ProcessPoolExecutor):
                _preload_plotting()  # while the workers solve, this process is idle
            if on_start is not None:
                on_start()
            outcomes = _outcomes(tasks, contents, executor)
            while True:
                with phases.time("solve"):
                    outcome = next(outcomes, None)
                if outcome is None:
                    break
                writing = by_id.get(outcome.case_id)
                with phases.time("write cases"):
                    write_case(cases_dir, outcome)
                summaries[outcome.case_id] = outcome.summary
                writing = None
                done += 1
                log.info(
                    "case %s: %s in %.2f s (%d/%d)",
                    outcome.case_id,
                    outcome.status,
                    outcome.wall_seconds,
                    done,
                    total,
                )
                if on_case is not None:
                    on_case(outcome, done, total)
    except KeyboardInterrupt:
        if writing is not None and writing.case_id not in summaries:
            on_disk = read_finished(cases_dir / writing.case_id, writing.scenario_hash)
            if on_disk is not None:  # written in full: finished, as a resume will find it
                summaries[writing.case_id] = on_disk
        frame = _finish(plan, summaries, time.perf_counter() - t0, interrupted=True)
        log.warning("interrupted: %d of %d cases finished", len(summaries), len(plan.cases))
        raise BatchInterrupted(len(summaries), len(plan.cases), frame) from None
    except BrokenProcessPool as exc:
        _finish(plan, summaries, time.perf_counter() - t0, interrupted=True)
        raise DcoptError(
            f"a worker process died while solving ({exc}); {len(summaries)} of "
            f"{len(plan.cases)} cases are finished and kept; run the same command again to "
            "resume (with fewer --workers if memory ran out)"
        ) from None
    finally:
        forget_validated()  # problems kept by an in-process validation and not solved
    frame = _finish(plan, summaries, time.perf_counter() - t0, interrupted=False)
    log.debug("batch phases (wall/CPU of this process): %s", phases.describe())
    return frame


def _executor(
    plan: BatchPlan,
    workers: int | None,
    scheduler: str | None,
    client: Any | None,
    stack: ExitStack,
) -> tuple[cf.Executor | None, dict[str, Any], int]:
    """The executor for this run (None: in this process), input file bytes by sha256, and
    the HiGHS threads of each solve."""
    kept_pool, plan.pool = plan.pool, None
    kept = None if kept_pool is None else stack.push(_PoolCloser(kept_pool, plan.phases))
    with plan.phases.time("index and inputs"):
        contents: dict[str, bytes] = {}
        for case in plan.to_run:
            for f in case.files:
                if f.sha256 not in contents:
                    contents[f.sha256] = f.path.read_bytes()
    if not plan.to_run:
        return None, {}, 1
    if client is not None or scheduler is not None:
        if kept is not None:  # validation is done; the cluster solves
            kept.stop_now()
        if client is None:
            from dask.distributed import Client

            try:
                client = stack.enter_context(Client(scheduler))
            except (OSError, TimeoutError, ValueError) as exc:
                raise DcoptError(
                    f"cannot reach the Dask scheduler at {scheduler}: {exc}; is "
                    "`dask scheduler` running there and its port open?"
                ) from exc
            log.info("connected to Dask scheduler %s", scheduler)
        dask_executor = client.get_executor(pure=False)
        stack.callback(dask_executor.shutdown, wait=False)
        # each input file goes to the workers once, not once per task
        shipped = {k: client.scatter(v, broadcast=True, hash=False) for k, v in contents.items()}
        # a Dask worker runs as many tasks as it has threads: one HiGHS thread each
        return dask_executor, shipped, 1
    n = min(_local_workers(workers), len(plan.to_run))
    if n == 1:
        if kept is not None:
            kept.stop_now()
        with plan.phases.time("pool start"):
            warm()
        return None, contents, _worker_threads(1)
    if kept is not None and plan.pool_workers == n:
        return kept.pool, contents, _worker_threads(n)
    if kept is not None:
        kept.stop_now()
    with plan.phases.time("pool start"):
        pool = _start_pool(n)
    stack.push(_PoolCloser(pool, plan.phases))
    return pool, contents, _worker_threads(n)


class _PoolCloser:
    """Exit callback of a local pool (for ``ExitStack.push``): after the last case the
    workers are let exit (and are waited for, so their CPU time counts as this process's
    children's); on an exception (Ctrl-C, a dead worker) they are stopped at once."""

    def __init__(self, pool: cf.ProcessPoolExecutor, phases: Phases) -> None:
        self.pool = pool
        self.phases = phases
        self.closed = False

    def stop_now(self) -> None:
        if not self.closed:
            self.closed = True
            _stop_pool(self.pool)

    def __call__(self, exc_type: type[BaseException] | None, *_: object) -> bool:
        if self.closed:
            return False
        if exc_type is not None:
            self.stop_now()
            return False
        self.closed = True
        with self.phases.time("pool stop"):
            self.pool.shutdown(wait=True, cancel_futures=True)
        return False


def _preload_plotting() -> None:
    """Import matplotlib (summary.png) in a background thread of this process, and draw a
    throwaway chart there (:func:`optimizer.plotting.warm_draw`: fonts, Agg, PNG writer)."""

    def load() -> None:
        with contextlib.suppress(Exception):  # only a speed-up; the plot imports it again
            import_matplotlib()
            from optimizer.plotting import warm_draw

            warm_draw()

    threading.Thread(target=load, name="dcopt-preload-matplotlib", daemon=True).start()


def _write_index(plan: BatchPlan) -> None:
    """``batch.json``: the sweep's cases, their overrides and scenario hashes."""
    index = {
        "sweep": str(plan.sweep.path) if plan.sweep.path else None,
        "base": str(plan.sweep.base_path),
        "paths": plan.sweep.paths,
        "cases": [
            {
                "case_id": c.case_id,
                "origin": c.spec.origin,
                "overrides": c.spec.overrides,
                "scenario_hash": c.scenario_hash,
            }
            for c in plan.cases
        ],
    }
    _atomic_text(plan.out_dir / "batch.json", json.dumps(index, indent=2, default=str) + "\n")


def _atomic_text(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def _finish(
    plan: BatchPlan,
    summaries: dict[str, dict[str, Any]],
    wall_seconds: float,
    interrupted: bool,
) -> pd.DataFrame:
    phases = plan.phases
    out = plan.out_dir
    with phases.time("results table"):
        frame = results_frame(plan.sweep, plan.cases, summaries)
        tmp = out / f".{RESULTS}.{uuid.uuid4().hex[:8]}"
        frame.to_parquet(tmp, index=False)
        os.replace(tmp, out / RESULTS)
    with phases.time("summary.txt"):
        text = summary_text(
            frame,
            plan.sweep.paths,
            solved=len(summaries) - len(plan.finished),
            skipped=len(plan.finished),
            wall_seconds=wall_seconds,
            interrupted=interrupted,
        )
        _atomic_text(out / "summary.txt", text + "\n")
    try:
        with phases.time("matplotlib import"):  # nothing left to do when preloaded
            import_matplotlib()
        with phases.time("summary.png"):
            write_summary_plot(frame, out / "summary.png")
    except Exception:  # the plot is a convenience; never lose results over it
        log.warning("could not draw summary.png", exc_info=True)
    return frame


def run_batch(
    sweep: Sweep | str | Path,
    out_dir: str | Path,
    *,
    workers: int | None = None,
    scheduler: str | None = None,
    client: Any | None = None,
    retry_failed: bool = False,
    write_report: bool = False,
    time_limit_seconds: float | None = None,
    on_case: ProgressCallback | None = None,
) -> pd.DataFrame:
    """Run every case of a sweep; return the results table (also ``out_dir/results.parquet``).

    ``workers``: local processes (default the machine's cores; 1 runs in this process).
    ``scheduler``: address of a Dask scheduler (``tcp://host:8786``), or pass a
    ``dask.distributed.Client`` as ``client``; then ``workers`` is not used.
    Raises :class:`~optimizer.errors.ScenarioError` listing every invalid case before any
    solve, and :class:`BatchInterrupted` on Ctrl-C (finished cases kept).
    """
    plan = plan_batch(sweep, out_dir, retry_failed=retry_failed, workers=workers)
    return run_plan(
        plan,
        workers=workers,
        scheduler=scheduler,
        client=client,
        write_report=write_report,
        time_limit_seconds=time_limit_seconds,
        on_case=on_case,
    )
