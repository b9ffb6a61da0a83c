"""Benchmark: an 11-point CFE frontier of the full-year case against one solve of it.

Goal (issue 4): the frontier (build once, warm-started re-solves, plus the max-CFE solve)
costs at most 4× one cold solve (build + solve) of the same scenario. Both are measured in
this one run and printed as a ratio; the machine's load average is printed beside it.

    .venv/bin/python benchmarks/bench_frontier.py [SCENARIO] [--cfe 0.5:1:0.05]
    .venv/bin/python benchmarks/bench_frontier.py [SCENARIO] --emissions 60000:10000:-5000

``--emissions`` sweeps emissions caps (tCO2) instead, the scenario's CFE target kept.
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

from optimizer.decisions import frontier
from optimizer.decisions.common import parse_range
from optimizer.decisions.frontier import Mode, _two_chains_wanted
from optimizer.scenario import load_problem
from optimizer.solve import solve

ROOT = Path(__file__).resolve().parents[1]
DEFAULT = ROOT / "tests" / "acceptance" / "year-cfe90" / "scenario.yaml"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("scenario", nargs="?", default=str(DEFAULT))
    ap.add_argument("--cfe", default="0.5:1:0.05", help="targets (11 by default)")
    ap.add_argument("--emissions", default=None, help="emissions caps, tCO2 (instead of --cfe)")
    ap.add_argument(
        "--chains",
        choices=("auto", "1", "2"),
        default="auto",
        help="one warm chain, two (forked from the middle goal), or two when a core is idle",
    )
    args = ap.parse_args()
    mode: Mode = "cfe" if args.emissions is None else "emissions"
    if args.emissions is None:
        targets = parse_range(args.cfe, "--cfe", 0.0, 1.0)
    else:
        targets = parse_range(args.emissions, "--emissions", 0.0, None)
    problem = load_problem(args.scenario)
    print(f"load average before: {os.getloadavg()}")

    t0 = time.perf_counter()
    one = solve(problem)
    t_one = time.perf_counter() - t0
    print(f"one solve: {one.status} in {t_one:.1f} s (solve {one.summary['solve_seconds']:.1f} s)")

    t0 = time.perf_counter()
    parallel = {"auto": None, "1": False, "2": True}[args.chains]
    two = _two_chains_wanted(parallel)  # what `auto` decides from the load, now
    print(f"second process: {'yes' if two else 'no'} (--chains {args.chains})")
    fr = frontier(problem, targets, mode, parallel=parallel)
    t_fr = time.perf_counter() - t0
    for p in fr.points:
        goal = p.cfe_target if mode == "cfe" else p.max_emissions_tco2
        print(
            f"  {'target' if mode == 'cfe' else 'cap'} {goal:.3f}: {p.status:10s} cost/MWh "
            f"{p.cost_per_mwh if p.cost_per_mwh is not None else float('nan'):8.3f} "
            f"in {p.solve_seconds:6.1f} s"
        )
    print(f"max CFE score {fr.max_cfe_score}, min emissions {fr.min_emissions_tco2} tCO2")
    print(f"frontier of {len(targets)} points: {t_fr:.1f} s")
    print(f"load average after: {os.getloadavg()}")
    ratio = t_fr / t_one
    print(f"RATIO frontier / one solve = {ratio:.2f} (goals: issue 4 ≤ 4, issue 12 ≤ 3)")


if __name__ == "__main__":
    main()
