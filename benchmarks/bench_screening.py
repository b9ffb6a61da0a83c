"""Benchmark: screening's objective error, speed-up and stated error per days a month.

One command, for each case: the full objective (solved once and cached for the run), then
for each days-a-month setting the screening objective, its error against the full one,
the speed-up (full wall / screening wall, both in this process from ``load_problem`` to
the answer, imports already done, the full solve first) and the ``expected_objective_error``
the summary states; a last column says whether that bound holds.

    PYTHONPATH=. .venv/bin/python benchmarks/bench_screening.py
        (default: tests/acceptance/year-cfe90 and the bundled Greensboro example,
         days 2,3,4,6,8,10,12, the default method and storage)
    ... benchmarks/bench_screening.py SCENARIO.yaml --days 3,6 --storage linked
    ... benchmarks/bench_screening.py --method '{"scope": "month", "features": "all",
        "representation": "medoid"}'      (the earlier method)
    ... benchmarks/bench_screening.py /tmp/gb/scenario.yaml --check-clustering

The machine's load average is printed before and after.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import tempfile
import time
import warnings
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_CASES = [str(ROOT / "tests" / "acceptance" / "year-cfe90" / "scenario.yaml"), "example"]


def example_path(tmp: Path) -> str:
    """The bundled Greensboro example, written to ``tmp`` as ``dcopt example`` does."""
    from optimizer.examples import write_example

    write_example("greensboro", tmp / "ex")
    return str(tmp / "ex" / "scenario.yaml")


def full_answer(path: str) -> dict[str, Any]:
    from optimizer.scenario import load_problem
    from optimizer.solve import solve

    t0 = time.perf_counter()
    r = solve(load_problem(path))
    return {"objective": r.objective, "seconds": time.perf_counter() - t0}


def screening_answer(path: str, days: int, storage: str, method: dict[str, Any]) -> dict[str, Any]:
    from optimizer.scenario import load_problem
    from optimizer.screening import solve_screening

    t0 = time.perf_counter()
    s = solve_screening(load_problem(path), days_per_month=days, storage=storage, **method)
    return {
        "objective": s.objective,
        "seconds": time.perf_counter() - t0,
        "expected": s.summary["screening"]["expected_objective_error"],
        "typical_days": s.days.days,
    }


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
    ap.add_argument("scenarios", nargs="*", help="scenario files, or 'example' (default: both)")
    ap.add_argument("--days", default="2,3,4,6,8,10,12", help="comma list of days a month")
    ap.add_argument("--storage", default="cyclic", help="cyclic | linked")
    ap.add_argument("--method", default="{}", help="JSON: scope, features, representation")
    ap.add_argument("--check-clustering", action="store_true")
    args = ap.parse_args()
    logging.disable(logging.WARNING)
    warnings.simplefilter("ignore")
    method = json.loads(args.method)
    days = [int(x) for x in args.days.split(",")]
    print(f"load average before: {os.getloadavg()}")
    with tempfile.TemporaryDirectory() as tmp:
        for case in args.scenarios or DEFAULT_CASES:
            path = example_path(Path(tmp)) if case == "example" else case
            if args.check_clustering:
                check_clustering(path, days)
                continue
            full = full_answer(path)
            print(f"\n{case}: full objective {full['objective']:.2f} in {full['seconds']:.1f} s")
            print("| days a month | typical days | objective | error | speed-up | stated | holds |")
            print("| --- | --- | --- | --- | --- | --- | --- |")
            for n in days:
                r = screening_answer(path, n, args.storage, method)
                err = (r["objective"] - full["objective"]) / abs(full["objective"])
                print(
                    f"| {n} | {r['typical_days']} | {r['objective']:.0f} | {100 * err:+.2f} % "
                    f"| {full['seconds'] / r['seconds']:.1f}x | {100 * r['expected']:.1f} % "
                    f"| {'yes' if abs(err) <= r['expected'] else 'NO'} |",
                    flush=True,
                )
    print(f"\nload average after: {os.getloadavg()}")


if __name__ == "__main__":
    main()
