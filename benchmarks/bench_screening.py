"""Benchmark: screening's objective error and speed per storage form and days a month.

Each screening run is a fresh child process timed from before dcopt's imports to the
answer (what a user waits for). The full objective and time come from ``--full-objective``
and ``--full-seconds`` when given (e.g. from ``bench_fullyear.py``), otherwise from one full
solve in a child. ``--check-clustering`` also compares numpy's Ward medoids with tsam's.

    .venv/bin/python benchmarks/bench_screening.py tests/acceptance/year-cfe90/scenario.yaml \\
        --full-objective 84445759.406408 --full-seconds 31.7 --days 2,3,4,6
    dcopt example greensboro --out /tmp/gb
    .venv/bin/python benchmarks/bench_screening.py /tmp/gb/scenario.yaml --check-clustering

The machine's load average is printed before and after.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from typing import Any


def child(path: str, mode: str, days: int) -> dict[str, Any]:
    t0 = time.perf_counter()
    from optimizer.scenario import load_problem

    p = load_problem(path)
    if mode == "full":
        from optimizer.solve import solve

        r = solve(p)
        return {"objective": r.objective, "seconds": time.perf_counter() - t0}
    from optimizer.screening import solve_screening

    s = solve_screening(p, days_per_month=days, storage=mode)
    return {
        "objective": s.objective,
        "seconds": time.perf_counter() - t0,
        "solve_seconds": s.summary["solve_seconds"],
        "build_seconds": s.summary["build_seconds"],
    }


def run_child(path: str, mode: str, days: int) -> dict[str, Any]:
    out = subprocess.run(
        [sys.executable, "-W", "ignore", __file__, "--child", path, mode, str(days)],
        check=True,
        capture_output=True,
        text=True,
    )
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


def check_clustering(path: str, days: list[int]) -> None:
    import numpy as np

    from optimizer.scenario import load_problem
    from optimizer.screening import choose_days

    p = load_problem(path)
    for n in days:
        t = time.perf_counter()
        a = choose_days(p, n, clustering="ward")
        ta = time.perf_counter() - t
        t = time.perf_counter()
        b = choose_days(p, n, clustering="tsam")
        tb = time.perf_counter() - t
        same = all(
            np.array_equal(x, y)
            for x, y in ((a.steps, b.steps), (a.weights, b.weights), (a.order, b.order))
        )
        print(
            f"clustering, {n} days a month: same as tsam {same}; numpy {ta:.2f} s, tsam {tb:.2f} s"
        )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("scenario", nargs="?")
    ap.add_argument("--days", default="3", help="comma list of days a month")
    ap.add_argument("--storage", default="cyclic,linked", help="comma list: cyclic,linked")
    ap.add_argument("--full-objective", type=float, default=None)
    ap.add_argument("--full-seconds", type=float, default=None)
    ap.add_argument("--check-clustering", action="store_true")
    ap.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        print(json.dumps(child(args.child[0], args.child[1], int(args.child[2]))))
        return
    if not args.scenario:
        ap.error("a scenario is needed")
    print(f"load average before: {os.getloadavg()}")
    days = [int(x) for x in args.days.split(",")]
    if args.check_clustering:
        check_clustering(args.scenario, days)
    full_obj, full_s = args.full_objective, args.full_seconds
    if full_obj is None:
        full = run_child(args.scenario, "full", 0)
        full_obj, full_s = full["objective"], full_s or full["seconds"]
        print(f"full: objective {full_obj:.2f} in {full['seconds']:.1f} s")
    print("| days a month | storage | screening s | speed-up | objective error |")
    print("| --- | --- | --- | --- | --- |")
    for n in days:
        for mode in args.storage.split(","):
            r = run_child(args.scenario, mode, n)
            err = (r["objective"] - full_obj) / abs(full_obj)
            speed = f"{full_s / r['seconds']:.1f}x" if full_s else "-"
            print(f"| {n} | {mode} | {r['seconds']:.1f} | {speed} | {100 * err:+.2f} % |")
    print(f"load average after: {os.getloadavg()}")


if __name__ == "__main__":
    main()
