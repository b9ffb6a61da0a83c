"""Benchmark: ``dcopt frontier --cfe-scale`` on a pathway, warm bound moves against a
rebuild per point.

The pathway is the week-long acceptance case week-contracts (168 hourly steps) over three
modelled years, 2027 (CFE target 0.6), 2028 standing for 2028–2029 (0.7) and 2030 (0.8),
r = 0.07; the sweep is f = 0.5, 0.55, …, 1.1 (13 points). Both ways run ``--reps`` times,
interleaved, in this one process after a warm-up; the ratio warm / rebuild is printed per
repetition with the load average, and the largest relative difference of the points'
present values (the two ways must agree).

    .venv/bin/python benchmarks/bench_pathway_frontier.py [--reps 3]
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path
from typing import Any

import yaml

from optimizer.decisions.frontier import pathway_frontier
from optimizer.scenario import load_problem

ROOT = Path(__file__).resolve().parents[1]
WEEK = ROOT / "tests" / "acceptance" / "week-contracts"


def pathway() -> dict[str, Any]:
    sc: dict[str, Any] = yaml.safe_load((WEEK / "scenario.yaml").read_text(encoding="utf-8"))
    sc["horizon"] = {
        "years": [
            {"year": 2027, "set": {"carbon.cfe_target": 0.6}},
            {"year": 2028, "weight_years": 2, "set": {"carbon.cfe_target": 0.7}},
            {"year": 2030, "set": {"carbon.cfe_target": 0.8}},
        ]
    }
    sc.setdefault("finance", {})["discount_rate"] = 0.07
    return sc


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--reps", type=int, default=3)
    args = ap.parse_args()
    problem = load_problem(pathway(), base_dir=WEEK)
    factors = [round(0.5 + 0.05 * i, 10) for i in range(13)]
    pathway_frontier(problem, factors[:2])  # warm-up: imports, first compile
    times: dict[str, list[float]] = {"warm": [], "rebuild": []}
    values: dict[str, list[float | None]] = {}
    for _ in range(args.reps):
        for mode in ("warm", "rebuild"):
            t0 = time.perf_counter()
            r = pathway_frontier(problem, factors, warm_start=mode == "warm")
            times[mode].append(time.perf_counter() - t0)
            values[mode] = [p.objective for p in r.points]
    diff = max(
        abs(a - b) / max(1.0, abs(b))
        for a, b in zip(values["warm"], values["rebuild"], strict=True)
        if a is not None and b is not None
    )
    print(f"load average {os.getloadavg()[0]:.2f}; {len(factors)} points")
    for mode, ts in times.items():
        print(f"{mode:8s}: " + ", ".join(f"{t:.2f} s" for t in ts))
    ratios = [w / c for w, c in zip(times["warm"], times["rebuild"], strict=True)]
    print("warm / rebuild: " + ", ".join(f"{x:.2f}" for x in ratios))
    print(f"largest relative difference of the present values: {diff:.1e}")


if __name__ == "__main__":
    main()
