"""What runs on a worker: one case in, its outputs (as bytes) out.

The same :func:`run_case` runs in-process, in a local process pool and on Dask workers.
Workers need no shared filesystem: the task comes with the bytes of its input files (series,
weather; or Dask futures of them) and the outputs go back as bytes that the coordinating
process writes.
"""

from __future__ import annotations

import copy
import logging
import os
import signal
import tempfile
import threading
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from optimizer.scenario import Problem

log = logging.getLogger(__name__)

BATCH_KEY = "batch"
"""summary.json key holding the case's batch record (case_id, scenario_hash, overrides)."""


@dataclass(frozen=True)
class CaseTask:
    """Everything a worker needs to solve one case; picklable."""

    case_id: str
    scenario: dict[str, Any]
    base_dir: str
    scenario_hash: str
    overrides: dict[str, Any]
    files: tuple[tuple[str, str, str], ...] = ()
    """(section, sha256, suffix) of each input file; its bytes come with the task."""
    write_report: bool = False
    threads: int = 1
    time_limit_seconds: float | None = None


@dataclass
class CaseOutcome:
    """A finished case: its summary.json content and output files."""

    case_id: str
    status: str
    """optimal | infeasible | time_limit | error (from the solve) | failed (an exception)."""
    summary: dict[str, Any]
    files: dict[str, bytes] = field(default_factory=dict)
    message: str = ""
    wall_seconds: float = 0.0
    cpu_seconds: float = 0.0
    """CPU seconds of the process that ran the case, during :func:`run_case`."""


KEEP_STEPS = 500_000
"""Time steps of validated problems a process keeps for their solves (about 60 hourly
full-year cases, tens of MB): :func:`keep_validated`."""

_validated: dict[str, Problem] = {}
_validated_lock = threading.Lock()  # a Dask worker may run cases in threads


def kept_steps() -> int:
    """Time steps of the problems kept now (bounded by :data:`KEEP_STEPS`)."""
    return sum(p.periods for p in _validated.values())


def keep_validated(scenario_hash: str, problem: Problem) -> None:
    """Keep a case's validated problem in this process, so that :func:`run_case` here
    solves it without loading and validating the scenario a second time. Kept while fewer
    than :data:`KEEP_STEPS` steps are (first come, first kept: cases are solved in the
    order they were validated); scenario sets and pathways (several cases) are not kept."""
    if problem.study is not None:
        return
    with _validated_lock:
        if scenario_hash in _validated or kept_steps() + problem.periods > KEEP_STEPS:
            return
        _validated[scenario_hash] = problem


def take_validated(scenario_hash: str) -> Problem | None:
    """The problem :func:`keep_validated` kept for this scenario hash (once), or None."""
    with _validated_lock:
        return _validated.pop(scenario_hash, None)


def forget_validated() -> None:
    """Drop every kept problem (a batch that will not solve them here)."""
    with _validated_lock:
        _validated.clear()


def init_worker() -> None:
    """Pool initializer: Ctrl-C goes to the coordinating process only, which then stops the
    workers; and import the solver stack once."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    warm()


def warm() -> None:
    """Import the solver stack once per worker (Pyomo's import hooks for scipy and
    matplotlib are dropped as the model is imported: :mod:`optimizer.pyomo_imports`)."""
    import optimizer.solve  # noqa: F401


def _input_path(sha256: str, suffix: str, content: bytes) -> Path:
    """A shipped input file, written once per machine under the temp folder."""
    folder = Path(tempfile.gettempdir()) / "dcopt-batch-inputs"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{sha256}{suffix}"
    if not path.is_file():
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=".part-")
        with os.fdopen(fd, "wb") as fh:
            fh.write(content)
        os.replace(tmp, path)
    return path


def run_case(task: CaseTask, contents: dict[str, bytes] | None = None) -> CaseOutcome:
    """Solve one case; never raises for a case's own failure (status ``failed``).

    ``contents`` maps the sha256 of each of the task's input files to its bytes; a file
    missing there is read from its path relative to ``task.base_dir``."""
    from optimizer.output import write_result, write_summary
    from optimizer.scenario import load_problem
    from optimizer.solve import SolveOptions, solve_run

    t0, c0 = time.perf_counter(), time.process_time()
    record: dict[str, Any] = {
        "case_id": task.case_id,
        "scenario_hash": task.scenario_hash,
        "overrides": task.overrides,
    }
    try:
        problem = take_validated(task.scenario_hash)  # validated in this process: kept
        if problem is None:
            raw = copy.deepcopy(task.scenario)
            for section, sha256, suffix in task.files:
                if contents and sha256 in contents:
                    path = _input_path(sha256, suffix, contents[sha256])
                    raw[section] = {**raw[section], "file": str(path)}
            problem = load_problem(raw, base_dir=task.base_dir)
        options = SolveOptions(threads=task.threads, time_limit_seconds=task.time_limit_seconds)
        result = solve_run(problem, options)
        result.summary[BATCH_KEY] = record
        with tempfile.TemporaryDirectory(prefix="dcopt-case-") as tmp:
            if task.write_report:
                write_result(result, tmp)
            else:
                write_summary(result.summary, Path(tmp) / "summary.json")
                if result.dispatch is not None:
                    result.dispatch.to_parquet(Path(tmp) / "dispatch.parquet", index=False)
            files = {p.name: p.read_bytes() for p in sorted(Path(tmp).iterdir()) if p.is_file()}
        return CaseOutcome(
            task.case_id,
            result.status,
            result.summary,
            files,
            result.message,
            time.perf_counter() - t0,
            time.process_time() - c0,
        )
    except Exception as exc:
        message = f"{type(exc).__name__}: {exc}"
        log.warning("case %s failed: %s", task.case_id, message)
        log.debug("%s", traceback.format_exc())
        outcome = failed_outcome(task, message, time.perf_counter() - t0)
        outcome.cpu_seconds = time.process_time() - c0
        return outcome


def failed_outcome(task: CaseTask, message: str, wall_seconds: float = 0.0) -> CaseOutcome:
    """The outcome recorded for a case whose solve raised (or whose worker was lost)."""
    from optimizer.results import versions

    summary = {
        "status": "failed",
        "message": message,
        "versions": versions(),
        BATCH_KEY: {
            "case_id": task.case_id,
            "scenario_hash": task.scenario_hash,
            "overrides": task.overrides,
        },
    }
    return CaseOutcome(task.case_id, "failed", summary, {}, message, wall_seconds)
