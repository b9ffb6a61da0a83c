"""Benchmark: a batch of 20 week-long cases on 1 worker and on 2 workers.

The sweep varies the wind PPA strike of the week-long acceptance case week-contracts
(168 hourly steps) over 20 values. Both runs happen in this one process after a warm-up
solve, each into a fresh output folder: ``workers=1`` solves in this process,
``workers=2`` on a local process pool (fork on Linux, so the workers start warm). The
ratio t(2 workers) / t(1 worker) is printed with the load average (the goal is <= 0.55 on a
machine with 2 free cores; it cannot be below 0.5).

    .venv/bin/python benchmarks/bench_batch.py [--cases 20] [--scenario PATH]
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

from optimizer.batch import run_batch
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
            last: list[float] = []
            t0 = time.perf_counter()
            frame = run_batch(
                sweep,
                Path(tmp) / f"out-{workers}",
                workers=workers,
                on_case=lambda *_, stamps=last: stamps.append(time.perf_counter()),
            )
            times[workers] = time.perf_counter() - t0
            solving[workers] = last[-1] - t0
            solve_s = frame["solve_seconds"].sum()
            print(
                f"{workers} worker(s): {len(frame)} cases "
                f"({(frame['status'] == 'optimal').sum()} optimal) in {times[workers]:.2f} s, "
                f"last case written at {solving[workers]:.2f} s "
                f"(HiGHS time summed over cases {solve_s:.2f} s)"
            )
    print(f"load average after: {os.getloadavg()}")
    print(
        f"RATIO t(2 workers) / t(1 worker) = {times[2] / times[1]:.2f} whole batch, "
        f"{solving[2] / solving[1]:.2f} up to the last case  (goal <= 0.55)"
    )


if __name__ == "__main__":
    main()
