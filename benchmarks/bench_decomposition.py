"""DE against scenario decomposition (2 local workers) on the same study.

    PYTHONPATH=. python benchmarks/bench_decomposition.py [--scenarios 5 20] [--year]
        [--study risk10.yaml]

week-contracts with S spot scenarios (flat spot 20 … 140, equiprobable), ω = 0.5, α = 0.8;
``--year`` adds year-cfe90 with 3 scenarios of its TOU offer's price flat at 60, 100 and 140
(its cost does not move with the spot). Prints both times, the ratio and the load.
``--study FILE``: a scenario file with an ``uncertainty:`` block (e.g. the bundled
example's 10 spot scenarios, ``dcopt scenarios spot``): the decomposition only, no DE
(whose full years do not finish, docs/risk.md), and, measured first in the same run, its
first case solved alone and cold the way a worker solves it (one HiGHS thread): the wall
time as a multiple of that solve is what this machine's speed of the hour does not move.
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from optimizer.decisions.decomposition import _Group, solve_decomposed, solve_deterministic
from optimizer.options import SolveOptions
from optimizer.scenario.study import load_study

ACCEPTANCE = Path(__file__).resolve().parents[1] / "tests" / "acceptance"


def study_of(case: str, scenarios: int, tariff: bool = False) -> Any:
    """S equiprobable scenarios of a flat spot price 20…140 (``tariff``: the first grid
    offer's energy price flat at 60…140 instead, for a case whose cost the spot does not
    move)."""
    folder = ACCEPTANCE / case
    raw: dict[str, Any] = yaml.safe_load((folder / "scenario.yaml").read_text())
    low, span = (60.0, 80.0) if tariff else (20.0, 120.0)
    spots = [low + span * k / max(1, scenarios - 1) for k in range(scenarios)]
    offer = raw["grid_offers"][0]["name"]
    key = f"grid_offers[{offer}].energy_price_per_mwh" if tariff else "grid.spot_price_per_mwh"
    raw["uncertainty"] = {
        "scenarios": [
            {
                "name": f"s{k}",
                "probability": 1.0 / scenarios,
                "set": {key: spot},
            }
            for k, spot in enumerate(spots)
        ],
        "risk": {"alpha": 0.8, "weight": 0.5},
    }
    return load_study(raw, base_dir=folder)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scenarios", type=int, nargs="*", default=[5, 20])
    parser.add_argument("--year", action="store_true")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--study", type=Path)
    args = parser.parse_args()
    if args.study is not None:
        study_file(args.study, args.workers)
        return
    runs = [("week-contracts", s, False) for s in args.scenarios]
    if args.year:
        runs.append(("year-cfe90", 3, True))
    print(f"load average before: {os.getloadavg()}")
    print(
        f"{'case':16} {'S':>3} {'DE s':>8} {'Benders s':>10} {'ratio':>6} {'iters':>5} "
        f"{'feas':>4} {'sub s':>7} {'build s':>7} {'rel diff':>9}"
    )
    for case, S, tariff in runs:
        study = study_of(case, S, tariff)
        t0 = time.perf_counter()
        de = solve_deterministic(study, SolveOptions(), "benchmark")
        t_de = time.perf_counter() - t0
        t0 = time.perf_counter()
        r = solve_decomposed(study, SolveOptions(), workers=args.workers)
        t_bd = time.perf_counter() - t0
        diff = abs(r["objective"] - de["objective"]) / abs(de["objective"])
        if r["method"] != "decomposition":
            print(f"{case:16} {S:>3} {t_de:8.2f} {t_bd:10.2f}  fell back to the DE: {r['reason']}")
            continue
        print(
            f"{case:16} {S:>3} {t_de:8.2f} {t_bd:10.2f} {t_bd / t_de:6.2f} "
            f"{r['iterations']:>5} {r.get('feasibility_cuts', 0):>4} "
            f"{r['seconds']['subproblems']:7.2f} {r['seconds']['build']:7.2f} {diff:9.1e}"
        )
    print(f"load average after: {os.getloadavg()}")


def study_file(path: Path, workers: int) -> None:
    """The decomposition of a scenario file's study (loading included in the wall time)."""
    print(f"load average before: {os.getloadavg()}")
    study = load_study(path)
    group = _Group([(0, study.cases[0].problem)], SolveOptions())
    d = group.describe()["subs"][0]
    t0 = time.perf_counter()
    alone = group.solve(d["names"], np.array(d["lower"]), np.array(d["upper"]))[0]
    reference = time.perf_counter() - t0
    print(f"case {study.cases[0].name} alone, cold, one thread: {alone[1]} in {reference:.1f} s")
    del group
    t0 = time.perf_counter()
    r = solve_decomposed(load_study(path), SolveOptions(), workers=workers)
    wall = time.perf_counter() - t0
    if r["method"] != "decomposition":
        print(f"fell back to the DE after {wall:.1f} s: {r['reason']}")
    else:
        sec = r["seconds"]
        print(
            f"wall {wall:.1f} s, {r['iterations']} iterations, {r['cuts']} cuts, subproblems "
            f"{sec['subproblems']:.1f} s (up to the first incumbent {sec['first']:.1f} s), "
            f"objective {r['objective']:.2f}, gap {r['gap'] / abs(r['objective']):.1e}; "
            f"{wall / reference:.1f} times the case alone"
        )
    print(f"load average after: {os.getloadavg()}")


if __name__ == "__main__":
    main()
