"""Benchmark: a batch of 20 week-long cases on 1 worker and on 2 workers.

The sweep varies the wind PPA strike of the week-long acceptance case week-contracts
(168 hourly steps) over 20 values. Both runs happen in this one process after a warm-up
solve, each into a fresh output folder: ``workers=1`` solves in this process,
``workers=2`` on a local process pool (fork on Linux, so the workers start warm). The
ratio t(2 workers) / t(1 worker) is printed with the load average (the goal is <= 0.55 on a
machine with 2 free cores; it cannot be below 0.5), with the phases of each run and the CPU
seconds spent (this process + worker processes): equal CPU totals mean the pool adds no
work, and a ratio far above 0.5 then comes from other load on the cores.

    .venv/bin/python benchmarks/bench_batch.py [--cases 20] [--scenario PATH]
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

from optimizer.batch import plan_batch, run_plan
from optimizer.solve import SolveOptions, solve

ROOT = Path(__file__).resolve().parents[1]
DEFAULT = ROOT / "tests" / "acceptance" / "week-contracts" / "scenario.yaml"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--cases", type=int, default=20)
    ap.add_argument("--scenario", default=str(DEFAULT))
    args = ap.parse_args()
    prices = [30 + i for i in range(args.cases)]
    print(f"cores: {os.cpu_count()}; load average before: {os.getloadavg()}")

    t0 = time.perf_counter()
    solve(args.scenario, SolveOptions(threads=1))
    import matplotlib.pyplot  # noqa: F401  (summary.png; so neither run pays the import)

    print(f"warm-up solve and imports: {time.perf_counter() - t0:.2f} s")

    with tempfile.TemporaryDirectory(prefix="bench-batch-") as tmp:
        sweep = Path(tmp) / "sweep.yaml"
        sweep.write_text(
            f"base: {Path(args.scenario).resolve()}\n"
            f"product:\n  ppa_offers[wind-a].price_per_mwh: {prices}\n",
            encoding="utf-8",
        )
        times: dict[int, float] = {}
        solving: dict[int, float] = {}
        for workers in (1, 2):
            stamps: list[float] = []
            c0 = os.times()
            t0 = time.perf_counter()
            plan = plan_batch(sweep, Path(tmp) / f"out-{workers}", workers=workers)
            t_plan = time.perf_counter() - t0
            frame = run_plan(
                plan,
                workers=workers,
                on_start=lambda stamps=stamps: stamps.append(time.perf_counter()),
                on_case=lambda *_, stamps=stamps: stamps.append(time.perf_counter()),
            )
            end = time.perf_counter()
            c1 = os.times()
            cpu = sum(getattr(c1, k) - getattr(c0, k) for k in ("user", "system"))
            cpu_children = sum(
                getattr(c1, k) - getattr(c0, k) for k in ("children_user", "children_system")
            )
            times[workers] = end - t0
            solving[workers] = stamps[-1] - stamps[0]
            print(
                f"{workers} worker(s): {len(frame)} cases "
                f"({(frame['status'] == 'optimal').sum()} optimal) in {times[workers]:.2f} s = "
                f"validate {t_plan:.2f} + start {stamps[0] - t0 - t_plan:.2f} + solve "
                f"{solving[workers]:.2f} + results/plot {end - stamps[-1]:.2f} "
                f"(HiGHS time summed over cases {frame['solve_seconds'].sum():.2f} s; CPU "
                f"this process {cpu:.2f} s + worker processes {cpu_children:.2f} s)"
            )
    print(f"load average after: {os.getloadavg()}")
    print(
        f"RATIO t(2 workers) / t(1 worker) = {times[2] / times[1]:.2f} whole batch, "
        f"{solving[2] / solving[1]:.2f} solve phase only  (goal <= 0.55)"
    )


if __name__ == "__main__":
    main()
