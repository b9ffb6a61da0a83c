"""Benchmark: report.html of a full year — time to write it and its size.

Solves the acceptance case year-cfe90 (or another scenario given with --scenario) once,
then writes its report.html three times and prints, for the best of the three, the wall
and CPU seconds, the size, and the ratios to the goals (issue 3: under ~3 s for a full
year, under ~3 MB), plus the report's time as a share of the solve's, measured in the same
run (the meaningful number on a shared machine, where seconds drift with the load).

    .venv/bin/python benchmarks/bench_report.py
    .venv/bin/python benchmarks/bench_report.py --scenario out/example/scenario.yaml
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
YEAR = ROOT / "tests" / "acceptance" / "year-cfe90" / "scenario.yaml"
GOAL_SECONDS = 3.0
GOAL_BYTES = 3_000_000


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scenario", type=Path, default=YEAR)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    print(f"load average before: {os.getloadavg()[0]:.2f}")

    from optimizer.report import write_report
    from optimizer.solve import solve

    t0 = time.perf_counter()
    result = solve(args.scenario)
    solve_wall = time.perf_counter() - t0
    print(
        f"{args.scenario}: {result.status}, {result.problem.periods} steps, "
        f"solve {solve_wall:.1f} s"
    )

    walls, cpus = [], []
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "report.html"
        for _ in range(args.repeat):
            w0, c0 = time.perf_counter(), time.process_time()
            write_report(result, path)
            walls.append(time.perf_counter() - w0)
            cpus.append(time.process_time() - c0)
        size = path.stat().st_size
    wall, cpu = min(walls), min(cpus)
    print(f"report wall {wall:.2f} s (runs: {', '.join(f'{w:.2f}' for w in walls)})")
    print(f"report cpu  {cpu:.2f} s (runs: {', '.join(f'{c:.2f}' for c in cpus)})")
    print(f"report size {size / 1e6:.2f} MB")
    print(f"ratio cpu seconds / goal {GOAL_SECONDS:g} s: {cpu / GOAL_SECONDS:.2f} (≤ 1 meets it)")
    print(f"ratio size / goal {GOAL_BYTES / 1e6:g} MB: {size / GOAL_BYTES:.2f} (≤ 1 meets it)")
    print(f"ratio report wall / solve wall: {wall / solve_wall:.3f}")
    print(f"load average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
