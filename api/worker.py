"""What runs inside a job's worker process: read the job's input, solve, write the results.

The worker talks to the server through files in its job folder only (no database
connection): ``progress.json`` while it works and ``outcome.json`` (written last, atomically)
when it is done. The server's dispatcher reads them and updates the job record.
"""

from __future__ import annotations

import json
import logging
import math
import os
import shutil
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import psutil

from optimizer.errors import ScenarioError
from optimizer.options import SolveOptions
from optimizer.output import write_dispatch, write_result, write_summary
from optimizer.scenario import Problem, load_problem

if TYPE_CHECKING:
    from optimizer.solve import Result

log = logging.getLogger(__name__)

INPUT, RESULT = "input", "result"
OUTCOME, PROGRESS, LOG = "outcome.json", "progress.json", "job.log"
SCENARIO_FILE = "scenario.json"


def clean(value: Any) -> Any:
    """JSON-safe copy: non-finite floats become None (JSON and PostgreSQL refuse NaN)."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {str(k): clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [clean(v) for v in value]
    if hasattr(value, "item") and callable(value.item):  # numpy scalars
        return clean(value.item())
    return value


def write_json_atomic(path: Path, data: Any) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(clean(data), indent=1, allow_nan=False), encoding="utf-8")
    os.replace(tmp, path)


def _server_alive(pid: int) -> bool:
    """Whether the server process ``pid`` still runs (a zombie counts as gone)."""
    try:
        return psutil.Process(pid).status() not in (psutil.STATUS_ZOMBIE, psutil.STATUS_DEAD)
    except psutil.NoSuchProcess:  # includes ZombieProcess on platforms that raise it
        return False
    except psutil.AccessDenied:  # it exists, owned by someone else
        return True


def _watch_server(pid: int, interval_s: float = 0.5) -> None:
    """End this worker soon after the server that started it is gone (killed, crashed).

    A worker is a child of multiprocessing's forkserver, not of the server, and the
    forkserver lives as long as any worker does; so neither a parent-death signal nor the
    forkserver notices a killed server. Without this, a restarted server would run an
    interrupted job again while the orphan still writes into the same folder.
    """

    def watch() -> None:
        while True:
            time.sleep(interval_s)
            if not _server_alive(pid):
                os._exit(3)

    threading.Thread(target=watch, name="dcopt-server-watch", daemon=True).start()


class _Progress:
    def __init__(self, job: Path) -> None:
        self.path = job / PROGRESS
        self.t0 = time.monotonic()

    def __call__(self, stage: str, fraction: float) -> None:
        log.info("%s (%.0f%%) after %.2f s", stage, 100 * fraction, time.monotonic() - self.t0)
        write_json_atomic(self.path, {"stage": stage, "progress": fraction})


def _load(job: Path) -> Problem:
    raw = json.loads((job / INPUT / SCENARIO_FILE).read_text(encoding="utf-8"))
    series = raw.get("series") or {}
    # A series file in a job's scenario was put there by the server (an upload saved in the
    # job's input folder under a fixed name); user-given paths were refused at submission.
    base_dir = job / INPUT if isinstance(series, dict) and series.get("file") else None
    return load_problem(raw, base_dir=base_dir)


def _status_of(result: Result) -> tuple[str, dict[str, Any] | None]:
    """A solve's status as a job status (CONTRACT 8) and the error that explains it."""
    if result.status == "optimal":
        return "optimal", None
    if result.status == "infeasible":
        return "infeasible", {"code": "infeasible", "message": result.message}
    return "failed", {"code": result.status, "message": result.message}


def _write_base(result: Result, out: Path) -> None:
    """summary.json and dispatch.parquet of one solve, without the report."""
    out.mkdir(parents=True, exist_ok=True)
    write_summary(result.summary, out / "summary.json")
    if result.dispatch is not None:
        write_dispatch(result.dispatch, out / "dispatch.parquet")


def _run(
    kind: str, problem: Problem, options: dict[str, Any], solve_options: SolveOptions, out: Path
) -> dict[str, Any]:
    if kind == "run":
        from optimizer.solve import solve_run  # Pyomo and HiGHS: in the job process only

        result = solve_run(problem, solve_options, options.get("decompose"))
        if options.get("report", True):
            write_result(result, out)
        else:
            _write_base(result, out)
        status, error = _status_of(result)
        return {"status": status, "summary": result.summary, "error": error, "result": None}
    from optimizer.decisions import compare, frontier
    from optimizer.decisions.output import frontier_report_result, write_compare, write_frontier

    if kind == "compare":
        cmp = compare(problem, solve_options, breakeven=bool(options.get("breakeven", True)))
        _write_base(cmp.base, out)
        write_compare(cmp, out)
        status, error = _status_of(cmp.base)
        full = cmp.to_dict()
        items = {"items": [i.to_dict() for i in cmp.ranked()]}
        keys = ("objective_kind", "objective_text", "value_unit", "solves", "seconds")
        items.update({k: full[k] for k in keys})
        return {"status": status, "summary": cmp.base.summary, "error": error, "result": items}
    if kind == "frontier" and options.get("mode") == "cfe_scale":
        return _pathway_frontier(problem, options, solve_options, out)
    if kind == "frontier":
        mode = options.get("mode", "cfe")
        front = frontier(
            problem,
            [float(x) for x in options.get("targets", [])],
            mode,
            solve_options,
            warm_start=bool(options.get("warm_start", True)),
        )
        base = frontier_report_result(front)
        if base is not None:
            _write_base(base, out)
        write_frontier(front, out)
        data = front.to_dict()
        if front.any_optimal:
            return {
                "status": "optimal",
                "summary": base.summary if base else None,
                "error": None,
                "result": data,
            }
        return {
            "status": "infeasible",
            "summary": None,
            "error": {"code": "infeasible", "message": "no point of the frontier can be met"},
            "result": data,
        }
    raise RuntimeError(f"unknown kind {kind!r}")


def _pathway_frontier(
    problem: Problem, options: dict[str, Any], solve_options: SolveOptions, out: Path
) -> dict[str, Any]:
    """kind frontier with options.cfe_scale: a pathway's target path scaled (docs/pathway.md);
    writes pathway_frontier.csv/json; the result is pathway_frontier.json."""
    import pandas as pd

    from optimizer.decisions.frontier import pathway_frontier
    from optimizer.output import dumps

    try:
        front = pathway_frontier(
            problem, [float(x) for x in options.get("targets", [])], solve_options
        )
    except ValueError as exc:
        raise ScenarioError.single("options.cfe_scale", str(exc)) from None
    out.mkdir(parents=True, exist_ok=True)
    pd.DataFrame(front.rows()).to_csv(out / "pathway_frontier.csv", index=False)
    data = front.to_dict()
    (out / "pathway_frontier.json").write_text(dumps(data) + "\n", encoding="utf-8")
    if front.any_optimal:
        return {"status": "optimal", "summary": None, "error": None, "result": data}
    return {
        "status": "infeasible",
        "summary": None,
        "error": {"code": "infeasible", "message": "no point of the frontier can be met"},
        "result": data,
    }


def run_job(job_dir: str, kind: str, options: dict[str, Any], server_pid: int) -> None:
    """Entry point of a worker process."""
    _watch_server(server_pid)
    job = Path(job_dir)
    handler = logging.FileHandler(job / LOG, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    shutil.rmtree(job / RESULT, ignore_errors=True)
    progress = _Progress(job)
    try:
        progress("reading the scenario", 0.05)
        problem = _load(job)
        solve_options = SolveOptions.model_validate(options.get("solve", {}))
        progress("solving" if kind == "run" else f"solving ({kind})", 0.2)
        outcome = _run(kind, problem, options, solve_options, job / RESULT)
    except ScenarioError as exc:
        outcome = {
            "status": "failed",
            "summary": None,
            "error": {
                "code": "input",
                "message": "input refused",
                "errors": [e.to_dict() for e in exc.errors],
            },
        }
    except Exception as exc:
        log.exception("job failed")
        outcome = {
            "status": "failed",
            "summary": None,
            "error": {
                "code": "internal",
                "message": f"internal error ({type(exc).__name__}); see the server's job log",
            },
        }
    write_json_atomic(job / OUTCOME, outcome)
    progress("done", 1.0)
    handler.close()
    root.removeHandler(handler)
