"""Benchmark: compare on the full-year case against (1 + number of items) cold solves.

The reference is measured as one cold solve (build + solve) in this run times (1 + items):
solving every "without" case from scratch would cost about that. Printed as a ratio with the
machine's load average.

    .venv/bin/python benchmarks/bench_compare.py [SCENARIO] [--no-breakeven]
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

from optimizer.decisions import compare
from optimizer.scenario import load_problem
from optimizer.solve import solve

ROOT = Path(__file__).resolve().parents[1]
DEFAULT = ROOT / "tests" / "acceptance" / "year-cfe90" / "scenario.yaml"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("scenario", nargs="?", default=str(DEFAULT))
    ap.add_argument("--no-breakeven", action="store_true")
    args = ap.parse_args()
    problem = load_problem(args.scenario)
    print(f"load average before: {os.getloadavg()}")

    t0 = time.perf_counter()
    one = solve(problem)
    t_one = time.perf_counter() - t0
    print(f"one cold solve: {one.status} in {t_one:.1f} s")

    t0 = time.perf_counter()
    r = compare(problem, breakeven=not args.no_breakeven)
    t_cmp = time.perf_counter() - t0
    for it in r.ranked():
        print(
            f"  {it.name:14s} chosen {it.chosen_mw:9.2f} MW  value "
            f"{'required' if it.required else f'{it.value:,.0f}':>14s}  "
            f"marginal/MW-yr {it.marginal_value_per_mw_year or 0:12,.0f}  "
            f"breakeven {it.breakeven_price_per_mwh} ({it.breakeven_method})"
        )
    n = len(r.items)
    ref = (1 + n) * t_one
    print(f"compare: {t_cmp:.1f} s with {r.solves} solves; {n} items")
    print(f"load average after: {os.getloadavg()}")
    print(f"RATIO compare / ((1 + {n}) cold solves) = {t_cmp / ref:.2f}")


if __name__ == "__main__":
    main()
