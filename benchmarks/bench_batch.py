"""Benchmark: a batch of 20 week-long cases on 1 worker and on 2 workers, phase by phase.

The sweep varies the wind PPA strike of the week-long acceptance case week-contracts
(168 hourly steps) over 20 values. Each run is a fresh Python process (like one
``dcopt batch``; the solver stack is imported before the clock starts, matplotlib is not)
writing into a fresh folder: ``workers=1`` solves in that process, ``workers=2`` on a
local process pool (fork on Linux). Rounds alternate 1 and 2 workers.

Printed per phase (``BatchPlan.phases``): wall seconds and CPU seconds of the coordinating
process, and for the 2-worker run the CPU of the worker processes (``RUSAGE_CHILDREN``,
of which the cases' own ``CaseOutcome.cpu_seconds``). From the 1-worker run's CPU:

- parallel part: what the pool shares out in a 2-worker run (validation, the cases);
- serial share ``s`` = the rest (this process only) ÷ the run's total CPU, and the Amdahl
  bound ``s + (1 − s) / 2`` on t(2 workers) / t(1 worker) with 2 free cores. ``s'`` counts
  the matplotlib import as parallel: a pool run imports it in a background thread while
  the workers solve (in the 1-worker run it is serial);
- the work bound: a run's CPU seconds shared perfectly over the cores, over the 1-worker
  wall. No 2-worker run beats the 1-worker run's CPU ÷ cores (that would need no serial
  part and no overhead), nor the 2-worker run's own CPU ÷ cores;
- the measured wall ratio with the load average: on a loaded machine the wall ratio says
  little (the CPU seconds still do).

    PYTHONPATH=. .venv/bin/python benchmarks/bench_batch.py [--cases 20] [--rounds 3]

Code without ``BatchPlan.phases`` (before they existed) is timed by wrapping the runner's
functions: ``validate``, ``write cases``, ``results table`` (frame only), ``summary.txt``,
``summary.png`` (import included) and ``pool start``; the rest of the run is ``solve``.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DEFAULT = ROOT / "tests" / "acceptance" / "week-contracts" / "scenario.yaml"

# optimizer.batch.timing.PHASES and "other", spelled out: this script also times code from
# before that module existed (the --src runs)
ORDER = (
    "read sweep",
    "pool start",
    "validate",
    "resume check",
    "index and inputs",
    "solve",
    "write cases",
    "pool stop",
    "results table",
    "summary.txt",
    "matplotlib import",
    "summary.png",
    "other",
)
PARALLEL = ("validate", "solve")
"""Phases the pool shares out; of ``solve`` only the cases' own CPU is parallel."""
OVERLAPPED = "matplotlib import"
"""Serial in a 1-worker run; a pool run does it in a background thread during the solves."""


def _cpu(usage: resource.struct_rusage) -> float:
    return usage.ru_utime + usage.ru_stime


def _wrap_old(runner: Any, phases: dict[str, list[float]]) -> None:
    """Time the runner's functions on code that has no ``BatchPlan.phases``."""
    names = {
        "prepare_cases": "validate",
        "write_case": "write cases",
        "results_frame": "results table",
        "summary_text": "summary.txt",
        "write_summary_plot": "summary.png",
        "_start_pool": "pool start",
    }
    for attr, phase in names.items():
        func = getattr(runner, attr)

        def timed(*a: Any, _f: Callable[..., Any] = func, _p: str = phase, **k: Any) -> Any:
            w0, c0 = time.perf_counter(), time.process_time()
            try:
                return _f(*a, **k)
            finally:
                t = phases.setdefault(_p, [0.0, 0.0])
                t[0] += time.perf_counter() - w0
                t[1] += time.process_time() - c0

        setattr(runner, attr, timed)
    plot = runner.write_summary_plot

    def plot_after_import(*a: Any, **k: Any) -> Any:
        w0, c0 = time.perf_counter(), time.process_time()
        import matplotlib  # as the old summary_figure did, Pyomo's hook left in place

        matplotlib.use("Agg", force=False)
        import matplotlib.figure

        phases[OVERLAPPED] = [time.perf_counter() - w0, time.process_time() - c0]
        return plot(*a, **k)

    runner.write_summary_plot = plot_after_import


def child(workers: int, cases: int, scenario: str) -> dict[str, Any]:
    """One batch in this (fresh) process; its numbers as a JSON-able mapping."""
    import optimizer.batch.runner as runner
    from optimizer.batch import plan_batch, run_plan
    from optimizer.batch.worker import warm

    warm()  # the solver stack: a fixed cost of every dcopt command, not the batch's
    old: dict[str, list[float]] = {}
    if not hasattr(runner.BatchPlan, "__dataclass_fields__") or (
        "phases" not in runner.BatchPlan.__dataclass_fields__
    ):
        _wrap_old(runner, old)
    case_cpu: list[float] = []
    with tempfile.TemporaryDirectory(prefix="bench-batch-") as tmp:
        sweep = Path(tmp) / "sweep.yaml"
        prices = [30 + i for i in range(cases)]
        sweep.write_text(
            f"base: {Path(scenario).resolve()}\n"
            f"product:\n  ppa_offers[wind-a].price_per_mwh: {prices}\n",
            encoding="utf-8",
        )
        load = os.getloadavg()[0]
        s0 = _cpu(resource.getrusage(resource.RUSAGE_SELF))
        k0 = _cpu(resource.getrusage(resource.RUSAGE_CHILDREN))
        w0 = time.perf_counter()
        plan = plan_batch(sweep, Path(tmp) / "out", workers=workers)
        frame = run_plan(
            plan,
            workers=workers,
            on_case=lambda outcome, *_: case_cpu.append(getattr(outcome, "cpu_seconds", 0.0)),
        )
        wall = time.perf_counter() - w0
        parent = _cpu(resource.getrusage(resource.RUSAGE_SELF)) - s0
        children = _cpu(resource.getrusage(resource.RUSAGE_CHILDREN)) - k0
    own_cpu: float | None = sum(case_cpu)
    if old:
        phases = dict(old)
        phases["solve"] = [wall - sum(w for w, _ in old.values()), 0.0]
        phases["solve"][1] = parent - sum(c for _, c in old.values())
        # no CaseOutcome.cpu_seconds: in-process, the rest of the run is (mostly) the cases
        own_cpu = phases["solve"][1] if workers == 1 else None
    else:
        phases = {k: [v.wall, v.cpu] for k, v in plan.phases.items()}
    phases["other"] = [
        max(0.0, wall - sum(w for w, _ in phases.values())),
        max(0.0, parent - sum(c for _, c in phases.values())),
    ]
    return {
        "workers": workers,
        "wall": wall,
        "parent_cpu": parent,
        "children_cpu": children,
        "case_cpu": own_cpu,
        "optimal": int((frame["status"] == "optimal").sum()),
        "cases": len(frame),
        "load_before": load,
        "load_after": os.getloadavg()[0],
        "phases": phases,
    }


def run_child(workers: int, args: argparse.Namespace) -> dict[str, Any]:
    cmd = [sys.executable, __file__, "--child", str(workers), "--cases", str(args.cases)]
    cmd += ["--scenario", args.scenario]
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        sys.exit(f"benchmark child failed:\n{proc.stderr}")
    result: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    return result


def _fmt(x: float | None) -> str:
    return "n/a" if x is None else f"{x:.3f}"


def shares(one: dict[str, Any]) -> tuple[float, float, float]:
    """(total CPU, s, s') of a 1-worker run."""
    total = one["parent_cpu"]
    parallel = one["phases"].get("validate", [0, 0])[1] + one["case_cpu"]
    serial = total - parallel
    imp = one["phases"].get(OVERLAPPED, [0, 0])[1]
    return total, serial / total, (serial - imp) / total


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--cases", type=int, default=20)
    ap.add_argument("--rounds", type=int, default=1)
    ap.add_argument("--scenario", default=str(DEFAULT))
    ap.add_argument("--child", type=int, default=0, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        print(json.dumps(child(args.child, args.cases, args.scenario)))
        return
    print(f"cores: {os.cpu_count()}; load average before: {os.getloadavg()}")
    runs: dict[int, list[dict[str, Any]]] = {1: [], 2: []}
    for r in range(args.rounds):
        for workers in (1, 2):
            runs[workers].append(run_child(workers, args))
        one, two = runs[1][-1], runs[2][-1]
        total, s, s2 = shares(one)
        print(
            f"round {r + 1}: 1 worker {one['wall']:.2f} s (load {one['load_before']:.1f}), "
            f"2 workers {two['wall']:.2f} s (load {two['load_before']:.1f}); "
            f"{one['optimal']}/{one['cases']} and {two['optimal']}/{two['cases']} optimal; "
            f"wall ratio {two['wall'] / one['wall']:.2f}; 1-worker CPU {total:.2f} s, "
            f"s = {s:.3f} -> bound {s + (1 - s) / 2:.3f}, s' = {s2:.3f} -> bound "
            f"{s2 + (1 - s2) / 2:.3f}; 2-worker CPU: this process {two['parent_cpu']:.2f} s "
            f"+ workers {two['children_cpu']:.2f} s (cases {_fmt(two['case_cpu'])} s)"
        )

    def med(workers: int, phase: str, i: int) -> float:
        return statistics.median(run["phases"].get(phase, [0.0, 0.0])[i] for run in runs[workers])

    print(f"\nmedians of {args.rounds} round(s), seconds:")
    print("| phase | 1 w wall | 1 w CPU | 2 w wall | 2 w CPU this process |")
    print("| --- | --- | --- | --- | --- |")
    for phase in ORDER:
        cells = [med(1, phase, 0), med(1, phase, 1), med(2, phase, 0), med(2, phase, 1)]
        if any(c > 0.0005 for c in cells):
            print(f"| {phase} | " + " | ".join(f"{c:.3f}" for c in cells) + " |")
    m = statistics.median

    def col(workers: int, key: str) -> float | None:
        values = [run[key] for run in runs[workers]]
        return None if None in values else m(values)

    print(
        f"| whole batch | {_fmt(col(1, 'wall'))} | {_fmt(col(1, 'parent_cpu'))} | "
        f"{_fmt(col(2, 'wall'))} | {_fmt(col(2, 'parent_cpu'))} |"
    )
    print(
        f"cases' own CPU: 1 w {_fmt(col(1, 'case_cpu'))} s; 2 w {_fmt(col(2, 'case_cpu'))} s "
        f"of the workers' {_fmt(col(2, 'children_cpu'))} s"
    )
    s_all = [shares(run) for run in runs[1]]
    s, s2 = m(x[1] for x in s_all), m(x[2] for x in s_all)
    ratio = m(b["wall"] / a["wall"] for a, b in zip(runs[1], runs[2], strict=True))
    cores = os.cpu_count() or 1
    # no 2-worker run on these cores can beat its CPU shared perfectly over them
    ideal = m(a["parent_cpu"] / cores / a["wall"] for a in runs[1])
    work = m(
        (b["parent_cpu"] + b["children_cpu"]) / cores / a["wall"]
        for a, b in zip(runs[1], runs[2], strict=True)
    )
    print(
        f"work bound (CPU / {cores} cores / 1-worker wall): the 1-worker run's CPU "
        f"{ideal:.3f} (a 2-worker run with no overhead and nothing serial), the 2-worker "
        f"run's own CPU {work:.3f}"
    )
    print(
        f"serial share s = {s:.3f} -> Amdahl bound {s + (1 - s) / 2:.3f}; "
        f"s' (matplotlib import overlapped) = {s2:.3f} -> {s2 + (1 - s2) / 2:.3f}; "
        f"measured wall ratio {ratio:.2f} (goal <= 0.55); load average after: "
        f"{os.getloadavg()}"
    )


if __name__ == "__main__":
    main()
